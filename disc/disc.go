package disc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/udfview"
)

// Entry is one file, directory, symlink or device of a disc tree. Its
// methods mean what the readers' Entry methods of the same names mean (see
// iso9660view.Entry); entries are immutable and safe for concurrent use.
type Entry interface {
	Name() string      // name in its directory, "." for the root
	Path() string      // slash-separated path from the root, "" for the root
	Parent() Entry     // the directory holding the entry, nil for the root
	Mode() fs.FileMode // type bits and permissions
	Size() int64       // bytes of a regular file's contents, a symlink's target length
	Inode() uint64     // stable, from on-disc identity; hard links share it
	Nlink() uint32
	UID() uint32
	GID() uint32
	HasOwner() bool // whether the disc recorded UID and GID
	Rdev() uint64   // a device's number as a Linux dev_t
	ModTime() time.Time
	AccessTime() time.Time
	ChangeTime() time.Time
	IsDir() bool
	Target() string // a symlink's target, "" for other entries
	Info() fs.FileInfo

	// ReadDir lists a directory sorted by name; the slice is the caller's.
	ReadDir() ([]Entry, error)
	// Index is the entry's position in its parent's listing as ReadDir
	// returns it (0 for the root). A directory parsed again lists the
	// same entries in the same order, so (parent, index) names an entry
	// for good, and Child finds it again in constant time.
	Index() int
	// Child returns the entry at index i of a directory's listing; the
	// error wraps fs.ErrNotExist when i is out of range.
	Child(i int) (Entry, error)
	// Lookup finds a child of a directory; the error wraps fs.ErrNotExist
	// when there is none.
	Lookup(name string) (Entry, error)
	// Open returns a reader over a regular file's contents, safe for
	// concurrent use.
	Open() (io.ReaderAt, error)
}

// The file systems a Tree can show.
const (
	Auto    = "auto"    // UDF if present, unless the ISO 9660 side has Rock Ridge
	ISO9660 = "iso9660" // the ISO 9660 tree (Rock Ridge, Joliet, plain names)
	UDF     = "udf"     // the UDF tree
)

// Views lists the accepted values of Options.FS, for command-line checks.
var Views = []string{Auto, ISO9660, UDF}

// Options chooses the file system and its name extensions.
type Options struct {
	FS       string // Auto (the default when ""), ISO9660 or UDF
	NoRock   bool   // ISO 9660: ignore Rock Ridge (and Auto then treats the disc as having none)
	NoJoliet bool   // ISO 9660: ignore Joliet

	// DirCache bounds the memory of the parsed directory listings the
	// reader keeps, in estimated bytes (0: 16 MiB, some 90,000 entries):
	// past it the least recently used are dropped and parsed again when
	// next used, so a disc of millions of entries can be walked in
	// bounded memory.
	DirCache int64
}

// ErrNoFileSystem means the image holds no file system that the requested
// view can read; errors.Is also matches the reader's own "not found" error
// (iso9660view.ErrNotISO9660, udfview.ErrNotUDF).
var ErrNoFileSystem = errors.New("no ISO 9660 or UDF file system")

// ErrView means Options.FS names no known view.
var ErrView = errors.New("unknown file system view")

// Tree is a disc's directory tree as read by one of the readers.
type Tree struct {
	root   Entry
	lookup func(path string, followLast bool) (Entry, error)
	fs     string
	reason string
	label  string
	bs     int
	blocks int64
	size   int64 // of the image, in bytes

	// ISO and UDF are the readers that opened the image's two sides (nil
	// for a side that is absent, unreadable or not asked for); FS says
	// which one the tree shows.
	ISO *iso9660view.Image
	UDF *udfview.Image
}

// Root returns the root directory.
func (t *Tree) Root() Entry { return t.root }

// FS returns the file system shown: ISO9660 or UDF.
func (t *Tree) FS() string { return t.fs }

