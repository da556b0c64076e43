package fs

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// Inode numbers of the two nodes of a raw mount.
const (
	rawRootIno = 1
	rawFileIno = 2
)

// NewRaw returns a file system whose root directory holds one read-only file,
// name, with the bytes of src. The root and the file carry modTime (usually
// the image file's) and belong to the mounting user unless Options.UID and
// GID say otherwise. If src is a [HoleSeeker], lseek(2) SEEK_DATA/SEEK_HOLE
// on the file report its holes.
func NewRaw(name string, src Source, modTime time.Time, opts *Options) *FS {
	const block = 2048
	f := newFS(opts, block, (src.Size()+block-1)/block)
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	file := &rawFile{fs: f, src: src, attr: attrInput{
		ino: rawFileIno, mode: syscall.S_IFREG | 0o444, size: src.Size(), nlink: 1,
		uid: uid, gid: gid, mtime: modTime,
	}}
	f.root = &rawRoot{fs: f, name: name, file: file, attr: attrInput{
		ino: rawRootIno, mode: syscall.S_IFDIR | 0o555, nlink: 2,
		uid: uid, gid: gid, mtime: modTime,
	}}
	f.rootIno = rawRootIno
	return f
}

// rawRoot is the directory of a raw mount.
type rawRoot struct {
	fusefs.Inode
	fs   *FS
	name string
	file *rawFile
	attr attrInput
}

func (n *rawRoot) OnAdd(ctx context.Context) {
	child := n.NewPersistentInode(ctx, n.file, fusefs.StableAttr{Mode: syscall.S_IFREG, Ino: rawFileIno})
	n.AddChild(n.name, child, false)
}

func (n *rawRoot) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if errno := n.fs.enter(ctx); errno != 0 {
		return errno
	}
	n.fs.fillAttr(n.attr, &out.Attr)
	return 0
}

func (n *rawRoot) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := n.fs.enter(ctx); errno != 0 {
		return nil, errno
	}
	if name != n.name {
		return nil, syscall.ENOENT
	}
	n.fs.fillAttr(n.file.attr, &out.Attr)
	return n.file.EmbeddedInode(), 0
}

func (n *rawRoot) Opendir(ctx context.Context) syscall.Errno { return n.fs.enter(ctx) }

func (n *rawRoot) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return n.fs.Statfs(ctx, out)
}

// rawFile is the one file of a raw mount.
type rawFile struct {
	fusefs.Inode
	fs   *FS
	src  Source
	attr attrInput
}

func (n *rawFile) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if errno := n.fs.enter(ctx); errno != 0 {
		return errno
	}
	n.fs.fillAttr(n.attr, &out.Attr)
	return 0
}

func (n *rawFile) Open(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	return n.fs.open(ctx, flags)
}

func (n *rawFile) Flush(ctx context.Context, fh fusefs.FileHandle) syscall.Errno {
	return syscall.ENOSYS // see FS.open
}

func (n *rawFile) Read(ctx context.Context, fh fusefs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n.fs.touch()
	return n.fs.readAt(n.EmbeddedInode(), n.src, n.attr.size, dest, off)
}

// Lseek answers SEEK_DATA and SEEK_HOLE (the kernel handles the other
// whence values itself) from the source's HoleSeeker, if it has one;
// otherwise the whole file is data.
func (n *rawFile) Lseek(ctx context.Context, fh fusefs.FileHandle, off uint64, whence uint32) (uint64, syscall.Errno) {
	n.fs.touch()
	size := n.attr.size
	if off >= uint64(size) {
		return 0, syscall.ENXIO
	}
	var seek func(int64) (int64, error)
	hs, ok := n.src.(HoleSeeker)
	switch {
	case whence == unix.SEEK_DATA && ok:
		seek = hs.SeekData
	case whence == unix.SEEK_HOLE && ok:
		seek = hs.SeekHole
	case whence == unix.SEEK_DATA:
		return off, 0
	case whence == unix.SEEK_HOLE:
		return uint64(size), 0
	default:
		return 0, syscall.EINVAL
	}
	pos, err := seek(int64(off))
	switch {
	case errors.Is(err, io.EOF):
		return 0, syscall.ENXIO
	case err != nil:
		n.fs.errs.report(n.fs.log, "/"+n.Path(nil), int64(off), 0, err)
		return 0, syscall.EIO
	}
	return uint64(pos), 0
}

func (n *rawFile) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	return n.fs.Statfs(ctx, out)
}

// open answers OPEN for every regular file of both kinds of mount. Files
// need no per-open state (a read names its node, and the node knows its
// bytes), so an allowed open is answered ENOSYS: the kernel (which offers
// NO_OPEN_SUPPORT) takes that as success and from then on opens every file
// of the mount without asking, sends no RELEASE on close, and keeps each
// file's page cache across opens. Such opens lack FOPEN_NOFLUSH, so the
// nodes answer FLUSH with ENOSYS too, and the kernel stops sending it. That
// saves the round trips of opening and closing every file of a tree: warm,
// reading a file costs no request at all. With Options.Permit every open must be
// checked, so then it answers with no handle and [openFlags].
func (f *FS) open(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	if errno := f.enter(ctx); errno != 0 {
		return nil, 0, errno
	}
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0 {
		return nil, 0, syscall.EROFS
	}
	if f.opts.Permit == nil {
		return nil, 0, syscall.ENOSYS
	}
	return nil, openFlags, 0
}
