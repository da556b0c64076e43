package iso9660view

import (
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"
)

const (
	// maxDepth bounds directory nesting. Rock Ridge relocation allows any
	// depth, but a path of more than 1024 components exceeds PATH_MAX.
	maxDepth = 1024
	// maxDirEntries bounds one directory, so that a hostile directory size
	// cannot make us build millions of entries.
	maxDirEntries = 1 << 20
	// dirReadSize is how much of a directory is read per ReadAt.
	dirReadSize = 32 * sectorSize
)

// Entry is one file, directory, symlink or device in the tree. Entries are
// immutable once returned and shared between callers.
//
// A listing cache keeps up to Options.DirCache of parsed entries, so an
// Entry is laid out to be small, 128 bytes: times are packed (see
// discfs.Stamps), the owner needs no flag (discfs.Owner), what only some
// entries have is in entryExtra, its one extent is held in place, the
// image is reached through the parent directory, and a directory is
// searched by binary search in its sorted listing rather than through a
// map.
type Entry struct {
	parent *Entry // nil for the root
	name   string
	ino    uint64

	times discfs.Stamps // 40 bytes
	mode  fs.FileMode
	index uint32       // in the parent's listing (Index)
	owner discfs.Owner // Rock Ridge's PX, else none
	x     *entryExtra  // symlinks, devices, zisofs and multi-extent files, hard links, damaged entries

	// ext is a file's data or a directory's own extent; a multi-extent
	// file's first, all of them in x.exts (see extents).
	ext [1]extent

	dir *dirState // directories only
}

// entryExtra holds what only some entries have, so that the others do not
// pay for it.
type entryExtra struct {
	target string      // symlinks
	rdev   uint64      // devices
	zf     *zisofsFile // zisofs-compressed regular files
	nlink  uint32      // files with data whose Rock Ridge PX records several names
	exts   []extent    // multi-extent files: all their extents
	err    error       // why the entry cannot be read, found while listing its parent
}

// fault is why the entry cannot be read (its data or listing), found while
// listing its parent; nil for a sound entry.
func (e *Entry) fault() error {
	if e.x == nil {
		return nil
	}
	return e.x.err
}

// extra returns e.x, allocating it on first use (while building e).
func (e *Entry) extra() *entryExtra {
	if e.x == nil {
		e.x = new(entryExtra)
	}
	return e.x
}

// zisofs returns the zisofs part of a compressed file, else nil.
func (e *Entry) zisofs() *zisofsFile {
	if e.x == nil {
		return nil
	}
	return e.x.zf
}

// zisofsFile is the zisofs part of an entry.
type zisofsFile struct {
	zf     zfEntry
	once   sync.Once
	reader *zisofsReader
	err    error
}

// dirState is a directory's listing, read on first use, how many of its
// records were hidden because Rock Ridge relocated them (RE), and the
// image, which its entries reach through it (image).
type dirState struct {
	discfs.Dir[*Entry]
	relocated int
	im        *Image
}

// image returns the image holding e: its own directory's, or its
// parent's, which every entry but the root has.
func (e *Entry) image() *Image {
	if e.dir != nil {
		return e.dir.im
	}
	return e.parent.dir.im
}

// extents returns the entry's data extents (a directory's own): ext, or a
// multi-extent file's list.
func (e *Entry) extents() []extent {
	if e.x != nil && e.x.exts != nil {
		return e.x.exts
	}
	return e.ext[:]
}

// Name returns the entry's name in its directory ("." for the root).
func (e *Entry) Name() string { return e.name }

// Mode returns the type bits and permissions: Rock Ridge's, or 0555 for
// directories and 0444 for files without Rock Ridge.
func (e *Entry) Mode() fs.FileMode { return e.mode }

// Size returns the size in bytes: the uncompressed size of a regular file
// (zisofs decoded), the length of a symlink's target, the length of a
// directory's extent.
func (e *Entry) Size() int64 {
	switch {
	case e.zisofs() != nil:
		return e.x.zf.zf.size
	case e.mode&fs.ModeSymlink != 0:
		return int64(len(e.Target()))
	case e.mode.IsRegular() || e.IsDir():
		return e.dataSize()
	}
	return 0
}

// Inode returns a stable inode number derived from on-disc identity: the
// byte offset of a directory's extent, of a non-empty file's first data
// block (so hard links, which share data, share the number), or of the
// directory record of an empty file, symlink or device (mastering tools
// point all empty files at one dummy extent, which must not merge them).
func (e *Entry) Inode() uint64 { return e.ino }

// Nlink returns the number of hard links: 2 plus the number of
// subdirectories for a directory (reading it if needed); for a non-empty
// file, the link count of its Rock Ridge PX entry, or without one the
// number of names sharing its data (the first such call reads every
// directory of the image); else 1.
func (e *Entry) Nlink() uint32 {
	switch {
	case e.IsDir():
		return discfs.DirNlink(e.load)
	case !e.hasData():
		return 1
	case e.x != nil && e.x.nlink > 1:
		return e.x.nlink
	case e.hasPX():
		return 1
	}
	return e.image().nlinkOf(e.ino)
}

// hasPX reports whether Rock Ridge recorded the entry's POSIX attributes
// (mode, link count, owner), which come together in its PX entry.
func (e *Entry) hasPX() bool { return e.owner.Recorded() }

// UID and GID return the owner recorded by Rock Ridge, or 0.
func (e *Entry) UID() uint32 { return e.owner.UID() }

