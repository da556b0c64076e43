package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// destTree is DESTDIR of extract --files, written through directory
// descriptors. Every entry is made relative to the descriptor of its parent
// directory with the *at system calls (mkdirat, openat, symlinkat, linkat,
// renameat), so a path is never resolved again from DESTDIR: each entry
// costs a constant number of system calls however deep it lies, and no
// symlink is ever followed:
//
//   - every name is one checked path component (no "", ".", "..", "/" or
//     NUL), so nothing climbs out of its parent;
//   - directories are opened with O_NOFOLLOW|O_DIRECTORY, so a symlink or
//     a file put where a directory was fails instead of being entered;
//   - files, symlinks, hard links and FIFOs are created with calls that
//     fail with EEXIST rather than follow a symlink at the name (files
//     under a temporary name with O_EXCL|O_NOFOLLOW, then renamed over the
//     name, which replaces a symlink there instead of writing through it).
//
// An existing entry in the way is removed (a directory is kept or refused)
// unless it is one of the protected files, the image being read. A
// directory this run made itself ("fresh") holds only what the run put
// there, so nothing in it needs to be looked at before it is replaced.
//
// A destTree is used by one goroutine, except that others may use the
// descriptors of directories it holds for them (hold, release).
//
// Directory descriptors stay open for reuse, at most maxOpen of them (a
// quarter of the descriptor limit, at most maxOpenDirs); trim closes the
// oldest ones not held, between entries, and they are reopened from their
// parent when needed again.
type destTree struct {
	dirs    map[string]*destDir // by path relative to DESTDIR; "" is DESTDIR
	opened  []string            // dirs holding a descriptor, in the order they got it
	nopen   int                 // dirs holding a descriptor, DESTDIR not counted
	maxOpen int                 // see trim
	umask   uint32              // the process's: what mkdirat and openat leave out
	protect []fileID            // never replaced
	tmpfile atomic.Bool         // fresh directories get unnamed files (see open)
}

// destDir is one directory of DESTDIR that the run made or checked.
type destDir struct {
	fd    int          // -1 while closed by trim
	fresh bool         // made by this run
	refs  atomic.Int32 // holds: trim leaves the descriptor open
}

// fileID identifies a file independently of its name.
type fileID struct{ dev, ino uint64 }

const maxOpenDirs = 4096

var errDirInWay = errors.New("a directory is in the way")

// openDestTree opens the existing directory dest; the files named by
// protect (the image's) are never replaced.
func openDestTree(dest string, protect []string) (*destTree, error) {
	fd, err := unix.Open(dest, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dest, Err: err}
	}
	t := &destTree{dirs: map[string]*destDir{"": {fd: fd}}, maxOpen: maxOpenDirs}
	// Unnamed files are linked through /proc (see link), which a chroot
	// or a minimal container may not have.
	t.tmpfile.Store(unix.Access("/proc/self/fd", unix.X_OK) == nil)
	// Reading the umask means setting it; nothing else makes files yet.
	t.umask = uint32(unix.Umask(0))
	unix.Umask(int(t.umask))
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
		t.maxOpen = int(max(16, min(lim.Cur/4, maxOpenDirs)))
	}
	for _, name := range protect {
		var st unix.Stat_t
		if unix.Stat(name, &st) == nil {
			t.protect = append(t.protect, fileID{st.Dev, st.Ino})
		}
	}
	return t, nil
}

// Close closes every descriptor.
func (t *destTree) Close() {
	for _, d := range t.dirs {
		if d.fd >= 0 {
			unix.Close(d.fd)
			d.fd = -1
		}
	}
}

// trim closes the oldest directory descriptors beyond maxOpen. Call it
// only between entries (see destTree).
func (t *destTree) trim() {
	for n := len(t.opened); t.nopen > t.maxOpen && n > 0; n-- {
		rel := t.opened[0]
		t.opened = t.opened[1:]
		if d := t.dirs[rel]; d.refs.Load() > 0 {
			t.opened = append(t.opened, rel) // still in use: later
		} else {
			t.closeDir(d)
		}
	}
}

// hold keeps d's descriptor open for another goroutine until release.
func (t *destTree) hold(d *destDir) { d.refs.Add(1) }

// release ends a hold; safe for concurrent use.
func (t *destTree) release(d *destDir) { d.refs.Add(-1) }

func (t *destTree) closeDir(d *destDir) {
	if d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
		t.nopen--
	}
}

func (t *destTree) opening(rel string, d *destDir, fd int) {
	d.fd = fd
	t.nopen++
	t.opened = append(t.opened, rel)
}

// parent returns the directory holding rel, made if need be (the parents a
// PATH argument skips over get no attributes from the image), and rel's
// name in it.
func (t *destTree) parent(rel string) (*destDir, string, error) {
	dir, name := "", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir, name = rel[:i], rel[i+1:]
	}
	if name == "" || name == "." || name == ".." || strings.IndexByte(name, 0) >= 0 {
		return nil, "", fmt.Errorf("unsafe name %q in the image", name)
	}
	d, err := t.mkdir(dir)
	return d, name, err
}

