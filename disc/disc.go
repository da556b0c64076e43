package disc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/iszmount/iszmount/iso9660view"
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
	NoRock   bool   // ISO 9660: ignore Rock Ridge
	NoJoliet bool   // ISO 9660: ignore Joliet
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
	lookup func(path string) (Entry, error) // the reader's: middle symlinks followed
	fs     string
	reason string
	label  string
	bs     int
	blocks int64

	// ISO is the ISO 9660 reader, set when the tree is the ISO 9660 one.
	ISO *iso9660view.Image
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

// Open reads the file system of an image through r (size bytes) and returns
// its tree. With Options.FS Auto it picks as the package documentation
// describes; a damaged image (an error other than "no such file system")
// is reported as such rather than hidden by the other reader.
func Open(r io.ReaderAt, size int64, opts *Options) (*Tree, error) {
	if opts == nil {
		opts = &Options{}
	}
	view := opts.FS
	if view == "" {
		view = Auto
	}
	switch view {
	case Auto, ISO9660:
	default:
		return nil, fmt.Errorf("%w %q (want %s, %s or %s)", ErrView, view, Auto, ISO9660, UDF)
	}
	img, err := iso9660view.Open(r, size, &iso9660view.Options{NoRock: opts.NoRock, NoJoliet: opts.NoJoliet})
	if err != nil {
		if errors.Is(err, iso9660view.ErrNotISO9660) {
			return nil, &noFSError{err}
		}
		return nil, err
	}
	return isoTree(img, "ISO 9660 volume"), nil
}

// isoTree wraps an ISO 9660 image.
func isoTree(img *iso9660view.Image, reason string) *Tree {
	info := img.Info()
	return &Tree{
		root:   wrap(img.Root()),
		lookup: lookupWith(img.Lookup),
		fs:     ISO9660,
		reason: reason,
		label:  info.VolumeID,
		bs:     info.BlockSize,
		blocks: info.VolumeBlocks,
		ISO:    img,
	}
}

// noFSError is a reader's "no such file system" error that also matches
// ErrNoFileSystem.
type noFSError struct{ err error }

func (e *noFSError) Error() string   { return e.err.Error() }
func (e *noFSError) Unwrap() []error { return []error{e.err, ErrNoFileSystem} }
