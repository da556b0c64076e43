package udfview

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sync/atomic"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"
)

const (
	// maxDepth bounds directory nesting: a path of more than 1024
	// components exceeds PATH_MAX.
	maxDepth = 1024
	// maxDirBytes bounds the directory data a listing parses (in
	// windows, see forEachFID): 1<<26 bytes hold over 1.6 million file
	// identifiers.
	maxDirBytes = 64 << 20
	// maxSymlinkBytes bounds a symlink's data (its target is at most
	// PATH_MAX bytes on Linux; components carry some overhead).
	maxSymlinkBytes = 64 << 10
)

// Entry is one file, directory, symlink or device in the tree. Entries are
// immutable once returned (a directory's listing is filled in once, under a
// lock) and shared between callers.
//
// A listing cache keeps up to Options.DirCache of parsed entries, so an
// Entry is laid out to be small: times are packed (see discfs.Stamps), the
// owner needs no flag (discfs.Owner), and a directory is searched by binary
// search in its sorted listing rather than through a map. A file's data is
// kept as where it starts when it is one extent, as writers record nearly
// every file, so that reading it needs no second read of its file entry
// (in a walk of the whole tree, those were a tenth of the chunks a
// compressed image decoded); other allocations are read again from the
// file entry when the file is opened.
type Entry struct {
	im     *Image
	parent *Entry // nil for the root
	name   string
	size   int64

	times discfs.Stamps // 40 bytes
	mode  fs.FileMode
	index uint32       // in the parent's listing (Index)
	owner discfs.Owner // as the file entry records it, "none" included
	icb   lbAddr       // where the file entry is: the entry's identity
	data  lbAddr       // a regular file's data when flat
	flat  bool         // the data is one recorded extent at data
	x     *entryExtra  // symlinks, devices, hard-linked files and faults only

	dir *discfs.Dir[*Entry] // directories only

	// rd is a regular file's reader once Open has made it: a mount opens
	// a file for every read, and each would make it again (reading the
	// file entry, unless flat).
	rd atomic.Pointer[fileReader]
}

// fault is why the entry cannot be read (its data or listing), found while
// listing its parent; nil for a sound entry.
func (e *Entry) fault() error {
	if e.x == nil {
		return nil
	}
	return e.x.err
}

// entryExtra holds what only some entries have.
type entryExtra struct {
	target string // symlinks
	rdev   uint64 // devices
	nlink  uint32 // non-directories of more than one name
	err    error  // why the entry cannot be read, found while listing its parent
}

// extra returns e.x, allocating it on first use (while building e).
func (e *Entry) extra() *entryExtra {
	if e.x == nil {
		e.x = new(entryExtra)
	}
	return e.x
}

// Name returns the entry's name in its directory ("." for the root).
func (e *Entry) Name() string { return e.name }

// Mode returns the type bits and the permissions recorded, with setuid,
// setgid and sticky.
func (e *Entry) Mode() fs.FileMode { return e.mode }

// Size returns the size in bytes: a file's or directory's information
// length, the length of a symlink's target, 0 for devices.
func (e *Entry) Size() int64 {
	switch {
	case e.mode&fs.ModeSymlink != 0:
		return int64(len(e.Target()))
	case e.mode.IsRegular() || e.IsDir():
		return e.size
	}
	return 0
}

// Inode returns a stable inode number from on-disc identity: the partition
// reference and logical block of the entry's ICB. Hard links, being several
// names of one ICB, share it.
func (e *Entry) Inode() uint64 {
	return uint64(e.icb.part+1)<<32 | uint64(e.icb.lbn)
}

// Nlink returns the number of hard links: 2 plus the number of
// subdirectories for a directory (reading it if needed); for another entry,
// the link count its file entry records, as the kernel shows it. pycdlib
// records 1 for every file, hard links included: on its discs the names of
// each ICB are counted over the tree instead (the first such call reads
// every directory of the image).
func (e *Entry) Nlink() uint32 {
	switch {
	case e.IsDir():
		return discfs.DirNlink(e.load)
	case e.im.countLinks:
		return e.im.nlinkOf(e.Inode())
	case e.x != nil && e.x.nlink > 1:
		return e.x.nlink
	}
	return 1
}

