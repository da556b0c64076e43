package fs

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// MountOptions are the mount-level settings of [FS.Mount].
type MountOptions struct {
	// FsName is the mount's source in /proc/mounts, df and findmnt; the
	// mount program passes the image path.
	FsName string
	// Subtype makes the type "fuse.<Subtype>"; the default is "iszmount".
	Subtype string
	// AllowOther lets users other than the mounting one in (permission
	// checks still apply: the mount uses default_permissions, or the
	// daemon checks itself where the kernel mount lacks it; see guard.go).
	AllowOther bool
	// NoExec forbids executing files of the mount.
	NoExec bool
	// Debug logs every FUSE request and reply (go-fuse's debug output).
	Debug bool
	// AutoUnmount mounts through fusermount3 -o auto_unmount: fusermount3
	// stays to unmount the file system when this process ends in any way,
	// kill -9 included, so no dead mount is left behind.
	AutoUnmount bool
	// SingleThreaded serves one request at a time (libfuse's -s), for
	// debugging; reads then decode one chunk at a time.
	SingleThreaded bool
}

// Mount mounts f on dir, read-only, and starts serving it. It returns once
// the kernel has accepted the mount; the returned server's Wait returns when
// the mount goes away (umount, fusermount3 -u, or server.Unmount).
//
// As root it calls mount(2) itself, so it needs no fusermount3 and mount
// errors keep their errno; otherwise, and for [MountOptions.AutoUnmount],
// it mounts through fusermount3 (errors: [ErrNoFusermount],
// *[FusermountError]). A dir of the form /dev/fd/N is an already open
// /dev/fuse descriptor mounted by the caller (mount.fuse3 -o
// drop_privileges) and is used as it is.
//
// Once mounted, Mount reads the options the kernel mount really has and
// enforces nosuid, nodev and default_permissions itself where they are
// missing (see guard.go); until then everything is guarded.
func (f *FS) Mount(dir string, mo *MountOptions) (*Server, error) {
	if mo == nil {
		mo = &MountOptions{}
	}
	opts := f.fuseOptions(dir, mo)
	f.guard.Store(uint32(guardAll)) // until we know what the kernel enforces
	f.opendir = mo.AutoUnmount
	s := &Server{dir: dir}
	serveAt := dir
	if !IsDevFD(dir) && (os.Geteuid() != 0 || mo.AutoUnmount) {
		fmOpts := append([]string{"nosuid", "nodev"}, opts.Options...)
		if mo.AutoUnmount {
			fmOpts = append(fmOpts, "auto_unmount")
		}
		fd, ctl, err := fusermount(dir, append(fmOpts, fusermountOptions(opts)...))
		if err != nil {
			return nil, err
		}
		s.fusermount, s.ctl = true, ctl
		serveAt = fmt.Sprintf("/dev/fd/%d", fd)
	}
	server, err := fuse.NewServer(f, serveAt, opts)
	if err != nil {
		if s.fusermount {
			fusermountUnmount(dir, true)
		}
		return nil, err
	}
	s.Server = server
	go server.Serve()
	if err := server.WaitMount(); err != nil {
		// The kernel mount exists (a file as mount point gets this far);
		// do not leave it behind.
		s.Unmount()
		return nil, err
	}
	g, err := mountGuard(dir, "fuse."+opts.Name)
	if err != nil {
		f.log.Warn("cannot read the mount's options; checking permissions in the daemon", "err", err)
	}
	f.guard.Store(uint32(g))
	if g != 0 {
		f.log.Info("the kernel mount lacks "+g.String()+": iszmount enforces them itself", "mountpoint", dir)
	}
	f.mounted.Store(true)
	if !IsDevFD(dir) && os.Geteuid() == 0 {
		if err := setReadAhead(dir, ReadAhead); err != nil {
			f.log.Debug("cannot raise the mount's readahead", "err", err)
		}
	}
	return s, nil
}

