package udfview

import (
	"sort"

	"github.com/iszmount/iszmount/internal/discfs"
)

// fileReader reads a file's data over its extents: recorded extents from
// their partition, allocated-but-unrecorded extents and holes as zeros. It
// is an io.ReaderAt, safe for concurrent use.
type fileReader struct {
	im       *Image
	extents  []extent
	embedded []byte // data recorded in the file entry itself
	size     int64
	meta     bool // the data is metadata (a directory, symlink or VAT), read with Image.readFull
}

// Size returns the file size.
func (f *fileReader) Size() int64 { return f.size }

func (f *fileReader) ReadAt(p []byte, off int64) (int, error) {
	return discfs.ReadPieces(p, off, f.size, f.piece)
}

// piece reads into p the file's bytes from off that lie contiguously in
// one extent: from embedded data, a run of blocks mapped to the image, or
// a hole (zeros).
func (f *fileReader) piece(p []byte, off int64) (int, error) {
	if f.embedded != nil {
		return copy(p, f.embedded[off:]), nil
	}
	i := sort.Search(len(f.extents), func(i int) bool { return f.extents[i].pos+f.extents[i].length > off })
	if i == len(f.extents) || off < f.extents[i].pos {
		return 0, formatErr(-1, "no extent holds byte %d of the file", off)
	}
	x := f.extents[i]
	within := off - x.pos
	n := min(int64(len(p)), x.length-within)
	if x.kind != extRecorded {
		clear(p[:n])
		return int(n), nil
	}
	blk := within / f.im.bs
	inBlk := within % f.im.bs
	pos, run, err := f.im.mapRun(x.loc.part, x.loc.lbn+uint32(blk), (inBlk+n+f.im.bs-1)/f.im.bs, false)
	if err != nil {
		return 0, err
	}
	n = min(n, run*f.im.bs-inBlk)
	read := f.im.readData
	if f.meta {
		read = f.im.readFull
	}
	if err := read(p[:n], pos+inBlk); err != nil {
		return 0, err
	}
	return int(n), nil
}