// UID returns the owner recorded, or 0 if the disc records none.
func (e *Entry) UID() uint32 { return e.owner.UID() }

// GID returns the group recorded, or 0 if the disc records none.
func (e *Entry) GID() uint32 { return e.owner.GID() }

// HasOwner reports whether the disc records an owner and a group: UDF
// writes 0xFFFFFFFF ("none") for either when the writer had none to give,
// and the reader is then to pick its own.
func (e *Entry) HasOwner() bool { return e.owner.Recorded() }

// Rdev returns a device's number as a Linux dev_t (syscall.Stat_t.Rdev
// encoding), from the device specification extended attribute, or 0.
func (e *Entry) Rdev() uint64 {
	if e.x == nil {
		return 0
	}
	return e.x.rdev
}

// ModTime returns the modification time, the zero time if unrecorded.
func (e *Entry) ModTime() time.Time { return e.times.Get(discfs.MTime) }

// AccessTime returns the access time.
func (e *Entry) AccessTime() time.Time { return e.times.Get(discfs.ATime) }

// ChangeTime returns the attribute change time.
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

// Open returns a reader over a regular file's contents, safe for
// concurrent use; unrecorded extents and holes read as zeros. The reader
// also implements FileReader. A file whose data is not one extent has its
// file entry read again.
func (e *Entry) Open() (io.ReaderAt, error) {
	if err := e.fault(); err != nil {
		return nil, err
	}
	if !e.mode.IsRegular() {
		return nil, fmt.Errorf("udfview: %s is not a regular file: %w", discfs.QuotePath(e.Path()), fs.ErrInvalid)
	}
	if r := e.rd.Load(); r != nil {
		return r, nil
	}
	r, err := e.reader()
	if err != nil {
		return nil, withPath(err, e.Path())
	}
	e.rd.Store(r) // two first opens at once make equal readers; either may stay
	return r, nil
}

// reader makes the reader of a regular file: from where its data starts
// when it is flat, else from its file entry.
func (e *Entry) reader() (*fileReader, error) {
	if e.flat {
		return &fileReader{im: e.im, extents: []extent{{length: e.size, loc: e.data}}, size: e.size}, nil
	}
	fe, err := e.im.readICB(e.icb, nil)
	if err != nil {
		return nil, err
	}
	return e.im.reader(fe)
}

// FileReader reads a file's contents; it is safe for concurrent use.
type FileReader interface {
	io.ReaderAt
	Size() int64
}

// load returns the directory's listing, parsing it on first use. Format
// errors are remembered; I/O errors are not, so a later call retries.
func (e *Entry) load() (*discfs.Listing[*Entry], error) {
	if e.dir == nil {
		return nil, fmt.Errorf("udfview: %s: %w", discfs.QuotePath(e.Path()), discfs.ErrNotDir)
	}
	return e.dir.Load(&e.im.listings, func(l *discfs.Listing[*Entry]) error {
		return withPath(e.im.parseDir(e, l), e.Path())
	}, isFormatError)
}

