package iso9660view

import (
	"io"

	"github.com/iszmount/iszmount/internal/discfs"
)

// A file's data is one extent, or several for a multi-extent file (one
// directory record per extent, all but the last flagged 0x80; this is how
// files of 4 GiB and more are stored). An extent may be interleaved: it then
// alternates unitSize blocks of data with gapSize blocks of something else.

// extent is one run of file data. Every entry of a listed directory keeps
// one, so it is packed into 24 bytes: the on-disc fields it comes from are
// a 32-bit length, one-byte interleave sizes and a 16-bit block size.
type extent struct {
	start    int64  // image byte offset of the first data byte
	length   int64  // bytes of file data
	bs       uint16 // logical block size
	unitSize uint8  // interleaving: data blocks per unit, 0 if contiguous
	gapSize  uint8  // interleaving: blocks skipped after each unit
}

// span maps the offset off within the extent (0 <= off < length) to an image
// offset, and says how many bytes from there are contiguous in the image.
func (x extent) span(off int64) (pos, n int64) {
	if x.unitSize == 0 {
		return x.start + off, x.length - off
	}
	bs := int64(x.bs)
	unit := int64(x.unitSize) * bs
	k, within := off/unit, off%unit
	pos = x.start + k*(unit+int64(x.gapSize)*bs) + within
	return pos, min(unit-within, x.length-off)
}

// end is the image offset just past the extent's last data byte.
func (x extent) end() int64 {
	if x.length == 0 {
		return x.start
	}
	pos, _ := x.span(x.length - 1)
	return pos + 1
}

// extentReader reads a file's data from its extents. It is an io.ReaderAt,
// safe for concurrent use.
type extentReader struct {
	r       io.ReaderAt
	extents []extent
	size    int64
}

// Size returns the file size.
func (f *extentReader) Size() int64 { return f.size }

func (f *extentReader) ReadAt(p []byte, off int64) (int, error) {
	return discfs.ReadPieces(p, off, f.size, f.piece)
}

// piece reads into p the file's bytes from off that lie contiguously in one
// extent (or one interleaving unit).
func (f *extentReader) piece(p []byte, off int64) (int, error) {
	for _, x := range f.extents {
		if off >= x.length {
			off -= x.length
			continue
		}
		pos, n := x.span(off)
		n = min(n, int64(len(p)))
		m, err := f.r.ReadAt(p[:n], pos)
		if m == int(n) {
			return m, nil
		}
		if err == nil || err == io.EOF {
			err = formatErr(pos+int64(m), "file data past the end of the image")
		}
		return m, err
	}
	return 0, formatErr(-1, "file data shorter than the file") // the extents sum to the size
}
