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
	file := &rawFile{node: node{fs: f, attrs: &fixedAttr{
		ino: rawFileIno, mode: syscall.S_IFREG | 0o444, size: src.Size(), nlink: 1,
		uid: uid, gid: gid, mtime: modTime,
	}}, src: src}
	f.root = &rawRoot{node: node{fs: f, attrs: &fixedAttr{
		ino: rawRootIno, mode: syscall.S_IFDIR | 0o555, nlink: 2,
		uid: uid, gid: gid, mtime: modTime,
	}}, name: name, file: file}
	f.rootIno = rawRootIno
	return f
}

// rawRoot is the directory of a raw mount.
type rawRoot struct {
	node
	name string
	file *rawFile
}

func (n *rawRoot) OnAdd(ctx context.Context) {
	child := n.NewPersistentInode(ctx, n.file, fusefs.StableAttr{Mode: syscall.S_IFREG, Ino: rawFileIno})
	n.AddChild(n.name, child, false)
}

func (n *rawRoot) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := n.fs.admit(ctx, &n.node, xOK); errno != 0 {
		return nil, errno
	}
	if name != n.name {
		return nil, syscall.ENOENT
	}
	n.fs.fillAttr(n.file.attr(), &out.Attr)
	return n.file.EmbeddedInode(), 0
}

func (n *rawRoot) Opendir(ctx context.Context) syscall.Errno {
	return n.fs.admit(ctx, &n.node, rOK)
}

// rawFile is the one file of a raw mount.
type rawFile struct {
	node
	src Source
}

func (n *rawFile) Read(ctx context.Context, fh fusefs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n.fs.touch()
	return n.fs.readAt(n.EmbeddedInode(), n.src, n.src.Size(), dest, off)
}

// Lseek answers SEEK_DATA and SEEK_HOLE (the kernel handles the other
// whence values itself) from the source's HoleSeeker, if it has one;
// otherwise the whole file is data.
func (n *rawFile) Lseek(ctx context.Context, fh fusefs.FileHandle, off uint64, whence uint32) (uint64, syscall.Errno) {
	n.fs.touch()
	size := n.src.Size()
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
