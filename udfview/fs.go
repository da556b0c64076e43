package udfview

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// Compile-time checks of the io/fs interfaces Image implements.
var (
	_ fs.FS         = (*Image)(nil)
	_ fs.ReadDirFS  = (*Image)(nil)
	_ fs.ReadFileFS = (*Image)(nil)
	_ fs.StatFS     = (*Image)(nil)
	_ fs.ReadLinkFS = (*Image)(nil)
)

// entryFor resolves an io/fs path; follow says whether a final symlink is
// followed.
func (im *Image) entryFor(op, name string, follow bool) (*Entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		name = ""
	}
	e, err := im.resolve(name, follow)
	if err != nil {
		if errors.Is(err, errNotDir) {
			err = fs.ErrNotExist
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return e, nil
}

// Open opens a file or directory of the image, following symlinks inside
// the image. Files implement io.ReaderAt and io.Seeker; directories
// implement fs.ReadDirFile.
func (im *Image) Open(name string) (fs.File, error) {
	e, err := im.entryFor("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.IsDir() {
		if _, err := e.children(); err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openDir{e: e}, nil
	}
	if !e.mode.IsRegular() {
		// A device, fifo or socket: an image holds no contents for it.
		return &openFile{e: e, r: &fileReader{}}, nil
	}
	r, err := e.Open()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &openFile{e: e, r: r.(FileReader)}, nil
}

// ReadDir lists a directory, sorted by name.
func (im *Image) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := im.entryFor("readdir", name, true)
	if err != nil {
		return nil, err
	}
	kids, err := e.children()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, len(kids))
	for i, k := range kids {
		out[i] = dirEntry{k}
	}
	return out, nil
}

// ReadFile returns a regular file's contents.
func (im *Image) ReadFile(name string) ([]byte, error) {
	e, err := im.entryFor("readfile", name, true)
	if err != nil {
		return nil, err
	}
	if !e.mode.IsRegular() && !e.IsDir() {
		return []byte{}, nil // like Open: devices and fifos read as empty
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
func (im *Image) Stat(name string) (fs.FileInfo, error) {
	e, err := im.entryFor("stat", name, true)
	if err != nil {
		return nil, err
	}
	return e.Info(), nil
}

// Lstat describes a file without following a final symlink.
func (im *Image) Lstat(name string) (fs.FileInfo, error) {
	e, err := im.entryFor("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return e.Info(), nil
}

// ReadLink returns a symlink's target.
func (im *Image) ReadLink(name string) (string, error) {
	e, err := im.entryFor("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	if e.err != nil { // e.g. a broken continuation area cut the target
		return "", &fs.PathError{Op: "readlink", Path: name, Err: e.err}
	}
	return e.Target(), nil
}

// fileInfo is an Entry seen as an fs.FileInfo.
type fileInfo struct{ e *Entry }

func (fi fileInfo) Name() string       { return fi.e.name }
func (fi fileInfo) Size() int64        { return fi.e.Size() }
func (fi fileInfo) Mode() fs.FileMode  { return fi.e.mode }
func (fi fileInfo) ModTime() time.Time { return fi.e.ModTime() }
func (fi fileInfo) IsDir() bool        { return fi.e.IsDir() }
func (fi fileInfo) Sys() any           { return fi.e }

// dirEntry is an Entry seen as an fs.DirEntry.
type dirEntry struct{ e *Entry }

func (d dirEntry) Name() string               { return d.e.name }
func (d dirEntry) IsDir() bool                { return d.e.IsDir() }
func (d dirEntry) Type() fs.FileMode          { return d.e.mode.Type() }
func (d dirEntry) Info() (fs.FileInfo, error) { return d.e.Info(), nil }
func (d dirEntry) String() string             { return fs.FormatDirEntry(d) }

// openFile is an open regular file.
type openFile struct {
	e      *Entry
	r      FileReader
	off    int64
	closed bool
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.e.Info(), nil }

func (f *openFile) Read(p []byte) (int, error) {
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

func (f *openFile) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, fs.ErrClosed
	}
	return f.r.ReadAt(p, off)
}

func (f *openFile) Seek(offset int64, whence int) (int64, error) {
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

func (f *openFile) Close() error {
	if f.closed {
		return fs.ErrClosed
	}
	f.closed = true
	return nil
}

// openDir is an open directory.
type openDir struct {
	e      *Entry
	pos    int
	closed bool
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.e.Info(), nil }

func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.e.Path(), Err: fs.ErrInvalid}
}

func (d *openDir) Close() error {
	if d.closed {
		return fs.ErrClosed
	}
	d.closed = true
	return nil
}

// ReadDir returns the next n entries (all remaining if n <= 0).
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.closed {
		return nil, fs.ErrClosed
	}
	kids, err := d.e.children()
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
	out := make([]fs.DirEntry, len(rest))
	for i, k := range rest {
		out[i] = dirEntry{k}
	}
	d.pos += len(rest)
	return out, nil
}
