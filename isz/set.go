package isz

// Opening an image: the files of a split set, found by name (Open) or
// given (NewSplitReader), each checked to be a regular file that belongs
// to the set before the reader uses it.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
)

// segment is one open file of an image.
type segment struct {
	name string
	r    io.ReaderAt
	size int64
	c    io.Closer // nil for NewReader
	hdr  Header
}

// Open opens the ISZ image name; when it is one member of a split set
// (.isz/.iNN, .partNN.isz, .partNNN.isz), the whole set is found and opened.
// The first file is the one whose seg_no is 0, whatever its name.
func Open(name string, opts *Options) (*Reader, error) {
	given, err := openSegment(name)
	if err != nil {
		return nil, err
	}
	names := parseSetName(name)
	open := []*segment{given}
	closeAll := func() {
		for _, s := range open {
			s.c.Close()
		}
	}
	first := given
	if given.hdr.SegNo != 0 {
		first, err = openMember(names, 0, given.hdr.VSN)
		if err != nil {
			closeAll()
			return nil, err
		}
		open = append(open, first)
	}
	openSeg := func(k int) (*segment, error) {
		if k == int(given.hdr.SegNo) {
			return given, given.checkMember(k, first.hdr.VSN)
		}
		s, err := openMember(names, k, first.hdr.VSN)
		if err == nil {
			open = append(open, s)
		}
		return s, err
	}
	r, err := newReader(first, openSeg, opts)
	if err != nil {
		closeAll()
		return nil, err
	}
	// Keep only the files the image uses (a stray member named on the
	// command line of a single-file image is closed).
	for _, s := range open {
		if !slices.Contains(r.segs, s) {
			s.c.Close()
		}
	}
	return r, nil
}

// openSegment opens one file and parses its header. Only regular files
// are opened: opening a named pipe for reading would block until a writer
// came, so the file is checked before it is opened (and the open file
// checked to be the one that was), and anything else is refused.
func openSegment(name string) (*segment, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(name, st)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fst, err := f.Stat()
	if err == nil && !os.SameFile(st, fst) {
		err = notRegular(name, fst)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &segment{name: name, r: f, size: fst.Size(), c: f}
	if err := s.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// notRegular is the error for a file that is not a regular file (or was
// replaced between the check and the open).
func notRegular(name string, st fs.FileInfo) error {
	kind := "not a regular file"
	switch t := st.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		kind = "a named pipe, not a regular file"
	case t&fs.ModeDevice != 0:
		kind = "a device, not a regular file"
	case t&fs.ModeSocket != 0:
		kind = "a socket, not a regular file"
	case t&fs.ModeDir != 0:
		kind = "a directory, not a regular file"
	case t == 0:
		kind = "replaced while being opened"
	}
	return fmt.Errorf("%w: %s is %s", ErrUnsupported, name, kind)
}

// openMember opens segment k of a set and checks that it belongs to it.
func openMember(names setNames, k int, vsn uint32) (*segment, error) {
	cands := names.member(k)
	var s *segment
	var err error
	for _, name := range cands {
		if s, err = openSegment(name); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: segment %d: %s not found", ErrSegment, k, cands[0])
	case err != nil:
		return nil, fmt.Errorf("%w: segment %d: %w", ErrSegment, k, err)
	}
	if err := s.checkMember(k, vsn); err != nil {
		s.c.Close()
		return nil, err
	}
	return s, nil
}

// checkMember checks that s is segment k of the set with serial vsn.
func (s *segment) checkMember(k int, vsn uint32) error {
	if s.hdr.VSN != vsn || int(s.hdr.SegNo) != k {
		return fmt.Errorf("%w: %s: vsn %#x seg_no %d, want vsn %#x seg_no %d",
			ErrSegment, s.name, s.hdr.VSN, s.hdr.SegNo, vsn, k)
	}
	return nil
}

// readHeader reads and parses the header of s.
func (s *segment) readHeader() error {
	if s.size <= 0 {
		return fmt.Errorf("%w: empty file", ErrTruncated)
	}
	b := make([]byte, min(s.size, HeaderSize))
	if err := s.readFull(b, 0); err != nil {
		return err
	}
	h, err := parseHeader(b)
	if err != nil {
		return err
	}
	if int64(h.HeaderSize) > s.size {
		return fmt.Errorf("%w: header_size %d, file size %d", ErrTruncated, h.HeaderSize, s.size)
	}
	s.hdr = h
	return nil
}

// NewReader reads a single-file image held in r (size bytes). Split images
// need Open (or NewSplitReader), which can find the other files.
func NewReader(r io.ReaderAt, size int64, opts *Options) (*Reader, error) {
	return NewSplitReader([]io.ReaderAt{r}, []int64{size}, opts)
}

// NewSplitReader reads an image whose files (first file, then .i01, .i02
// ...) are held in files, with sizes in sizes. A single-file image is a
// set of one.
func NewSplitReader(files []io.ReaderAt, sizes []int64, opts *Options) (*Reader, error) {
	if len(files) == 0 || len(files) != len(sizes) {
		return nil, fmt.Errorf("isz: NewSplitReader: %d files, %d sizes", len(files), len(sizes))
	}
	segs := make([]*segment, len(files))
	for k := range files {
		segs[k] = &segment{name: fmt.Sprintf("file %d", k), r: files[k], size: sizes[k]}
		if len(files) == 1 {
			segs[k].name = "image"
		}
		if err := segs[k].readHeader(); err != nil {
			if k > 0 {
				return nil, fmt.Errorf("%w: %s: %w", ErrSegment, segs[k].name, err)
			}
			return nil, err
		}
	}
	openSeg := func(k int) (*segment, error) {
		if k >= len(segs) {
			return nil, fmt.Errorf("%w: segment %d not given (%d files)", ErrSegment, k, len(segs))
		}
		if err := segs[k].checkMember(k, segs[0].hdr.VSN); err != nil {
			return nil, err
		}
		return segs[k], nil
	}
	if segs[0].hdr.SegNo != 0 {
		return nil, fmt.Errorf("%w: first file has seg_no %d", ErrSegment, segs[0].hdr.SegNo)
	}
	return newReader(segs[0], openSeg, opts)
}

// readFull fills p from s at off. Open checked that the region is in the
// file, so a short read means the file shrank since (ErrTruncated).
func (s *segment) readFull(p []byte, off int64) error {
	n, err := s.r.ReadAt(p, off)
	switch {
	case n == len(p):
		return nil
	case err == nil || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %s: %d bytes at %d, file ends", ErrTruncated, s.name, len(p), off)
	}
	return fmt.Errorf("%s: %w", s.name, err)
}
