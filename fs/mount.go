package fs

import (
	"context"
	"log"
	"log/slog"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// MountOptions are the mount-level settings of [FS.Mount].
type MountOptions struct {
	// FsName is the mount's source in /proc/mounts, df and findmnt; the
	// mount program passes the image path.
	FsName string
	// Subtype makes the type "fuse.<Subtype>"; the default is "iszmount".
	Subtype string
	// AllowOther lets users other than the mounting one in (kernel
	// permission checks still apply: the mount uses default_permissions).
	AllowOther bool
	// NoExec forbids executing files of the mount.
	NoExec bool
	// Debug logs every FUSE request and reply (go-fuse's debug output).
	Debug bool
}

// Mount mounts f on dir, read-only, and starts serving it. It returns once
// the kernel has accepted the mount; the returned server's Wait returns when
// the mount goes away (umount, fusermount3 -u, or server.Unmount).
//
// As root it calls mount(2) itself, so it needs no fusermount3 and mount
// errors keep their errno; otherwise it tries mount(2) (enough in a user
// namespace with CAP_SYS_ADMIN) and falls back to fusermount3. A dir of the
// form /dev/fd/N is an already open /dev/fuse descriptor mounted by the
// caller (mount.fuse3 -o drop_privileges) and is used as it is.
func (f *FS) Mount(dir string, mo *MountOptions) (*fuse.Server, error) {
	opts := f.fuseOptions(dir, mo)
	server, err := fuse.NewServer(fusefs.NewNodeFS(f.root, opts), dir, &opts.MountOptions)
	if err != nil {
		return nil, err
	}
	go server.Serve()
	if err := server.WaitMount(); err != nil {
		// The kernel mount exists (a file as mount point gets this far);
		// do not leave it behind.
		server.Unmount()
		return nil, err
	}
	f.mounted.Store(true)
	return server, nil
}

func (f *FS) fuseOptions(dir string, mo *MountOptions) *fusefs.Options {
	if mo == nil {
		mo = &MountOptions{}
	}
	timeout := CacheTimeout
	logger := log.New(logWriter{f.log, slog.LevelWarn}, "go-fuse: ", 0)
	o := &fusefs.Options{
		EntryTimeout:    &timeout,
		AttrTimeout:     &timeout,
		NegativeTimeout: &timeout,
		Logger:          logger,
		RootStableAttr:  &fusefs.StableAttr{Ino: f.rootIno},
	}
	m := &o.MountOptions
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
	m.EnableSymlinkCaching = true
	m.Debug = mo.Debug
	m.Logger = log.New(logWriter{f.log, slog.LevelDebug}, "", 0)
	m.PanicHandler = func(v any) fuse.Status {
		f.log.Error("internal error serving a request, answering EIO", "panic", v, "stack", string(debug.Stack()))
		return fuse.EIO
	}
	switch {
	case IsDevFD(dir):
		// Mounted already by our caller; mount(2) on /dev/fd/N would mount
		// on top of the /dev/fuse device node.
	case os.Geteuid() == 0:
		m.DirectMountStrict = true
	default:
		m.DirectMount = true
	}
	return o
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
