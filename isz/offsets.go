package isz

// Offset math: how a range of the decompressed image maps onto chunks.
//
// An image of Size bytes is cut into NumChunks chunks. Every chunk holds
// ChunkSize bytes except the last, which holds the rest (1..ChunkSize bytes):
//
//	image   |<------------------------ Size ------------------------>|
//	chunks  |   0    |   1    |   2    |   3    |   4    |  5 (short)  |
//	read              [off ........................ off+n)
//	spans             |1: Off..end|2: all  |3: all |4: 0..x|
//
// All functions here are pure: no I/O, no locks, so they are tested by
// table and by exhaustive sweep (offsets_test.go).

import "fmt"

// chunkLayout is the geometry of an image: how many chunks, how big.
type chunkLayout struct {
	numChunks int
	chunkSize int
	size      int64
}

// newChunkLayout checks that numChunks chunks of chunkSize bytes (the last
// one possibly short but never empty) hold exactly size bytes.
func newChunkLayout(numChunks, chunkSize int, size int64) (chunkLayout, error) {
	l := chunkLayout{numChunks: numChunks, chunkSize: chunkSize, size: size}
	switch {
	case numChunks < 0 || size < 0:
		return l, fmt.Errorf("%w: negative chunk count %d or image size %d", ErrFormat, numChunks, size)
	case numChunks == 0 && size == 0:
		return l, nil
	case chunkSize <= 0:
		return l, fmt.Errorf("%w: chunk size %d", ErrFormat, chunkSize)
	}
	// The last chunk starts at (numChunks-1)*chunkSize and holds 1..chunkSize
	// bytes. Divide rather than multiply so that no product can overflow.
	if want := (size + int64(chunkSize) - 1) / int64(chunkSize); int64(numChunks) != want {
		return l, fmt.Errorf("%w: %d chunks of %d bytes cannot hold an image of %d bytes (need %d chunks)",
			ErrFormat, numChunks, chunkSize, size, want)
	}
	return l, nil
}

// chunkOffset is the image offset of the first byte of chunk i.
func (l chunkLayout) chunkOffset(i int) int64 { return int64(i) * int64(l.chunkSize) }

// chunkLen is the number of bytes chunk i holds (0 for an index out of range).
func (l chunkLayout) chunkLen(i int) int {
	if i < 0 || i >= l.numChunks {
		return 0
	}
	if i < l.numChunks-1 {
		return l.chunkSize
	}
	return int(l.size - l.chunkOffset(i))
}

// chunkAt is the index of the chunk holding image offset off (0 <= off < size).
func (l chunkLayout) chunkAt(off int64) int { return int(off / int64(l.chunkSize)) }

// chunkSpan is the part of one chunk that a read covers.
type chunkSpan struct {
	chunk int // chunk index
	off   int // first byte within the chunk
	n     int // number of bytes
	dst   int // where those bytes go in the caller's buffer
}

// clampRead trims a read of n bytes at off to the image. It returns the
// number of bytes that exist there (0 at or past the end) and whether the
// read was cut short, which ReadAt reports as io.EOF. off must be >= 0.
func (l chunkLayout) clampRead(off int64, n int) (avail int, short bool) {
	if off >= l.size {
		return 0, true
	}
	if rest := l.size - off; int64(n) > rest {
		return int(rest), true
	}
	return n, false
}

// spans cuts the image range [off, off+n) into one span per chunk it touches,
// in order, and appends them to dst. The range must lie inside the image
// (use clampRead first); an empty range yields no span.
func (l chunkLayout) spans(dst []chunkSpan, off int64, n int) []chunkSpan {
	done := 0
	for done < n {
		pos := off + int64(done)
		i := l.chunkAt(pos)
		in := int(pos - l.chunkOffset(i))
		take := min(l.chunkLen(i)-in, n-done)
		dst = append(dst, chunkSpan{chunk: i, off: in, n: take, dst: done})
		done += take
	}
	return dst
}
