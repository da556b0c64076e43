package udfview

import (
	"io"
	"sort"
)

// fileReader reads a file's data over its extents: recorded extents from
// their partition, allocated-but-unrecorded extents and holes as zeros. It
// is an io.ReaderAt, safe for concurrent use.
type fileReader struct {
	im       *Image
	extents  []extent
	embedded []byte // data recorded in the file entry itself
	size     int64
}

// Size returns the file size.
func (f *fileReader) Size() int64 { return f.size }

func (f *fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &FormatError{Offset: -1, What: "negative read offset", Err: ErrFormat}
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := f.size - off; int64(want) > rest {
		p = p[:rest]
	}
	if f.embedded != nil {
		n := copy(p, f.embedded[off:])
		if n < want {
			return n, io.EOF
		}
		return n, nil
	}
	done := 0
	i := sort.Search(len(f.extents), func(i int) bool { return f.extents[i].pos+f.extents[i].length > off })
	for ; len(p) > 0 && i < len(f.extents); i++ {
		x := f.extents[i]
		for len(p) > 0 && off < x.pos+x.length {
			within := off - x.pos
			n := min(int64(len(p)), x.length-within)
			if x.kind != extRecorded {
				clear(p[:n])
			} else {
				blk := within / f.im.bs
				inBlk := within % f.im.bs
				pos, run, err := f.im.mapRun(x.loc.part, x.loc.lbn+uint32(blk), (inBlk+n+f.im.bs-1)/f.im.bs, false)
				if err != nil {
					return done, err
				}
				n = min(n, run*f.im.bs-inBlk)
				if err := f.im.readFull(p[:n], pos+inBlk); err != nil {
					return done, err
				}
			}
			done += int(n)
			p, off = p[n:], off+n
		}
	}
	if done < want {
		return done, io.EOF
	}
	return done, nil
}
