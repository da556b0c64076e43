// Package discfs is what the disc readers (iso9660view, udfview) share
// without importing each other: path resolution inside an image, the io/fs
// glue (fs.FS, fs.ReadDirFS, fs.ReadFileFS, fs.StatFS, fs.ReadLinkFS) over
// a tree of entries, and the rule that makes a directory's names legal and
// unique ([UniqueNames]). It is generic over the reader's entry type, so
// each reader keeps its own concrete Entry and nothing is boxed.
//
// A reader wraps its root in an [FS] and answers its io/fs methods and its
// Lookup with it:
//
//	func (im *Image) Open(name string) (fs.File, error) { return im.fs().Open(name) }
//	func (im *Image) Lookup(name string) (*Entry, error) { return discfs.Lookup(im.root, name) }
package discfs

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Entry is the method set the glue needs of a reader's entry type E.
type Entry[E any] interface {
	comparable
	Name() string
	Path() string
	Parent() E // the zero E for the root
	Mode() fs.FileMode
	Size() int64
	ModTime() time.Time
	IsDir() bool
	Target() string
	Info() fs.FileInfo
	ReadDir() ([]E, error)         // sorted by name
	Lookup(name string) (E, error) // a child of a directory
	Open() (io.ReaderAt, error)    // a regular file's contents
}

// MaxSymlinkHops bounds symlink resolution, like the kernel's 40.
const MaxSymlinkHops = 40

var (
	// ErrNotDir means a path runs through something that is not a
	// directory; it is also fs.ErrInvalid.
	ErrNotDir error = notDirError{}
	// ErrLoop means a path names a chain of symlinks longer than
	// MaxSymlinkHops.
	ErrLoop = errors.New("too many levels of symbolic links")
)

type notDirError struct{}

func (notDirError) Error() string { return "not a directory" }
func (notDirError) Unwrap() error { return fs.ErrInvalid }

// Resolve walks a slash-separated path from root ("" is root itself; empty
// and "." components are skipped). Symlinks are followed (all of them if
// follow, else all but the final component) inside the image: an absolute
// target starts at root and ".." stops at root, so a path never leaves the
// image. ".." is physical: after a symlink it climbs from the target.
func Resolve[E Entry[E]](root E, name string, follow bool) (E, error) {
	var none E
	cur := root
	comps := splitPath(name)
	hops := 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if p := cur.Parent(); p != none {
				cur = p
			}
			continue
		}
		if !cur.IsDir() {
			return none, ErrNotDir
		}
		child, err := cur.Lookup(c)
		if err != nil {
			return none, err
		}
		if child.Mode()&fs.ModeSymlink != 0 && (follow || len(comps) > 0) {
			if hops++; hops > MaxSymlinkHops {
				return none, ErrLoop
			}
			target := child.Target()
			if strings.HasPrefix(target, "/") {
				cur = root
			}
			comps = append(splitPath(target), comps...)
			continue
		}
		cur = child
	}
	return cur, nil
}

