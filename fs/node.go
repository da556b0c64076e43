package fs

import (
	"context"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// node is what every node of both kinds of mount embeds: its inode, the
// file system it belongs to and where its attributes come from (fixed for
// the node's life: nothing ever changes). It answers the operations that
// are the same for every node: GETATTR, ACCESS, OPEN, FLUSH and STATFS.
//
// A tree mount keeps a node for every entry the kernel has looked up, so
// the attributes are not copied into it: a tree node computes them from
// its entry when asked (attrSource), which costs a node 16 bytes, not
// 120 (a tree node is 168 bytes, was 272).
type node struct {
	fusefs.Inode
	fs    *FS
	attrs attrSource
}

// attrSource gives a node's attributes.
type attrSource interface{ attr() attrInput }

// fixedAttr is an attrSource that holds its attributes (the raw mount's
// two nodes).
type fixedAttr attrInput

func (a *fixedAttr) attr() attrInput { return attrInput(*a) }

func (n *node) attr() attrInput { return n.attrs.attr() }

// base gives the node of any node type, such as a parent's.
func (n *node) base() *node { return n }

type baser interface{ base() *node }

func (n *node) Getattr(ctx context.Context, fh fusefs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if errno := n.fs.enter(ctx); errno != 0 {
		return errno
	}
	n.fs.fillAttr(n.attr(), &out.Attr)
	return 0
}

// Access answers access(2) and chdir(2), which the kernel asks only when the
// mount lacks default_permissions (see guard.go).
func (n *node) Access(ctx context.Context, mask uint32) syscall.Errno {
	return n.fs.admit(ctx, n, mask&(rOK|wOK|xOK))
}

func (n *node) Open(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	return n.fs.open(ctx, n, flags)
}

func (n *node) Flush(ctx context.Context, fh fusefs.FileHandle) syscall.Errno {
	return syscall.ENOSYS // see FS.open
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if errno := n.fs.enter(ctx); errno != 0 {
		return errno
	}
	*out = n.fs.statfs
	return 0
}

// open answers OPEN for every regular file of both kinds of mount. Files
// need no per-open state (a read names its node, and the node knows its
// bytes), so an allowed open is answered ENOSYS: the kernel (which offers
// NO_OPEN_SUPPORT) takes that as success and from then on opens every file
// of the mount without asking, sends no RELEASE on close, and keeps each
// file's page cache across opens. Such opens lack FOPEN_NOFLUSH, so the
// nodes answer FLUSH with ENOSYS too, and the kernel stops sending it. That
// saves the round trips of opening and closing every file of a tree: warm,
// reading a file costs no request at all. When every open must be checked
// (Options.Permit, or the daemon checking permissions itself, see guard.go)
// it answers with no handle and [openFlags].
func (f *FS) open(ctx context.Context, n *node, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	if errno := f.enter(ctx); errno != 0 {
		return nil, 0, errno
	}
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0 {
		return nil, 0, syscall.EROFS
	}
	if f.opts.Permit == nil && !f.guarding(guardPerms) {
		return nil, 0, syscall.ENOSYS
	}
	if errno := f.check(ctx, n, rOK); errno != 0 {
		return nil, 0, errno
	}
	return nil, openFlags, 0
}
