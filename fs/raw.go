package fs

import (
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"time"

	"github.com/iszmount/iszmount/disc"
)

// Inode numbers of the two entries of a raw mount.
const (
	rawRootIno = 1
	rawFileIno = 2
)

// NewRaw returns a file system whose root directory holds one read-only file,
// name, with the bytes of src. The root and the file carry modTime (usually
// the image file's) and belong to the mounting user unless Options.UID and
// GID say otherwise. If src is a [HoleSeeker], lseek(2) SEEK_DATA/SEEK_HOLE
// on the file report its holes.
//
// The two are served as a tree of two entries, by the same code as a disc's
// tree.
func NewRaw(name string, src Source, modTime time.Time, opts *Options) *FS {
	const block = 2048
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	root := &rawEntry{name: ".", mode: iofs.ModeDir | 0o555, ino: rawRootIno, uid: uid, gid: gid, mtime: modTime}
	root.file = &rawEntry{name: name, parent: root, mode: 0o444, ino: rawFileIno, uid: uid, gid: gid, mtime: modTime, src: src}
	return newFS(root, opts, block, (src.Size()+block-1)/block)
}

// rawEntry is the root or the file of a raw mount.
type rawEntry struct {
	name     string
	parent   *rawEntry // nil for the root
	file     *rawEntry // the root's one file
	src      Source    // the file's bytes
	mode     iofs.FileMode
	ino      uint64
	uid, gid uint32
	mtime    time.Time
}

var errRawNotDir = errors.New("not a directory")

func (e *rawEntry) Name() string          { return e.name }
func (e *rawEntry) Mode() iofs.FileMode   { return e.mode }
func (e *rawEntry) IsDir() bool           { return e.mode.IsDir() }
func (e *rawEntry) Inode() uint64         { return e.ino }
func (e *rawEntry) Index() int            { return 0 }
func (e *rawEntry) UID() uint32           { return e.uid }
func (e *rawEntry) GID() uint32           { return e.gid }
func (e *rawEntry) HasOwner() bool        { return true }
func (e *rawEntry) Rdev() uint64          { return 0 }
func (e *rawEntry) ModTime() time.Time    { return e.mtime }
func (e *rawEntry) AccessTime() time.Time { return e.mtime }
func (e *rawEntry) ChangeTime() time.Time { return e.mtime }
func (e *rawEntry) Target() string        { return "" }
func (e *rawEntry) Info() iofs.FileInfo   { return rawInfo{e} }

func (e *rawEntry) Path() string {
	if e.parent == nil {
		return ""
	}
	return e.name
}

func (e *rawEntry) Parent() disc.Entry {
	if e.parent == nil {
		return nil
	}
	return e.parent
}

func (e *rawEntry) Size() int64 {
	if e.src == nil {
		return 0
	}
	return e.src.Size()
}

func (e *rawEntry) Nlink() uint32 {
	if e.IsDir() {
		return 2
	}
	return 1
}

func (e *rawEntry) ReadDir() ([]disc.Entry, error) {
	if e.file == nil {
		return nil, errRawNotDir
	}
	return []disc.Entry{e.file}, nil
}

func (e *rawEntry) Child(i int) (disc.Entry, error) {
	if e.file == nil {
		return nil, errRawNotDir
	}
	if i != 0 {
		return nil, iofs.ErrNotExist
	}
	return e.file, nil
}

func (e *rawEntry) Lookup(name string) (disc.Entry, error) {
	if e.file == nil {
		return nil, errRawNotDir
	}
	if name != e.file.name {
		return nil, iofs.ErrNotExist
	}
	return e.file, nil
}

func (e *rawEntry) Open() (io.ReaderAt, error) {
	if e.src == nil {
		return nil, iofs.ErrInvalid
	}
	return e.src, nil
}

// rawInfo is a raw entry's fs.FileInfo.
type rawInfo struct{ e *rawEntry }

func (i rawInfo) Name() string        { return i.e.name }
func (i rawInfo) Size() int64         { return i.e.Size() }
func (i rawInfo) Mode() iofs.FileMode { return i.e.mode }
func (i rawInfo) ModTime() time.Time  { return i.e.mtime }
func (i rawInfo) IsDir() bool         { return i.e.IsDir() }
func (i rawInfo) Sys() any            { return i.e }