// fusermountOptions are the options go-fuse would give fusermount3 for m,
// escaped for its -o list.
func fusermountOptions(m *fuse.MountOptions) []string {
	var r []string
	if m.AllowOther {
		r = append(r, "allow_other")
	}
	if m.FsName != "" {
		r = append(r, "fsname="+m.FsName)
	}
	r = append(r, "subtype="+m.Name, fmt.Sprintf("max_read=%d", m.MaxWrite))
	for i, o := range r {
		r[i] = strings.NewReplacer(`\`, `\\`, `,`, `\,`).Replace(o)
	}
	return r
}

// ReadAhead is the readahead, in bytes, that [FS.Mount] gives the mount
// when it runs as root. The kernel starts every FUSE mount at 128 KiB, so a
// sequential reader has only one or two reads in flight and the decoder
// workers wait; with a few MiB the kernel keeps several [MaxRequest] reads
// queued (up to the mount's 32 background requests). Measured on a cold
// 1.1 GiB zlib image, 4 rounds interleaved: 4 MiB 2.66-3.26 s, 8 MiB
// 2.60-2.66 s, 16 MiB 2.64-2.93 s.
const ReadAhead = 8 << 20

// setReadAhead sets the readahead of the mount at dir through sysfs. The
// kernel names a FUSE mount's backing device info after the device number
// of its superblock, which stat of the (live) mount point reports. Only
// root may write there, and the kernel offers no way to raise it in INIT:
// go-fuse's MaxReadAhead can only lower what the kernel proposes.
func setReadAhead(dir string, bytes int) error {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return err
	}
	name := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(st.Dev), unix.Minor(st.Dev))
	return os.WriteFile(name, []byte(strconv.Itoa(bytes>>10)), 0)
}

func (f *FS) fuseOptions(dir string, mo *MountOptions) *fuse.MountOptions {
	m := &fuse.MountOptions{}
	m.FsName = mo.FsName
	m.Name = mo.Subtype
	if m.Name == "" {
		m.Name = "iszmount"
	}
	m.AllowOther = mo.AllowOther
	m.Options = []string{"ro", "default_permissions"}
	m.DirectMountFlags = syscall.MS_RDONLY | syscall.MS_NOSUID | syscall.MS_NODEV
	if mo.NoExec {
		m.Options = append(m.Options, "noexec")
	}
	m.MaxWrite = MaxRequest
	m.MaxBackground = 32 // readahead requests in flight: feeds parallel decoding
	m.DisableXAttrs = true
	m.DisableSplice = true
	// A descriptor mounted by our caller may lack default_permissions
	// (see guard.go): then readlink must reach the daemon every time.
	m.EnableSymlinkCaching = !IsDevFD(dir)
	m.Debug = mo.Debug
	m.SingleThreaded = mo.SingleThreaded
	m.Logger = log.New(logWriter{f.log, slog.LevelDebug}, "", 0)
	m.PanicHandler = func(v any) fuse.Status {
		f.log.Error("internal error serving a request, answering EIO", "panic", v, "stack", string(debug.Stack()))
		return fuse.EIO
	}
	if !IsDevFD(dir) && os.Geteuid() == 0 && !mo.AutoUnmount {
		m.DirectMountStrict = true
	} // else mounted already, by our caller or by fusermount3 (see Mount)
	return m
}

// IsDevFD reports whether dir is a /dev/fd/N mount point: an open /dev/fuse
// descriptor that the caller mounted already (see [FS.Mount]). Such a mount
// cannot be unmounted by path.
func IsDevFD(dir string) bool {
	d, file := path.Split(dir)
	n, err := strconv.Atoi(file)
	return d == "/dev/fd/" && err == nil && n > 0
}

// logWriter turns go-fuse's log.Logger lines into slog records of one level:
// its diagnostics are warnings, its request trace (Debug) is debug output.
type logWriter struct {
	l     *slog.Logger
	level slog.Level
}

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Log(context.Background(), w.level, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
