package fs

import (
	"errors"
	"io"
	iofs "io/fs"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
)

// The FUSE requests a mount answers, on go-fuse's raw protocol API: every
// request names an inode by node ID (see inodeTable), and the entry is found
// again from the tree for each. Anything not answered here gets go-fuse's
// ENOSYS; writes never arrive, as the mount is read-only.

func (f *FS) String() string { return "iszmount" }

// entry returns the entry of node ID id, found from the root by its listing
// positions. visit, if not nil, is called with each directory above it,
// root first (the permission check); a non-zero errno from it is returned.
func (f *FS) entry(id uint64, visit func(disc.Entry) syscall.Errno) (disc.Entry, syscall.Errno) {
	var buf [32]uint32
	path, ok := f.inodes.path(id, buf[:0])
	if !ok {
		return nil, syscall.ESTALE
	}
	e := f.root
	for _, i := range path {
		if visit != nil {
			if errno := visit(e); errno != 0 {
				return nil, errno
			}
		}
		child, err := e.Child(int(i))
		if err != nil {
			return nil, f.treeErrno(e, err)
		}
		e = child
	}
	return e, 0
}

// admit is [FS.enter], then [FS.entry] of the request's node with the
// caller's permission for mask checked (see guard.go).
func (f *FS) admit(h *fuse.InHeader, mask uint32) (disc.Entry, syscall.Errno) {
	if errno := f.enter(&h.Caller); errno != 0 {
		return nil, errno
	}
	if !f.guarding(guardPerms) {
		return f.entry(h.NodeId, nil)
	}
	who := &caller{uid: h.Uid, gid: h.Gid, pid: h.Pid}
	e, errno := f.entry(h.NodeId, func(dir disc.Entry) syscall.Errno { return f.permit(who, dir, xOK) })
	if errno != 0 {
		return nil, errno
	}
	return e, f.permit(who, e, mask)
}

// treeErrno maps a reader's error about entry e to an errno: a missing name
// is ENOENT, anything else (a corrupt directory, a failed read of the image)
// EIO with one log line.
func (f *FS) treeErrno(e disc.Entry, err error) syscall.Errno {
	if errors.Is(err, iofs.ErrNotExist) {
		return syscall.ENOENT
	}
	f.errs.report(f.log, "/"+e.Path(), 0, 0, err)
	return syscall.EIO
}

// fillEntry fills a LOOKUP or READDIRPLUS reply for entry e of node ID id.
func (f *FS) fillEntry(id uint64, e disc.Entry, out *fuse.EntryOut) {
	out.NodeId = id
	out.SetEntryTimeout(CacheTimeout)
	out.SetAttrTimeout(CacheTimeout)
	f.fillAttr(e, &out.Attr)
}

func (f *FS) Lookup(cancel <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	dir, errno := f.admit(h, xOK)
	if errno != 0 {
		return fuse.Status(errno)
	}
	f.plus.lookup(h.Pid, h.NodeId)
	if !dir.IsDir() {
		return fuse.ENOTDIR
	}
	e, err := dir.Lookup(name)
	if errors.Is(err, iofs.ErrNotExist) {
		// Node ID 0 with a timeout: the kernel caches the miss.
		out.NodeId = 0
		out.SetEntryTimeout(CacheTimeout)
		return fuse.OK
	}
	if err != nil {
		return fuse.Status(f.treeErrno(dir, err))
	}
	id := f.inodes.ref(h.NodeId, e.Index())
	if id == 0 {
		return fuse.Status(syscall.ENOMEM)
	}
	f.fillEntry(id, e, out)
	return fuse.OK
}

func (f *FS) Forget(id, nlookup uint64) { f.inodes.forget(id, nlookup) }

func (f *FS) GetAttr(cancel <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	if errno := f.enter(&in.Caller); errno != 0 {
		return fuse.Status(errno)
	}
	e, errno := f.entry(in.NodeId, nil)
	if errno != 0 {
		return fuse.Status(errno)
	}
	out.SetTimeout(CacheTimeout)
	f.fillAttr(e, &out.Attr)
	return fuse.OK
}

// Access answers access(2) and chdir(2), which the kernel asks only when the
// mount lacks default_permissions (see guard.go).
func (f *FS) Access(cancel <-chan struct{}, in *fuse.AccessIn) fuse.Status {
	_, errno := f.admit(&in.InHeader, in.Mask&(rOK|wOK|xOK))
	return fuse.Status(errno)
}

