// API CONTRACT SKELETON: the iso9660view helper replaces this file with the
// real implementation. The exported names and signatures below are what fs/
// and cmd/ code against; they may grow, but must not change silently.

package iso9660view

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

var (
	ErrNotISO9660  = errors.New("iso9660view: no ISO 9660 file system")
	ErrUDFOnly     = errors.New("iso9660view: UDF-only image (no usable ISO 9660 tree)") // errors.Is(err, ErrNotISO9660) is true too
	ErrFormat      = errors.New("iso9660view: malformed file system")
	ErrUnsupported = errors.New("iso9660view: unsupported feature")
)

// Options chooses which name extensions are used (like the kernel's isofs).
type Options struct {
	NoRock   bool // ignore Rock Ridge
	NoJoliet bool // ignore Joliet
}

// Image is an opened ISO 9660 file system. It implements fs.FS, fs.ReadDirFS,
// fs.StatFS and fs.ReadLinkFS and is safe for concurrent use.
type Image struct{}

func Open(r io.ReaderAt, size int64, opts *Options) (*Image, error) { return nil, ErrUnsupported }

func (im *Image) Root() *Entry { return nil }

// Lookup resolves a slash-separated path ("" or "." is the root) without
// following a final symlink.
func (im *Image) Lookup(name string) (*Entry, error) { return nil, ErrUnsupported }

// Info describes the volume.
func (im *Image) Info() VolumeInfo { return VolumeInfo{} }

func (im *Image) Open(name string) (fs.File, error) { return nil, ErrUnsupported }

type VolumeInfo struct {
	VolumeID, SystemID, PublisherID, ApplicationID string
	Created, Modified                              time.Time
	BlockSize                                      int
	VolumeBlocks                                   int64 // size in BlockSize units
	RockRidge, Joliet, ZisofsSeen                  bool
	UDF                                            bool // a UDF descriptor sequence was found
}

// Entry is one file, directory, symlink or device in the tree. Entries are
// immutable once returned and shared between callers.
type Entry struct{}

func (e *Entry) Name() string          { return "" }
func (e *Entry) Mode() fs.FileMode     { return 0 } // type bits and permissions
func (e *Entry) Size() int64           { return 0 } // uncompressed size (zisofs decoded)
func (e *Entry) Inode() uint64         { return 0 } // stable, derived from on-disc identity
func (e *Entry) Nlink() uint32         { return 0 }
func (e *Entry) UID() uint32           { return 0 }
func (e *Entry) GID() uint32           { return 0 }
func (e *Entry) Rdev() uint64          { return 0 }
func (e *Entry) ModTime() time.Time    { return time.Time{} }
func (e *Entry) AccessTime() time.Time { return time.Time{} }
func (e *Entry) ChangeTime() time.Time { return time.Time{} }
func (e *Entry) IsDir() bool           { return false }
func (e *Entry) Target() string        { return "" } // symlink target
func (e *Entry) Info() fs.FileInfo     { return nil }

// ReadDir lists a directory (parsed on first call, then cached). Names are
// unique within the directory and never ".", ".." or contain "/".
func (e *Entry) ReadDir() ([]*Entry, error) { return nil, ErrUnsupported }

// Lookup finds a child by name in O(1) after the first ReadDir/Lookup.
func (e *Entry) Lookup(name string) (*Entry, error) { return nil, ErrUnsupported }

// Open returns a reader over a regular file's contents (zisofs decoded);
// safe for concurrent use.
func (e *Entry) Open() (io.ReaderAt, error) { return nil, ErrUnsupported }
