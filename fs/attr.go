package fs

import (
	iofs "io/fs"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
)

// unixMode converts an io/fs mode (type bits and permissions) to the
// st_mode of stat(2).
func unixMode(m iofs.FileMode) uint32 {
	mode := disc.PermBits(m)
	switch {
	case m&iofs.ModeDir != 0:
		mode |= syscall.S_IFDIR
	case m&iofs.ModeSymlink != 0:
		mode |= syscall.S_IFLNK
	case m&iofs.ModeCharDevice != 0:
		mode |= syscall.S_IFCHR
	case m&iofs.ModeDevice != 0:
		mode |= syscall.S_IFBLK
	case m&iofs.ModeNamedPipe != 0:
		mode |= syscall.S_IFIFO
	case m&iofs.ModeSocket != 0:
		mode |= syscall.S_IFSOCK
	default:
		mode |= syscall.S_IFREG
	}
	return mode
}

// applyMasks applies Options.Umask, Fmask and Dmask to a stat(2) mode.
// Symlinks keep theirs: their permissions mean nothing on Linux.
func (o *Options) applyMasks(mode uint32) uint32 {
	var clear uint32
	switch mode & syscall.S_IFMT {
	case syscall.S_IFLNK:
		return mode
	case syscall.S_IFDIR:
		clear = o.Umask | o.Dmask
	default:
		clear = o.Umask | o.Fmask
	}
	return mode &^ (clear & 07777)
}

// owner applies Options.UID and GID.
func (o *Options) owner(uid, gid uint32) (uint32, uint32) {
	if o.UID != nil {
		uid = *o.UID
	}
	if o.GID != nil {
		gid = *o.GID
	}
	return uid, gid
}

// fuseRdev encodes a device number (as made by unix.Mkdev) the way the FUSE
// protocol carries it: the kernel's 32-bit "new" dev_t encoding.
func fuseRdev(dev uint64) uint32 {
	major, minor := unix.Major(dev), unix.Minor(dev)
	return minor&0xff | major<<8 | (minor&^0xff)<<12
}

// attrInput is what fillAttr and the permission checks need of an entry.
type attrInput struct {
	ino                 uint64
	mode                uint32 // stat(2) mode, before masks
	size                int64
	nlink               uint32
	uid, gid            uint32
	rdev                uint64
	atime, mtime, ctime time.Time
}

// attrOf is what fillAttr needs of entry e.
func (f *FS) attrOf(e disc.Entry) attrInput {
	return attrInput{
		ino:   f.ino(e),
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

// ino is the inode number stat(2) and readdir(3) report for e: its on-disc
// identity. Zero, which readdir(3) would take for a deleted entry, becomes
// the protocol's "unknown".
func (f *FS) ino(e disc.Entry) uint64 {
	if ino := e.Inode(); ino != 0 {
		return ino
	}
	return fuse.FUSE_UNKNOWN_INO
}

// fillAttr fills the attributes the kernel gets for e.
func (f *FS) fillAttr(e disc.Entry, out *fuse.Attr) {
	in := f.attrOf(e)
	out.Ino = in.ino
	out.Mode = f.present(in.mode)
	if out.Mode&syscall.S_IFMT != in.mode&syscall.S_IFMT {
		in.size, in.rdev = 0, 0 // a device node shown as an empty file
	}
	out.Size = uint64(in.size)
	out.Blocks = (uint64(in.size) + 511) / 512
	out.Blksize = 4096
	out.Nlink = max(in.nlink, 1)
	out.Uid, out.Gid = f.opts.owner(in.uid, in.gid)
	out.Rdev = fuseRdev(in.rdev)
	mtime := in.mtime
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}
	atime, ctime := in.atime, in.ctime
	if atime.IsZero() {
		atime = mtime
	}
	if ctime.IsZero() {
		ctime = mtime
	}
	out.SetTimes(&atime, &mtime, &ctime)
}
