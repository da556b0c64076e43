package isz

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestNewChunkLayout(t *testing.T) {
	for _, tc := range []struct {
		numChunks, chunkSize int
		size                 int64
		ok                   bool
	}{
		{0, 0, 0, true},           // empty image
		{0, 4096, 0, true},        // empty image with a block size
		{1, 4096, 1, true},        // one short chunk
		{1, 4096, 4096, true},     // one full chunk
		{2, 4096, 4097, true},     // short last chunk of one byte
		{3, 4096, 3 * 4096, true}, // all full
		{2, 4096, 4096, false},    // one chunk too many: the last would be empty
		{1, 4096, 4097, false},    // one chunk too few
		{1, 0, 1, false},          // zero chunk size
		{1, -5, 1, false},         // negative chunk size
		{-1, 4096, 0, false},      // negative count
		{1, 4096, -1, false},      // negative size
		{0, 4096, 1, false},       // data but no chunk
		{math.MaxInt32, math.MaxInt32, math.MaxInt64, false},
		{4, math.MaxInt32, 3*math.MaxInt32 + 1, true},
	} {
		_, err := newChunkLayout(tc.numChunks, tc.chunkSize, tc.size)
		if (err == nil) != tc.ok {
			t.Errorf("newChunkLayout(%d, %d, %d) = %v, want ok=%v", tc.numChunks, tc.chunkSize, tc.size, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Errorf("newChunkLayout(%d, %d, %d) = %v, want ErrFormat", tc.numChunks, tc.chunkSize, tc.size, err)
		}
	}
}

func TestChunkSpansTable(t *testing.T) {
	// 3 chunks of 10 bytes, the last holding 5: image of 25 bytes.
	l, err := newChunkLayout(3, 10, 25)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		off  int64
		n    int
		want []chunkSpan
	}{
		{"empty", 7, 0, nil},
		{"inside first", 2, 3, []chunkSpan{{0, 2, 3, 0}}},
		{"whole first", 0, 10, []chunkSpan{{0, 0, 10, 0}}},
		{"ends on boundary", 5, 5, []chunkSpan{{0, 5, 5, 0}}},
		{"starts on boundary", 10, 3, []chunkSpan{{1, 0, 3, 0}}},
		{"straddles one boundary", 8, 4, []chunkSpan{{0, 8, 2, 0}, {1, 0, 2, 2}}},
		{"covers a middle chunk", 9, 12, []chunkSpan{{0, 9, 1, 0}, {1, 0, 10, 1}, {2, 0, 1, 11}}},
		{"whole image", 0, 25, []chunkSpan{{0, 0, 10, 0}, {1, 0, 10, 10}, {2, 0, 5, 20}}},
		{"short last chunk", 21, 4, []chunkSpan{{2, 1, 4, 0}}},
		{"last byte", 24, 1, []chunkSpan{{2, 4, 1, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := l.spans(nil, tc.off, tc.n)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("spans(%d, %d) = %v, want %v", tc.off, tc.n, got, tc.want)
			}
		})
	}
}

func TestClampRead(t *testing.T) {
	l, err := newChunkLayout(3, 10, 25)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		off   int64
		n     int
		avail int
		short bool
	}{
		{0, 0, 0, false},
		{0, 25, 25, false},
		{0, 26, 25, true},
		{24, 1, 1, false},
		{24, 2, 1, true},
		{25, 0, 0, true}, // at the end, even an empty read is at EOF
		{25, 1, 0, true},
		{1 << 62, 1, 0, true},
		{3, math.MaxInt, 22, true},
	} {
		avail, short := l.clampRead(tc.off, tc.n)
		if avail != tc.avail || short != tc.short {
			t.Errorf("clampRead(%d, %d) = %d, %v; want %d, %v", tc.off, tc.n, avail, short, tc.avail, tc.short)
		}
	}
}

// TestChunkSpansSweep checks every read of every length at every offset of
// several small geometries against the invariants: spans are in order,
// contiguous in the image and in the buffer, each inside its chunk, and
// together exactly the requested range.
func TestChunkSpansSweep(t *testing.T) {
	for _, g := range []struct {
		chunkSize int
		size      int64
	}{{1, 7}, {3, 3}, {3, 7}, {4, 16}, {5, 1}, {8, 23}, {16, 16}} {
		numChunks := int((g.size + int64(g.chunkSize) - 1) / int64(g.chunkSize))
		l, err := newChunkLayout(numChunks, g.chunkSize, g.size)
		if err != nil {
			t.Fatalf("layout %+v: %v", g, err)
		}
		total := 0
		for i := range numChunks {
			if l.chunkOffset(i) != int64(total) {
				t.Fatalf("layout %+v: chunk %d at %d, want %d", g, i, l.chunkOffset(i), total)
			}
			if n := l.chunkLen(i); n < 1 || n > g.chunkSize {
				t.Fatalf("layout %+v: chunk %d holds %d bytes", g, i, n)
			}
			total += l.chunkLen(i)
		}
		if int64(total) != g.size {
			t.Fatalf("layout %+v: chunks hold %d bytes", g, total)
		}
		for off := int64(0); off <= g.size+2; off++ {
			for n := 0; n <= int(g.size)+2; n++ {
				avail, short := l.clampRead(off, n)
				if want := max(0, min(int64(n), g.size-off)); int64(avail) != want {
					t.Fatalf("layout %+v: clampRead(%d, %d) = %d, want %d", g, off, n, avail, want)
				}
				if short != (off+int64(n) > g.size || off >= g.size) {
					t.Fatalf("layout %+v: clampRead(%d, %d) short = %v", g, off, n, short)
				}
				checkSpans(t, l, off, avail)
			}
		}
	}
}

func checkSpans(t *testing.T, l chunkLayout, off int64, n int) {
	t.Helper()
	pos, done := off, 0
	for _, s := range l.spans(nil, off, n) {
		if s.n <= 0 || s.dst != done || s.off < 0 || s.off+s.n > l.chunkLen(s.chunk) ||
			l.chunkOffset(s.chunk)+int64(s.off) != pos {
			t.Fatalf("spans(%d, %d): bad span %+v at image %d, buffer %d", off, n, s, pos, done)
		}
		// Only the first span may start inside its chunk, only the last end inside it.
		if s.off != 0 && done != 0 || s.off+s.n != l.chunkLen(s.chunk) && done+s.n != n {
			t.Fatalf("spans(%d, %d): span %+v does not run chunk to chunk", off, n, s)
		}
		pos += int64(s.n)
		done += s.n
	}
	if done != n {
		t.Fatalf("spans(%d, %d) cover %d bytes", off, n, done)
	}
}