// Reason says why Open picked this file system, e.g. "UDF volume found and
// no Rock Ridge on the ISO 9660 side".
func (t *Tree) Reason() string { return t.reason }

// Label returns the volume label.
func (t *Tree) Label() string { return t.label }

// BlockSize returns the file system's block size in bytes.
func (t *Tree) BlockSize() int { return t.bs }

// Blocks returns the volume size in blocks of BlockSize.
func (t *Tree) Blocks() int64 { return t.blocks }

// compressed is an image that stores fewer bytes than it expands to, such
// as *isz.Reader.
type compressed interface {
	StoredSize() int64 // bytes of data the image really stores
}

// The entry limit of a compressed image. A directory record takes at least
// 34 bytes (a UDF file identifier 38) and a real one, with its name, dates
// and Rock Ridge fields, over 100; zlib and bzip2 keep a real directory in
// no less than about 15 bytes a record. A ZIP-bomb-like image of a few
// hundred KiB holding millions of records (0.2 bytes a record) would
// otherwise cost a reader hundreds of bytes per entry and a mount about a
// KiB: 2 GB for a 600 KB file.
const (
	storedBytesPerEntry = 4       // allows 4 times the densest real directories
	minEntryLimit       = 1 << 16 // small images list what they hold
)

// entryLimit is the most directory entries the readers build from r: for a
// compressed image, one per storedBytesPerEntry bytes it stores (at least
// minEntryLimit); for a plain one no limit but its size, which the readers
// enforce themselves.
func entryLimit(r io.ReaderAt) int64 {
	c, ok := r.(compressed)
	if !ok {
		return 0
	}
	return max(minEntryLimit, c.StoredSize()/storedBytesPerEntry)
}

// Open reads the file system of an image through r (size bytes) and returns
// its tree. With Options.FS Auto it picks as the package documentation
// describes; a damaged image (an error other than "no such file system" or
// a malformed side, such as a failed read of a compressed chunk) is
// reported as such rather than hidden by the other reader.
func Open(r io.ReaderAt, size int64, opts *Options) (*Tree, error) {
	if opts == nil {
		opts = &Options{}
	}
	view := opts.FS
	if view == "" {
		view = Auto
	}
	if view != Auto && view != ISO9660 && view != UDF {
		return nil, fmt.Errorf("%w %q (want %s, %s or %s)", ErrView, view, Auto, ISO9660, UDF)
	}
	var iso *iso9660view.Image
	isoErr := errNotAsked
	if view != UDF {
		iso, isoErr = iso9660view.Open(r, size, &iso9660view.Options{NoRock: opts.NoRock, NoJoliet: opts.NoJoliet, MaxEntries: entryLimit(r), DirCache: opts.DirCache})
		if damaged(isoErr) {
			return nil, isoErr
		}
	}
	var udf *udfview.Image
	udfErr := errNotAsked
	if view != ISO9660 {
		udf, udfErr = udfview.Open(r, size, &udfview.Options{MaxEntries: entryLimit(r), DirCache: opts.DirCache})
		if damaged(udfErr) {
			return nil, udfErr
		}
	}
	t := &Tree{ISO: iso, UDF: udf, size: size}
	switch {
	case view == ISO9660 && isoErr != nil:
		return nil, sideErr(isoErr)
	case view == UDF && udfErr != nil:
		return nil, sideErr(udfErr)
	case view == ISO9660:
		return t.showISO("asked for ISO 9660"), nil
	case view == UDF:
		return t.showUDF("asked for UDF"), nil
	case iso != nil && iso.Info().RockRidge && !opts.NoRock:
		return t.showISO("the ISO 9660 side carries Rock Ridge (a POSIX-authored disc)" + udfNote(udfErr)), nil
	case udf != nil && iso != nil && opts.NoRock:
		return t.showUDF(fmt.Sprintf("UDF %s volume; Rock Ridge ignored (norock)", udf.Info().RevisionString())), nil
	case udf != nil && iso != nil:
		return t.showUDF(fmt.Sprintf("UDF %s volume; the ISO 9660 side has no Rock Ridge", udf.Info().RevisionString())), nil
	case udf != nil:
		return t.showUDF(fmt.Sprintf("UDF %s volume; %s", udf.Info().RevisionString(), isoNote(isoErr))), nil
	case iso != nil:
		return t.showISO("ISO 9660 volume" + udfNote(udfErr)), nil
	}
	// Neither side reads: a malformed side says more than a missing one.
	if !notFound(udfErr) {
		return nil, udfErr
	}
	if !notFound(isoErr) {
		return nil, isoErr
	}
	return nil, noFS(isoErr, udfErr)
}

