package cliutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/internal/exitcode"
	"github.com/iszmount/iszmount/isz"
)

// ImageFile is a file named as an image, opened for reading and sniffed.
type ImageFile struct {
	*os.File
	Size    int64     // bytes: the file's size, or a block device's
	ModTime time.Time // the file's modification time
	ISZ     bool      // it starts with an ISZ header
}

// OpenImage opens name, a disc image given on the command line, the one
// way both commands do: without blocking, whatever name is (a FIFO would
// block open(2) until a writer appears, a terminal would wait for a
// line), and refusing what cannot be an image before reading from it:
// directories, FIFOs, sockets, character devices. Regular files and block
// devices are accepted. An empty file is refused too (exit code BadImage):
// it holds no image of any kind. ISZ reports whether the file starts with
// an ISZ header (isz.IsISZ); the caller then hands name to isz.Open, which
// finds the rest of a split set.
func OpenImage(name string) (*ImageFile, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	im, err := sniff(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return im, nil
}

func sniff(f *os.File) (*ImageFile, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m := st.Mode()
	switch {
	case m.IsDir():
		return nil, &fs.PathError{Op: "open", Path: f.Name(), Err: syscall.EISDIR}
	case !m.IsRegular() && (m&fs.ModeDevice == 0 || m&fs.ModeCharDevice != 0):
		return nil, fmt.Errorf("%s: not a regular file or block device (%s)", f.Name(), fileKind(m))
	}
	// Reads of a regular file or a disk ignore O_NONBLOCK; clear it anyway
	// so that nothing downstream sees EAGAIN.
	if err := unix.SetNonblock(int(f.Fd()), false); err != nil {
		return nil, err
	}
	size := st.Size()
	if !m.IsRegular() {
		if size, err = f.Seek(0, io.SeekEnd); err != nil {
			return nil, err
		}
	}
	if size == 0 {
		return nil, exitcode.With(exitcode.BadImage, fmt.Errorf("%s: empty file, not a disc image", f.Name()))
	}
	head := make([]byte, isz.HeaderSize)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &ImageFile{File: f, Size: size, ModTime: st.ModTime(), ISZ: isz.IsISZ(head[:n])}, nil
}

// fileKind names a non-regular file type for an error message.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "mode " + m.String()
}
