package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/iszmount/iszmount/disc"
)

// NewTree returns a file system that serves the directory tree t, of
// either file system (see package disc).
func NewTree(t *disc.Tree, opts *Options) *FS {
	bs := int64(t.BlockSize())
	if bs <= 0 {
		bs = 2048
	}
	f := newFS(opts, bs, t.Blocks())
	root := newTreeNode(f, t.Root())
	f.root = root
	f.rootIno = stableIno(root.e.Inode())
	return f
}

// treeNode is one entry of the disc tree: directory, file, symlink or
// device. Hard links are one treeNode reached by several names, because
// go-fuse merges nodes with equal inode numbers. The entry is an interface
// value of two words (the reader's entry pointer and its adapter's type).
type treeNode struct {
	node
	e disc.Entry
}

func newTreeNode(f *FS, e disc.Entry) *treeNode {
	n := &treeNode{node: node{fs: f}, e: e}
	n.attrs = n
	return n
}

// attr computes the node's attributes from its entry.
func (n *treeNode) attr() attrInput {
	e := n.e
	return attrInput{
		ino:   stableIno(e.Inode()),
		mode:  unixMode(e.Mode()),
		size:  e.Size(),
		nlink: e.Nlink(),
		uid:   e.UID(),
		gid:   e.GID(),
		rdev:  e.Rdev(),
		atime: e.AccessTime(),
		mtime: e.ModTime(),
		ctime: e.ChangeTime(),
	}
}

func (n *treeNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	if errno := n.fs.admit(ctx, &n.node, xOK); errno != 0 {
		return nil, errno
	}
	if ch := n.GetChild(name); ch != nil {
		if tn, ok := ch.Operations().(*treeNode); ok {
			n.fs.fillAttr(tn.attr(), &out.Attr)
			return ch, 0
		}
	}
	e, err := n.e.Lookup(name)
	if err != nil {
		return nil, n.fs.treeErrno(n, err)
	}
	child := newTreeNode(n.fs, e)
	a := child.attr()
	n.fs.fillAttr(a, &out.Attr)
	return n.NewInode(ctx, child, fusefs.StableAttr{Mode: n.fs.present(a.mode) & syscall.S_IFMT, Ino: a.ino}), 0
}

// OpendirHandle lists the directory once per open from the parsed tree and
// lets the kernel cache the listing (FOPEN_CACHE_DIR).
func (n *treeNode) OpendirHandle(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	if errno := n.fs.admit(ctx, &n.node, rOK); errno != 0 {
		return nil, 0, errno
	}
	list, err := n.e.ReadDir()
	if err != nil {
		return nil, 0, n.fs.treeErrno(n, err)
	}
	self := n.StableAttr().Ino
	parent := self
	if _, p := n.Parent(); p != nil {
		parent = p.StableAttr().Ino
	}
	ents := make([]fuse.DirEntry, 0, len(list)+2)
	ents = append(ents,
		fuse.DirEntry{Name: ".", Mode: syscall.S_IFDIR, Ino: self},
		fuse.DirEntry{Name: "..", Mode: syscall.S_IFDIR, Ino: parent})
	for _, e := range list {
		ents = append(ents, fuse.DirEntry{
			Name: e.Name(),
			Mode: n.fs.present(unixMode(e.Mode())) & syscall.S_IFMT,
			Ino:  stableIno(e.Inode()),
		})
	}
	return &dirHandle{ents: ents}, fuse.FOPEN_CACHE_DIR | fuse.FOPEN_KEEP_CACHE, 0
}

func (n *treeNode) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	if errno := n.fs.admit(ctx, &n.node, 0); errno != 0 {
		return nil, errno
	}
	return []byte(n.e.Target()), 0
}

// Read serves a read of a regular file. There is no file handle (see
// [FS.open]); opening an entry's reader is cheap (a zisofs file's block
// table is parsed once per entry). A device node shown as an empty file
// (see guard.go) reads as empty.
func (n *treeNode) Read(ctx context.Context, fh fusefs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n.fs.touch()
	if n.e.Mode()&iofs.ModeType != 0 {
		return fuse.ReadResultData(nil), 0
	}
	r, err := n.e.Open()
	if err != nil {
		return nil, n.fs.treeErrno(n, err)
	}
	return n.fs.readAt(n.EmbeddedInode(), r, n.e.Size(), dest, off)
}

// treeErrno maps a reader's error for node n to an errno: a missing name
// is ENOENT, anything else (a corrupt directory, a failed read of the image)
// EIO with one log line.
func (f *FS) treeErrno(n *treeNode, err error) syscall.Errno {
	if errors.Is(err, iofs.ErrNotExist) {
		return syscall.ENOENT
	}
	f.errs.report(f.log, "/"+n.Path(nil), 0, 0, err)
	return syscall.EIO
}

// dirHandle is an open directory: a fixed listing. Offsets are positions in
// the listing, so seekdir/telldir work.
type dirHandle struct {
	ents []fuse.DirEntry
	next int
}

func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if d.next >= len(d.ents) {
		return nil, 0
	}
	e := d.ents[d.next]
	d.next++
	e.Off = uint64(d.next)
	return &e, 0
}

func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if off > uint64(len(d.ents)) {
		return syscall.EINVAL
	}
	d.next = int(off)
	return 0
}

func (d *dirHandle) Releasedir(ctx context.Context, releaseFlags uint32) {}