// parseDir reads the directory e: its file identifiers, then the file
// entry of each child.
func (im *Image) parseDir(e *Entry, l *discfs.Listing[*Entry]) error {
	if err := e.fault(); err != nil {
		return err
	}
	fe, err := im.readICB(e.icb, nil)
	if err != nil {
		return err
	}
	if fe.size > maxDirBytes {
		return unsupportedErr(fe.off, "directory of %d bytes", fe.size)
	}
	s := im.getScratch()
	defer im.putScratch(s)
	var fids []fid
	var names []string
	err = im.forEachFID(fe, s.win[:cap(s.win)], func(f fid) error {
		if f.chars&(fidDelete|fidParent|fidStream|fidHidden) != 0 {
			return nil
		}
		if l.Take(1) != nil {
			return formatErr(fe.off, "%s", im.listings.Budget.Refusal())
		}
		names = append(names, decodeCS0(f.name))
		f.name = nil // the window it points into is read over
		fids = append(fids, f)
		return nil
	})
	if err != nil {
		return err
	}
	discfs.UniqueNames(names)
	// Read the children's file entries in block order, so that the reads
	// run forward through the image and each window of the scratch holds
	// the entries that come next.
	order := make([]int, len(fids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return fids[a].icb.loc.compare(fids[b].icb.loc) })
	locs := make([]lbAddr, len(order))
	for j, i := range order {
		locs[j] = fids[i].icb.loc
	}
	kids := make([]Entry, len(fids))
	list := make([]*Entry, len(fids))
	im.listEntries(s, len(fids))
	for j, i := range order {
		s.ahead = locs[j:]
		list[i] = &kids[i]
		im.fillEntry(list[i], e, names[i], fids[i], s)
	}
	discfs.SetChildren(l, list, (*Entry).place)
	return nil
}

// fillEntry builds the child of parent named by f, reading its file entry
// through s. A child that cannot be read still appears, with the error kept
// for when it is used.
func (im *Image) fillEntry(k *Entry, parent *Entry, name string, f fid, s *scratch) {
	*k = Entry{im: im, parent: parent, name: name, icb: f.icb.loc}
	if f.chars&fidDir != 0 {
		k.mode = fs.ModeDir
	}
	fe, err := im.readICB(f.icb.loc, s)
	if err == nil {
		err = im.fromFileEntry(k, fe)
	}
	if err == nil && k.IsDir() {
		switch {
		case discfs.Depth(k) >= maxDepth:
			err = formatErr(fe.off, "directories nested deeper than %d", maxDepth)
		case k.loops():
			err = formatErr(fe.off, "directory is its own ancestor")
		}
	}
	if err != nil {
		k.extra().err = withPath(err, k.Path())
	}
	if k.IsDir() {
		k.dir = new(discfs.Dir[*Entry])
	}
}

// loops reports whether a directory has the ICB of one of its ancestors.
func (e *Entry) loops() bool {
	for p := e.parent; p != nil; p = p.parent {
		if p.icb == e.icb {
			return true
		}
	}
	return false
}

// fromFileEntry fills in what a file entry says about k.
func (im *Image) fromFileEntry(k *Entry, fe *fileEntry) error {
	mode, ok := fe.mode()
	if !ok {
		return unsupportedErr(fe.off, "file type %d", fe.fileType)
	}
	k.mode, k.size = mode, fe.size
	k.owner = discfs.MakeOwner(fe.uid, fe.gid)
	k.times.Set(discfs.MTime, fe.mtime)
	k.times.Set(discfs.ATime, fe.atime)
	k.times.Set(discfs.CTime, fe.ctime)
	if fe.links > 1 && !k.IsDir() {
		k.extra().nlink = uint32(fe.links)
	}
	switch {
	case mode.IsRegular():
		k.data, k.flat = im.oneExtent(fe)
	case mode&fs.ModeSymlink != 0:
		if fe.size > maxSymlinkBytes {
			return formatErr(fe.off, "symlink of %d bytes", fe.size)
		}
		data, err := im.readAll(fe)
		if err != nil {
			return err
		}
		t, err := symlinkTarget(data, fe.off)
		if err != nil {
			return err
		}
		k.extra().target = t
	case mode&fs.ModeDevice != 0:
		if major, minor, ok := deviceNumber(fe.eas); ok {
			k.extra().rdev = mkdev(major, minor)
		}
	}
	return nil
}

// mkdev encodes a device number as Linux's dev_t.
func mkdev(major, minor uint32) uint64 {
	ma, mi := uint64(major), uint64(minor)
	return ma&0xfffff000<<32 | ma&0xfff<<8 | mi&0xffffff00<<12 | mi&0xff
}

// entryBytes is what one parsed entry keeps in memory beyond its name, as
// the listing cache counts it (Options.DirCache): the Entry, 144 bytes,
// and its slot in the listing, 8. TestEntryMemory checks it against the
// heap.
const entryBytes = 152