// mkdir makes rel a real directory, writable while it is filled, and
// returns it with an open descriptor. An existing directory is kept (even
// one a previous extraction left read-only); anything else there (a file,
// a symlink, even one pointing to a directory) is removed first.
func (t *destTree) mkdir(rel string) (*destDir, error) {
	d := t.dirs[rel]
	if d != nil && d.fd >= 0 {
		return d, nil
	}
	p, name, err := t.parent(rel)
	if err != nil {
		return nil, err
	}
	if d != nil { // known, closed by trim: open it again
		fd, err := openDir(p.fd, name)
		if err == nil {
			t.opening(rel, d, fd)
		}
		return d, err
	}
	d = &destDir{fd: -1, fresh: true}
	err = unix.Mkdirat(p.fd, name, 0o700)
	if errors.Is(err, unix.EEXIST) {
		switch err = t.remove(p.fd, name); {
		case errors.Is(err, errDirInWay):
			d.fresh, err = false, nil
		case err == nil:
			err = unix.Mkdirat(p.fd, name, 0o700)
		}
	}
	if err != nil {
		return nil, err
	}
	fd, err := openDir(p.fd, name)
	if err != nil {
		return nil, err
	}
	t.dirs[rel] = d
	t.opening(rel, d, fd)
	if d.fresh && t.umask&0o700 == 0 {
		return d, nil // mkdirat made it 0700
	}
	return d, unix.Fchmod(fd, 0o700)
}

// openDir opens the directory name in the directory fd, never through a
// symlink.
func openDir(fd int, name string) (int, error) {
	return unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
}

// create runs mk, which makes name in d and fails with EEXIST if anything
// is there; if something is, it is removed (see remove) and mk runs again.
func (t *destTree) create(d *destDir, name string, mk func() error) error {
	err := mk()
	if errors.Is(err, unix.EEXIST) {
		if err := t.remove(d.fd, name); err != nil {
			return err
		}
		err = mk()
	}
	return err
}

// open makes a file for name in d, to be written and then given its name:
// in a directory this run made, where nothing can be in the way, an
// unnamed one (O_TMPFILE; tmp is ""), which link names; elsewhere, or on a
// file system without O_TMPFILE, one named tmp (partialName), which
// replace renames over name. Linking an unnamed file is one change to the
// directory where creating and renaming one are two, and a run killed
// mid-file leaves nothing behind.
func (t *destTree) open(d *destDir, name string, mode uint32) (fd int, tmp string, err error) {
	if d.fresh && t.tmpfile.Load() {
		fd, err = unix.Openat(d.fd, ".", unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, mode)
		if err == nil {
			return fd, "", nil
		}
		if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
			return -1, "", err
		}
		t.tmpfile.Store(false) // not on this file system: names from now on
	}
	tmp = partialName(name)
	err = t.create(d, tmp, func() (err error) {
		// A leftover of an extraction killed before it could clean up
		// is removed by create.
		fd, err = unix.Openat(d.fd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
		return err
	})
	return fd, tmp, err
}

// link gives the unnamed file fd (see open) its name in d, through
// /proc/self/fd: linking the descriptor itself (AT_EMPTY_PATH) needs
// CAP_DAC_READ_SEARCH. Something another process put there meanwhile is
// replaced, as create replaces.
func (t *destTree) link(fd int, d *destDir, name string) error {
	self := "/proc/self/fd/" + strconv.Itoa(fd)
	return t.create(d, name, func() error { return unix.Linkat(unix.AT_FDCWD, self, d.fd, name, unix.AT_SYMLINK_FOLLOW) })
}

// replace renames the file tmp in d over name, which the rename replaces
// (a symlink there is replaced, not followed). In a directory the run did
// not make, name is checked first: a directory is in the way, and a
// protected file is never replaced.
func (t *destTree) replace(d *destDir, tmp, name string) error {
	if !d.fresh {
		if err := t.removable(d.fd, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return unix.Renameat(d.fd, tmp, d.fd, name)
}

// remove deletes the non-directory name in the directory fd, if it may
// (see removable).
func (t *destTree) remove(fd int, name string) error {
	if err := t.removable(fd, name); err != nil {
		return err
	}
	return unix.Unlinkat(fd, name, 0)
}

// removable checks that name in the directory fd may be removed: it exists
// (else fs.ErrNotExist), is not a directory (errDirInWay) and is not a
// protected file.
func (t *destTree) removable(fd int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fs.ErrNotExist
		}
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return errDirInWay
	}
	for _, p := range t.protect {
		if p == (fileID{st.Dev, st.Ino}) {
			return fmt.Errorf("refusing to replace the image being read")
		}
	}
	return nil
}

// fdWriter writes to a descriptor without the os.File machinery (which
// registers every new file with the poller: two wasted system calls per
// extracted file).
type fdWriter int

func (w fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Write(int(w), p[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// setAttrs gives the open file or directory fd mode (see disc.PermBits), unless
// chmod is false (it has it already), and the access and modification
// times at and mt (unchanged when mt is zero).
func setAttrs(fd int, mode uint32, chmod bool, at, mt time.Time) error {
	if chmod {
		if err := unix.Fchmod(fd, mode); err != nil {
			return err
		}
	}
	if mt.IsZero() {
		return nil
	}
	return futimens(fd, at, mt)
}

// futimens sets the times of the open file fd: utimensat(2) with a NULL
// path, which x/sys/unix does not offer (an empty path is not NULL).
func futimens(fd int, at, mt time.Time) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(at.UnixNano()), unix.NsecToTimespec(mt.UnixNano())}
	_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