// GID returns the group recorded by Rock Ridge, or 0.
func (e *Entry) GID() uint32 { return e.owner.GID() }

// HasOwner reports whether Rock Ridge recorded the owner and group (a PX
// entry saying (uid_t)-1 counts as none).
func (e *Entry) HasOwner() bool { return e.owner.Recorded() }

// Rdev returns a device's number as a Linux dev_t (syscall.Stat_t.Rdev
// encoding), from the Rock Ridge PN entry.
func (e *Entry) Rdev() uint64 {
	if e.x == nil {
		return 0
	}
	return e.x.rdev
}

// ModTime returns the Rock Ridge modification time, else the recording
// date of the directory record. Unrecorded dates are the zero time.
func (e *Entry) ModTime() time.Time { return e.times.Get(discfs.MTime) }

// AccessTime returns the Rock Ridge access time, else ModTime.
func (e *Entry) AccessTime() time.Time { return e.times.Get(discfs.ATime) }

// ChangeTime returns the Rock Ridge attribute change time, else ModTime.
func (e *Entry) ChangeTime() time.Time { return e.times.Get(discfs.CTime) }

// IsDir reports whether the entry is a directory.
func (e *Entry) IsDir() bool { return e.mode.IsDir() }

// Target returns a symlink's target, "" for other entries.
func (e *Entry) Target() string {
	if e.x == nil {
		return ""
	}
	return e.x.target
}

// Info returns the entry as an fs.FileInfo whose Sys method returns the
// *Entry.
func (e *Entry) Info() fs.FileInfo { return discfs.Info(e) }

// Path returns the slash-separated path of the entry from the root ("" for
// the root itself).
func (e *Entry) Path() string { return discfs.Path(e) }

// Parent returns the directory holding the entry, nil for the root.
func (e *Entry) Parent() *Entry { return e.parent }

// hasData reports whether the entry is a regular file with stored data.
func (e *Entry) hasData() bool { return e.mode.IsRegular() && e.dataSize() > 0 }

// dataSize is the stored size: the length of the entry's extents (a
// directory has one; a multi-extent file several). It is summed rather
// than kept, to keep entries small.
func (e *Entry) dataSize() int64 {
	var n int64
	for _, x := range e.extents() {
		n += x.length
	}
	return n
}

// ReadDir lists a directory, sorted by name (parsed on first call, then
// cached). Names are unique within the directory and never "", ".", ".."
// or contain "/" or NUL. The returned slice is the caller's.
func (e *Entry) ReadDir() ([]*Entry, error) { return discfs.ReadDir(e.load) }

// Index returns the entry's position in its parent's listing as ReadDir
// returns it, 0 for the root. Parsing a directory again gives the same
// entries in the same order, so a parent and an index name an entry for
// good: parent.Child(e.Index()) is e, or an equal entry parsed anew.
func (e *Entry) Index() int { return int(e.index) }

// place records the entry's index in its parent's listing.
func (e *Entry) place(i int) { e.index = uint32(i) }

// Child returns the entry at index i of a directory's listing (parsed on
// first use), in constant time. An i out of range gives an error wrapping
// fs.ErrNotExist, an entry that is not a directory one wrapping
// discfs.ErrNotDir.
func (e *Entry) Child(i int) (*Entry, error) { return discfs.Child(e.load, i) }

// children is ReadDir without the copy.
func (e *Entry) children() ([]*Entry, error) { return discfs.Children(e.load) }

// Lookup finds a child by name, by binary search once the directory has
// been read. It returns an error wrapping fs.ErrNotExist if there is none.
func (e *Entry) Lookup(name string) (*Entry, error) { return discfs.Lookup(e.load, name) }

// Open returns a reader over a regular file's contents (zisofs decoded),
// safe for concurrent use. The reader also implements FileReader.
func (e *Entry) Open() (io.ReaderAt, error) {
	if err := e.fault(); err != nil {
		return nil, err
	}
	if !e.mode.IsRegular() {
		return nil, fmt.Errorf("iso9660view: %s is not a regular file: %w", discfs.QuotePath(e.Path()), fs.ErrInvalid)
	}
	raw := &extentReader{r: e.image().r, extents: e.extents(), size: e.dataSize()}
	z := e.zisofs()
	if z == nil {
		return raw, nil
	}
	z.once.Do(func() {
		z.reader, z.err = newZisofsReader(raw, &z.zf, e.ext[0].start)
		if z.err != nil {
			z.err = withPath(z.err, e.Path())
		}
	})
	if z.err != nil {
		return nil, z.err
	}
	return z.reader, nil
}

// FileReader reads a file's contents; it is safe for concurrent use.
type FileReader interface {
	io.ReaderAt
	Size() int64
}

// load returns the directory's listing, parsing it on first use. Format
// errors are remembered; I/O errors are not, so a later call retries.
func (e *Entry) load() (*discfs.Listing[*Entry], error) {
	d := e.dir
	if d == nil {
		return nil, fmt.Errorf("iso9660view: %s: %w", discfs.QuotePath(e.Path()), discfs.ErrNotDir)
	}
	return d.Load(&d.im.listings, func(l *discfs.Listing[*Entry]) error {
		d.relocated = 0
		return d.im.parseDir(e, l, &d.relocated)
	}, isFormatError)
}

// entryBytes is what one parsed entry keeps in memory beyond its name, as
// the listing cache counts it (Options.DirCache): the Entry, 128 bytes,
// and its slot in the listing, 8. TestDirectoryEntryMemory checks it
// against the heap.
const entryBytes = 136
