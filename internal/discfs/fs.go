package discfs

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"
)

// FS is a reader's tree seen through io/fs. A reader's Image builds one
// (three words, no allocation) and hands its Open, ReadDir, ReadFile,
// Stat, Lstat, ReadLink and Lookup calls to it. Symlinks are followed
// inside the tree only (see Resolve).
type FS[E Node[E]] struct {
	Root E
	// Children returns a directory's listing, sorted by name; the slice
	// is the reader's and is not changed.
	Children func(E) ([]E, error)
	// Fault returns why an entry cannot be read, found while listing its
	// parent (a symlink whose target was cut, say), or nil.
	Fault func(E) error
}

// FileReader reads a file's contents; every reader's Entry.Open returns
// one. It is safe for concurrent use.
type FileReader interface {
	io.ReaderAt
	Size() int64
}

// Lookup resolves a slash-separated path ("" or "." is the root) without
// following a final symlink. Leading and trailing slashes are ignored.
// Errors are *fs.PathError with the op "lookup".
func (t FS[E]) Lookup(name string) (E, error) {
	e, err := Resolve(t.Root, strings.Trim(name, "/"), false)
	if err != nil {
		return e, &fs.PathError{Op: "lookup", Path: name, Err: err}
	}
	return e, nil
}

// entryFor resolves an io/fs path; follow says whether a final symlink is
// followed. A path through a file does not exist, as io/fs wants.
func (t FS[E]) entryFor(op, name string, follow bool) (E, error) {
	var none E
	if !fs.ValidPath(name) {
		return none, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		name = ""
	}
	e, err := Resolve(t.Root, name, follow)
	if err != nil {
		if errors.Is(err, ErrNotDir) {
			err = fs.ErrNotExist
		}
		return none, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return e, nil
}

// Open opens a file or directory, following symlinks. Files implement
// io.ReaderAt and io.Seeker (a device, fifo or socket reads as empty);
// directories implement fs.ReadDirFile.
func (t FS[E]) Open(name string) (fs.File, error) {
	e, err := t.entryFor("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.IsDir() {
		if _, err := t.Children(e); err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openDir[E]{t: t, e: e}, nil
	}
	if !e.Mode().IsRegular() {
		// A device, fifo or socket: an image holds no contents for it.
		return &openFile[E]{e: e, r: emptyFile{}}, nil
	}
	r, err := e.Open()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &openFile[E]{e: e, r: r.(FileReader)}, nil
}

// ReadDir lists a directory, sorted by name.
func (t FS[E]) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.entryFor("readdir", name, true)
	if err != nil {
		return nil, err
	}
	kids, err := t.Children(e)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return dirEntries(kids), nil
}

// ReadFile returns a regular file's contents (devices and fifos read as
// empty, as with Open).
func (t FS[E]) ReadFile(name string) ([]byte, error) {
	e, err := t.entryFor("readfile", name, true)
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
func (t FS[E]) Stat(name string) (fs.FileInfo, error) {
	e, err := t.entryFor("stat", name, true)
	if err != nil {
		return nil, err
	}
	return Info(e), nil
}

// Lstat describes a file without following a final symlink.
func (t FS[E]) Lstat(name string) (fs.FileInfo, error) {
	e, err := t.entryFor("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return Info(e), nil
}

// ReadLink returns a symlink's target; a symlink whose entry is damaged
// (Fault) gives that error rather than a cut target.
func (t FS[E]) ReadLink(name string) (string, error) {
	e, err := t.entryFor("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	if err := t.Fault(e); err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return e.Target(), nil
}

// Info returns e as an fs.FileInfo whose Sys method returns e.
func Info[E Node[E]](e E) fs.FileInfo { return fileInfo[E]{e} }

// fileInfo is an entry seen as an fs.FileInfo.
type fileInfo[E Node[E]] struct{ e E }

func (fi fileInfo[E]) Name() string       { return fi.e.Name() }
func (fi fileInfo[E]) Size() int64        { return fi.e.Size() }
func (fi fileInfo[E]) Mode() fs.FileMode  { return fi.e.Mode() }
func (fi fileInfo[E]) ModTime() time.Time { return fi.e.ModTime() }
func (fi fileInfo[E]) IsDir() bool        { return fi.e.IsDir() }
func (fi fileInfo[E]) Sys() any           { return fi.e }

// dirEntry is an entry seen as an fs.DirEntry.
type dirEntry[E Node[E]] struct{ e E }

func (d dirEntry[E]) Name() string               { return d.e.Name() }
func (d dirEntry[E]) IsDir() bool                { return d.e.IsDir() }
func (d dirEntry[E]) Type() fs.FileMode          { return d.e.Mode().Type() }
func (d dirEntry[E]) Info() (fs.FileInfo, error) { return Info(d.e), nil }
func (d dirEntry[E]) String() string             { return fs.FormatDirEntry(d) }

func dirEntries[E Node[E]](kids []E) []fs.DirEntry {
	out := make([]fs.DirEntry, len(kids))
	for i, k := range kids {
		out[i] = dirEntry[E]{k}
	}
	return out
}

// emptyFile is the contents of a device, fifo or socket.
type emptyFile struct{}

func (emptyFile) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }
func (emptyFile) Size() int64                       { return 0 }

// openFile is an open regular file.
type openFile[E Node[E]] struct {
	e      E
	r      FileReader
	off    int64
	closed bool
}

func (f *openFile[E]) Stat() (fs.FileInfo, error) { return Info(f.e), nil }

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
		offset += f.r.Size()
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

// openDir is an open directory.
type openDir[E Node[E]] struct {
	t      FS[E]
	e      E
	pos    int
	closed bool
}

func (d *openDir[E]) Stat() (fs.FileInfo, error) { return Info(d.e), nil }

func (d *openDir[E]) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: Path(d.e), Err: fs.ErrInvalid}
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
	kids, err := d.t.Children(d.e)
	if err != nil {
		return nil, err
	}
	rest := kids[d.pos:]
	if n > 0 {
		if len(rest) == 0 {
			return nil, io.EOF
		}
		rest = rest[:min(n, len(rest))]
	}
	d.pos += len(rest)
	return dirEntries(rest), nil
}