// Open answers OPEN for every regular file. Files need no per-open state (a
// read names its node ID, which names the entry), so an allowed open is
// answered ENOSYS: the kernel (which offers NO_OPEN_SUPPORT) takes that as
// success and from then on opens every file of the mount without asking,
// sends no RELEASE on close, and keeps each file's page cache across opens.
// Such opens lack FOPEN_NOFLUSH, so FLUSH is answered ENOSYS too (see Flush),
// and the kernel stops sending it. That saves the round trips of opening and
// closing every file of a tree: warm, reading a file costs no
// request at all. When every open must be checked (Options.Permit, or the
// daemon checking permissions itself, see guard.go) it answers with no
// handle and [openFlags].
func (f *FS) Open(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	if in.Flags&syscall.O_ACCMODE != syscall.O_RDONLY || in.Flags&syscall.O_TRUNC != 0 {
		return fuse.EROFS
	}
	if f.opts.Permit == nil && !f.guarding(guardPerms) {
		f.touch()
		return fuse.ENOSYS
	}
	if _, errno := f.admit(&in.InHeader, rOK); errno != 0 {
		return fuse.Status(errno)
	}
	out.OpenFlags = openFlags
	return fuse.OK
}

// Flush answers ENOSYS, which the kernel remembers (see Open).
func (f *FS) Flush(cancel <-chan struct{}, in *fuse.FlushIn) fuse.Status { return fuse.ENOSYS }

// Read serves a read of a regular file. Opening an entry's reader is cheap
// (readers keep what they need to read a file once they have parsed it). A
// device node shown as an empty file (see guard.go) reads as empty.
func (f *FS) Read(cancel <-chan struct{}, in *fuse.ReadIn, buf []byte) (fuse.ReadResult, fuse.Status) {
	f.touch()
	e, errno := f.entry(in.NodeId, nil)
	if errno != 0 {
		return nil, fuse.Status(errno)
	}
	if e.Mode()&iofs.ModeType != 0 {
		return fuse.ReadResultData(nil), fuse.OK
	}
	r, err := e.Open()
	if err != nil {
		return nil, fuse.Status(f.treeErrno(e, err))
	}
	if int(in.Size) < len(buf) {
		buf = buf[:in.Size]
	}
	return f.readAt(e, r, buf, int64(in.Offset))
}

// Lseek answers SEEK_DATA and SEEK_HOLE (the kernel handles the other
// whence values itself) from the file's reader if it is a [HoleSeeker] (a
// raw mount's image); otherwise the whole file is data.
func (f *FS) Lseek(cancel <-chan struct{}, in *fuse.LseekIn, out *fuse.LseekOut) fuse.Status {
	f.touch()
	e, errno := f.entry(in.NodeId, nil)
	if errno != 0 {
		return fuse.Status(errno)
	}
	size, off := e.Size(), in.Offset
	if off >= uint64(size) {
		return fuse.Status(syscall.ENXIO)
	}
	r, err := e.Open()
	if err != nil {
		return fuse.Status(f.treeErrno(e, err))
	}
	hs, ok := r.(HoleSeeker)
	var seek func(int64) (int64, error)
	switch {
	case in.Whence == unix.SEEK_DATA && ok:
		seek = hs.SeekData
	case in.Whence == unix.SEEK_HOLE && ok:
		seek = hs.SeekHole
	case in.Whence == unix.SEEK_DATA:
		out.Offset = off
		return fuse.OK
	case in.Whence == unix.SEEK_HOLE:
		out.Offset = uint64(size)
		return fuse.OK
	default:
		return fuse.EINVAL
	}
	pos, err := seek(int64(off))
	switch {
	case errors.Is(err, io.EOF):
		return fuse.Status(syscall.ENXIO)
	case err != nil:
		f.errs.report(f.log, "/"+e.Path(), int64(off), 0, err)
		return fuse.EIO
	}
	out.Offset = uint64(pos)
	return fuse.OK
}

func (f *FS) Readlink(cancel <-chan struct{}, h *fuse.InHeader) ([]byte, fuse.Status) {
	e, errno := f.admit(h, 0)
	if errno != 0 {
		return nil, fuse.Status(errno)
	}
	if e.Mode()&iofs.ModeSymlink == 0 {
		return nil, fuse.EINVAL
	}
	return []byte(e.Target()), fuse.OK
}

