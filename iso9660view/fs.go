package iso9660view

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

// ioFS is the image seen through io/fs (the glue udfview shares).
func (im *Image) ioFS() discfs.FS[*Entry] {
	return discfs.FS[*Entry]{Root: im.root, LinkErr: (*Entry).fault}
}

// Open opens a file or directory of the image, following symlinks inside
// the image. Files implement io.ReaderAt and io.Seeker (devices and FIFOs
// read as empty); directories implement fs.ReadDirFile.
func (im *Image) Open(name string) (fs.File, error) { return im.ioFS().Open(name) }

// ReadDir lists a directory, sorted by name.
func (im *Image) ReadDir(name string) ([]fs.DirEntry, error) { return im.ioFS().ReadDir(name) }

// ReadFile returns a regular file's contents.
func (im *Image) ReadFile(name string) ([]byte, error) { return im.ioFS().ReadFile(name) }

// Stat describes a file, following symlinks.
func (im *Image) Stat(name string) (fs.FileInfo, error) { return im.ioFS().Stat(name) }

// Lstat describes a file without following a final symlink.
func (im *Image) Lstat(name string) (fs.FileInfo, error) { return im.ioFS().Lstat(name) }

// ReadLink returns a symlink's target (an error if a broken continuation
// area cut it).
func (im *Image) ReadLink(name string) (string, error) { return im.ioFS().ReadLink(name) }