// sideErr is the error of the one side asked for.
func sideErr(err error) error {
	if notFound(err) {
		return noFS(err)
	}
	return err
}

// errNotAsked stands for the reader Options.FS did not ask for.
var errNotAsked = errors.New("not read")

// notFound reports whether err is a reader's "no such file system".
func notFound(err error) bool {
	return errors.Is(err, iso9660view.ErrNotISO9660) || errors.Is(err, udfview.ErrNotUDF) || err == errNotAsked
}

// damaged reports whether err is neither success, "no such file system" nor
// a malformed or unsupported structure of that side: a failed read of the
// image itself, which the other side cannot make good.
func damaged(err error) bool {
	return err != nil && !notFound(err) &&
		!errors.Is(err, iso9660view.ErrFormat) && !errors.Is(err, iso9660view.ErrUnsupported) &&
		!errors.Is(err, udfview.ErrFormat) && !errors.Is(err, udfview.ErrUnsupported)
}

// udfNote and isoNote complete a Reason with why the other side is not
// shown.
func udfNote(err error) string {
	switch {
	case err == nil:
		return ""
	case notFound(err):
		return "; no UDF volume"
	}
	return "; the UDF volume cannot be read (" + err.Error() + ")"
}

func isoNote(err error) string {
	if errors.Is(err, iso9660view.ErrNotISO9660) {
		return "no ISO 9660 side"
	}
	return "the ISO 9660 side cannot be read (" + err.Error() + ")"
}

// showISO makes t show its ISO 9660 reader.
func (t *Tree) showISO(reason string) *Tree {
	info := t.ISO.Info()
	t.root, t.lookup, t.fs, t.reason = wrap(t.ISO.Root()), resolverOf(t.ISO.Root()), ISO9660, reason
	t.label, t.bs, t.blocks = info.Label, info.BlockSize, info.VolumeBlocks
	return t
}

// showUDF makes t show its UDF reader.
func (t *Tree) showUDF(reason string) *Tree {
	info := t.UDF.Info()
	t.root, t.lookup, t.fs, t.reason = wrap(t.UDF.Root()), resolverOf(t.UDF.Root()), UDF, reason
	t.label, t.bs, t.blocks = info.Label(), info.BlockSize, t.size/int64(info.BlockSize)
	return t
}

// noFS is the error for an image where the view asked for found nothing:
// it matches ErrNoFileSystem and the readers' own "not found" errors.
func noFS(errs ...error) error {
	e := &noFSError{}
	for _, err := range errs {
		if err != nil && err != errNotAsked {
			e.errs = append(e.errs, err)
		}
	}
	return e
}

// noFSError is the readers' "no such file system" errors. It matches
// ErrNoFileSystem and each reader's error (errors.Is) but says it once: as
// the one reader's error, or for both, as ErrNoFileSystem.
type noFSError struct{ errs []error }

func (e *noFSError) Error() string {
	if len(e.errs) == 1 {
		return e.errs[0].Error()
	}
	return ErrNoFileSystem.Error()
}

func (e *noFSError) Is(target error) bool {
	if target == ErrNoFileSystem {
		return true
	}
	for _, err := range e.errs {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