// Lookup is a reader's Image.Lookup: Resolve without following a final
// symlink, leading and trailing slashes ignored, errors as *fs.PathError.
func Lookup[E Entry[E]](root E, name string) (E, error) {
	e, err := Resolve(root, strings.Trim(name, "/"), false)
	if err != nil {
		return e, &fs.PathError{Op: "lookup", Path: name, Err: err}
	}
	return e, nil
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// FS serves the tree under Root through io/fs.
type FS[E Entry[E]] struct {
	Root E
	// LinkErr, if set, reports why a symlink's target cannot be trusted
	// (ReadLink returns that error).
	LinkErr func(E) error
}

// entry resolves an io/fs path; follow says whether a final symlink is
// followed.
func (f FS[E]) entry(op, name string, follow bool) (E, error) {
	var none E
	if !fs.ValidPath(name) {
		return none, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		name = ""
	}
	e, err := Resolve(f.Root, name, follow)
	if err != nil {
		if errors.Is(err, ErrNotDir) {
			err = fs.ErrNotExist
		}
		return none, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return e, nil
}

// Open opens a file or directory, following symlinks inside the image.
// Files implement io.ReaderAt and io.Seeker (a device, FIFO or socket reads
// as empty); directories implement fs.ReadDirFile.
func (f FS[E]) Open(name string) (fs.File, error) {
	e, err := f.entry("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.IsDir() {
		kids, err := e.ReadDir()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openDir[E]{e: e, kids: kids}, nil
	}
	if !e.Mode().IsRegular() {
		return &openFile[E]{e: e, r: io.NewSectionReader(nil, 0, 0)}, nil
	}
	r, err := e.Open()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &openFile[E]{e: e, r: r, size: e.Size()}, nil
}

// ReadDir lists a directory, sorted by name.
func (f FS[E]) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.entry("readdir", name, true)
	if err != nil {
		return nil, err
	}
	kids, err := e.ReadDir()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return dirEntries(kids), nil
}

// ReadFile returns a regular file's contents (a device or FIFO's are
// empty).
func (f FS[E]) ReadFile(name string) ([]byte, error) {
	e, err := f.entry("readfile", name, true)
	if err != nil {
		return nil, err
	}
	if !e.Mode().IsRegular() && !e.IsDir() {
		return []byte{}, nil
	}
	r, err := e.Open()
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	buf := make([]byte, e.Size())
	if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return buf, nil
}

// Stat describes a file, following symlinks.
func (f FS[E]) Stat(name string) (fs.FileInfo, error) {
	e, err := f.entry("stat", name, true)
	if err != nil {
		return nil, err
	}
	return e.Info(), nil
}

// Lstat describes a file without following a final symlink.
func (f FS[E]) Lstat(name string) (fs.FileInfo, error) {
	e, err := f.entry("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return e.Info(), nil
}

// ReadLink returns a symlink's target.
func (f FS[E]) ReadLink(name string) (string, error) {
	e, err := f.entry("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	if f.LinkErr != nil {
		if err := f.LinkErr(e); err != nil {
			return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
		}
	}
	return e.Target(), nil
}

// FileInfo is an entry seen as an fs.FileInfo; Sys returns the entry.
type FileInfo[E Entry[E]] struct{ E E }

func (fi FileInfo[E]) Name() string       { return fi.E.Name() }
func (fi FileInfo[E]) Size() int64        { return fi.E.Size() }
func (fi FileInfo[E]) Mode() fs.FileMode  { return fi.E.Mode() }
func (fi FileInfo[E]) ModTime() time.Time { return fi.E.ModTime() }
func (fi FileInfo[E]) IsDir() bool        { return fi.E.IsDir() }
func (fi FileInfo[E]) Sys() any           { return fi.E }

// dirEntry is an entry seen as an fs.DirEntry.
type dirEntry[E Entry[E]] struct{ e E }

func (d dirEntry[E]) Name() string               { return d.e.Name() }
func (d dirEntry[E]) IsDir() bool                { return d.e.IsDir() }
func (d dirEntry[E]) Type() fs.FileMode          { return d.e.Mode().Type() }
func (d dirEntry[E]) Info() (fs.FileInfo, error) { return d.e.Info(), nil }
func (d dirEntry[E]) String() string             { return fs.FormatDirEntry(d) }

func dirEntries[E Entry[E]](kids []E) []fs.DirEntry {
	out := make([]fs.DirEntry, len(kids))
	for i, k := range kids {
		out[i] = dirEntry[E]{k}
	}
	return out
}

// openFile is an open regular file (or an empty one for a device).
type openFile[E Entry[E]] struct {
	e      E
	r      io.ReaderAt
	size   int64
	off    int64
	closed bool
}

func (f *openFile[E]) Stat() (fs.FileInfo, error) { return f.e.Info(), nil }

func (f *openFile[E]) Read(p []byte) (int, error) {
	if f.closed {
		return 0, fs.ErrClosed
	}
	n, err := f.r.ReadAt(p, f.off)
	f.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (f *openFile[E]) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, fs.ErrClosed
	}
	return f.r.ReadAt(p, off)
}

func (f *openFile[E]) Seek(offset int64, whence int) (int64, error) {
	if f.closed {
		return 0, fs.ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, fs.ErrInvalid
	}
	if offset < 0 {
		return 0, fs.ErrInvalid
	}
	f.off = offset
	return offset, nil
}

func (f *openFile[E]) Close() error {
	if f.closed {
		return fs.ErrClosed
	}
	f.closed = true
	return nil
}

// openDir is an open directory, its listing taken when it was opened.
type openDir[E Entry[E]] struct {
	e      E
	kids   []E
	pos    int
	closed bool
}

func (d *openDir[E]) Stat() (fs.FileInfo, error) { return d.e.Info(), nil }

func (d *openDir[E]) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.e.Path(), Err: fs.ErrInvalid}
}

func (d *openDir[E]) Close() error {
	if d.closed {
		return fs.ErrClosed
	}
	d.closed = true
	return nil
}

// ReadDir returns the next n entries (all remaining if n <= 0).
func (d *openDir[E]) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.closed {
		return nil, fs.ErrClosed
	}
	rest := d.kids[d.pos:]
	if n > 0 {
		if len(rest) == 0 {
			return nil, io.EOF
		}
		rest = rest[:min(n, len(rest))]
	}
	d.pos += len(rest)
	return dirEntries(rest), nil
}