// OpenDir answers ENOSYS, as Open does and for the same reason: a listing
// needs no handle (a READDIR offset is a position in the directory's
// listing, which the reader gives the same every time). The kernel then
// stops sending OPENDIR and RELEASEDIR for good, which saves find(1) one
// of its three round trips per directory, and it keeps every listing it
// has read (as FOPEN_CACHE_DIR would), so a listing read again costs no
// request at all. When opens are checked (Options.Permit, or the daemon
// checking permissions itself, see guard.go) every OPENDIR is answered, and
// only listings answered in full are left in the kernel's cache (see
// plusPolicy). So it is under MountOptions.AutoUnmount: fusermount3 tells a
// dead mount from a live one by opening the mount point's directory, which
// fails with ENOTCONN only if the kernel sends OPENDIR (TestAutoUnmount).
func (f *FS) OpenDir(cancel <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	if f.opts.Permit == nil && !f.guarding(guardPerms) && !f.opendir {
		f.touch()
		return fuse.ENOSYS
	}
	e, errno := f.admit(&in.InHeader, rOK)
	if errno != 0 {
		return fuse.Status(errno)
	}
	if !e.IsDir() {
		return fuse.ENOTDIR
	}
	if f.plus.knows(in.Pid) {
		out.OpenFlags = fuse.FOPEN_CACHE_DIR | fuse.FOPEN_KEEP_CACHE
	}
	return fuse.OK
}

func (f *FS) ReleaseDir(in *fuse.ReleaseIn) {}

func (f *FS) ReadDir(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	return f.readDir(in, out, false, false)
}

func (f *FS) ReadDirPlus(cancel <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	return f.readDir(in, out, true, f.plus.full(in.Pid, in.NodeId))
}

// readDir lists a directory from offset in.Offset: 0 is ".", 1 "..", and
// 2+i the listing's entry i. A READDIRPLUS (readdirplus) answered in full
// (plus, see plusPolicy) gives each entry but the dots its node ID and
// attributes; otherwise only directories get them, and other entries node
// ID 0.
func (f *FS) readDir(in *fuse.ReadIn, out *fuse.DirEntryList, readdirplus, plus bool) fuse.Status {
	f.touch()
	dir, errno := f.entry(in.NodeId, nil)
	if errno != 0 {
		return fuse.Status(errno)
	}
	add := func(e fuse.DirEntry) *fuse.EntryOut {
		if readdirplus {
			return out.AddDirLookupEntry(e)
		}
		if out.AddDirEntry(e) {
			return &fuse.EntryOut{}
		}
		return nil
	}
	for off := in.Offset; ; off++ {
		var de fuse.DirEntry
		var e disc.Entry
		switch off {
		case 0, 1:
			self := dir
			if p := dir.Parent(); off == 1 && p != nil {
				self = p
			}
			de = fuse.DirEntry{Name: ".."[:off+1], Mode: syscall.S_IFDIR, Ino: f.ino(self)}
		default:
			child, err := dir.Child(int(off - 2))
			if errors.Is(err, iofs.ErrNotExist) {
				return fuse.OK // the end
			}
			if err != nil {
				return fuse.Status(f.treeErrno(dir, err))
			}
			e = child
			de = fuse.DirEntry{Name: e.Name(), Mode: f.present(unixMode(e.Mode())) & syscall.S_IFMT, Ino: f.ino(e)}
		}
		de.Off = off + 1
		eo := add(de)
		if eo == nil {
			return fuse.OK // the reply is full
		}
		if e != nil && readdirplus && (plus || e.IsDir()) {
			if id := f.inodes.ref(in.NodeId, int(off-2)); id != 0 {
				f.fillEntry(id, e, eo)
			} // else left without attributes, as if not in full
		}
	}
}

func (f *FS) StatFs(cancel <-chan struct{}, h *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	if errno := f.enter(&h.Caller); errno != 0 {
		return fuse.Status(errno)
	}
	*out = f.statfs
	return fuse.OK
}

// readAt fills dest from r at off for entry e. It clamps the request to the
// file, and it never returns a short read before the end of the file: any
// error there becomes EIO (see the package doc, Errors).
func (f *FS) readAt(e disc.Entry, r io.ReaderAt, dest []byte, off int64) (fuse.ReadResult, fuse.Status) {
	size := e.Size()
	if off < 0 {
		return nil, fuse.EINVAL
	}
	if off >= size {
		return fuse.ReadResultData(nil), fuse.OK
	}
	if rest := size - off; int64(len(dest)) > rest {
		dest = dest[:rest]
	}
	n, err := r.ReadAt(dest, off)
	if n == len(dest) && (err == nil || err == io.EOF) {
		return fuse.ReadResultData(dest), fuse.OK
	}
	if err == nil {
		err = io.ErrUnexpectedEOF // a ReaderAt must not do this, but be safe
	}
	f.errs.report(f.log, "/"+e.Path(), off, len(dest), err)
	return nil, fuse.EIO
}
