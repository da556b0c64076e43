package udfview

import (
	"io/fs"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Compile-time checks of the io/fs interfaces Image implements.
var (
	_ fs.FS         = (*Image)(nil)
	_ fs.ReadDirFS  = (*Image)(nil)
	_ fs.ReadFileFS = (*Image)(nil)
	_ fs.StatFS     = (*Image)(nil)
	_ fs.ReadLinkFS = (*Image)(nil)
)

// fsys is the image's tree seen through io/fs: the io/fs glue, path
// resolution and Lookup are shared with the other disc reader
// (internal/discfs); this package supplies the listing and faults.
func (im *Image) fsys() discfs.FS[*Entry] {
	return discfs.FS[*Entry]{Root: im.root, Children: (*Entry).children, Fault: (*Entry).fault}
}

// Open opens a file or directory of the image, following symlinks inside
// the image. Files implement io.ReaderAt and io.Seeker; directories
// implement fs.ReadDirFile.
func (im *Image) Open(name string) (fs.File, error) { return im.fsys().Open(name) }

// ReadDir lists a directory, sorted by name.
func (im *Image) ReadDir(name string) ([]fs.DirEntry, error) { return im.fsys().ReadDir(name) }

// ReadFile returns a regular file's contents.
func (im *Image) ReadFile(name string) ([]byte, error) { return im.fsys().ReadFile(name) }

// Stat describes a file, following symlinks.
func (im *Image) Stat(name string) (fs.FileInfo, error) { return im.fsys().Stat(name) }

// Lstat describes a file without following a final symlink.
func (im *Image) Lstat(name string) (fs.FileInfo, error) { return im.fsys().Lstat(name) }

// ReadLink returns a symlink's target.
func (im *Image) ReadLink(name string) (string, error) { return im.fsys().ReadLink(name) }

// Lookup resolves a slash-separated path ("" or "." is the root) without
// following a final symlink; symlinks in the middle are followed within the
// image. Leading and trailing slashes are ignored.
func (im *Image) Lookup(name string) (*Entry, error) { return im.fsys().Lookup(name) }
