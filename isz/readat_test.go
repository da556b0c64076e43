package isz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// fakeImage is a Decode function for chunkReader tests that needs no
// format code: byte x of the image is patternByte(x); some chunks are ZERO
// chunks; some fail to decode; decoding may be slowed down. It counts
// decodes per chunk.
type fakeImage struct {
	layout chunkLayout
	zero   map[int]bool
	delay  time.Duration
	gate   map[int]chan struct{} // decode of chunk k waits for gate[k] to close
	work   int                   // extra CPU work per byte, for benchmarks

	inflight, peak atomic.Int32 // decodes running now, and the most at once

	mu      sync.Mutex
	fail    map[int]int // chunk -> how many more decodes fail
	decodes []atomic.Int32
}

func newFakeImage(t testing.TB, chunkSize int, size int64) *fakeImage {
	n := int((size + int64(chunkSize) - 1) / int64(chunkSize))
	l, err := newChunkLayout(n, chunkSize, size)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeImage{layout: l, zero: map[int]bool{}, fail: map[int]int{}, gate: map[int]chan struct{}{},
		decodes: make([]atomic.Int32, n)}
}

func patternByte(x int64) byte { return byte(x*7 + x>>9 + x>>17) }

// want is the image content [off, off+n).
func (f *fakeImage) want(off int64, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		x := off + int64(k)
		if !f.zero[f.layout.chunkAt(x)] {
			b[k] = patternByte(x)
		}
	}
	return b
}

func (f *fakeImage) decode(i int, dst []byte) error {
	if len(dst) != f.layout.chunkLen(i) {
		return fmt.Errorf("decode(%d) with %d bytes, want %d", i, len(dst), f.layout.chunkLen(i))
	}
	if f.zero[i] {
		return fmt.Errorf("decode(%d) of a ZERO chunk", i)
	}
	f.decodes[i].Add(1)
	now := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for p := f.peak.Load(); now > p && !f.peak.CompareAndSwap(p, now); p = f.peak.Load() {
	}
	if g := f.gate[i]; g != nil {
		<-g
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	failing := f.fail[i] > 0
	if failing {
		f.fail[i]--
	}
	f.mu.Unlock()
	if failing {
		// Scribble over dst: a failed chunk must never be served.
		for k := range dst {
			dst[k] = 0xEE
		}
		return &ChunkError{Chunk: i, Offset: f.layout.chunkOffset(i), Err: ErrCorrupt}
	}
	base := f.layout.chunkOffset(i)
	for k := range dst {
		dst[k] = patternByte(base + int64(k))
	}
	burn(dst, f.work)
	return nil
}

// burn spends CPU like a decompressor would: rounds hashing passes over b.
func burn(b []byte, rounds int) {
	var h uint32
	for range rounds {
		for _, x := range b {
			h = h*16777619 ^ uint32(x)
		}
	}
	burnSink.Store(h) // keeps the loop from being optimised away
}

var burnSink atomic.Uint32

func (f *fakeImage) config() chunkReaderConfig {
	return chunkReaderConfig{
		Layout: f.layout,
		Decode: f.decode,
		IsZero: func(i int) bool { return f.zero[i] },
	}
}

func TestChunkReaderContent(t *testing.T) {
	f := newFakeImage(t, 1000, 10_500)
	f.zero[3] = true
	f.zero[10] = true // the short last chunk
	c := newChunkReader(f.config())
	defer c.Close()
	want := f.want(0, int(f.layout.size))
	if err := iotest.TestReader(io.NewSectionReader(c, 0, f.layout.size), want); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1, 999, 1000, 2999, 3000, 3500, 9999, 10_000, 10_499} {
		for _, n := range []int{0, 1, 2, 1000, 1001, 2500, 20_000} {
			p := make([]byte, n)
			got, err := c.ReadAt(p, off)
			wantN := int(min(int64(n), f.layout.size-off))
			if got != wantN {
				t.Fatalf("ReadAt(%d bytes, %d) = %d, want %d", n, off, got, wantN)
			}
			if (err == io.EOF) != (off+int64(n) > f.layout.size) || err != nil && err != io.EOF {
				t.Fatalf("ReadAt(%d bytes, %d): err %v", n, off, err)
			}
			if !bytes.Equal(p[:got], want[off:off+int64(got)]) {
				t.Fatalf("ReadAt(%d bytes, %d): wrong bytes", n, off)
			}
		}
	}
	if n, err := c.ReadAt(make([]byte, 1), f.layout.size); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v; want 0, EOF", n, err)
	}
	if n, err := c.ReadAt(make([]byte, 1), -1); n != 0 || err == nil {
		t.Errorf("ReadAt at -1 = %d, %v; want an error", n, err)
	}
}

func TestChunkReaderDecodeError(t *testing.T) {
	f := newFakeImage(t, 100, 1000)
	f.fail[4] = 1
	c := newChunkReader(f.config())
	defer c.Close()
	p := make([]byte, 300)
	n, err := c.ReadAt(p, 250) // chunks 2, 3, 4, 5
	var ce *ChunkError
	if !errors.As(err, &ce) || ce.Chunk != 4 || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadAt over a bad chunk: %v, want the *ChunkError of chunk 4", err)
	}
	if n != 150 || !bytes.Equal(p[:n], f.want(250, n)) {
		t.Fatalf("ReadAt over a bad chunk returned %d bytes, want the 150 before it", n)
	}
	// The failure is not remembered: the next read decodes again and succeeds.
	if n, err := c.ReadAt(p, 250); n != 300 || err != nil || !bytes.Equal(p, f.want(250, 300)) {
		t.Fatalf("second ReadAt = %d, %v; want the data", n, err)
	}
}

func TestChunkReaderClosed(t *testing.T) {
	f := newFakeImage(t, 100, 1000)
	c := newChunkReader(f.config())
	c.Close()
	c.Close() // idempotent
	if _, err := c.ReadAt(make([]byte, 10), 0); err == nil {
		t.Fatal("ReadAt after Close succeeded")
	}
}

// FuzzChunkReader reads arbitrary ranges of arbitrary geometries, with
// ZERO and failing chunks, small caches and several workers, and checks
// every byte and every error against the fake image.
func FuzzChunkReader(f *testing.F) {
	f.Add([]byte{7, 1, 0, 2, 3, 0x10, 0x04, 0, 0, 9, 0, 0, 40, 200, 3, 0, 0, 1, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{63, 255, 255, 3, 15, 0xff, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 7 {
			return
		}
		chunkSize := 1 + int(data[0]%64)
		size := int64(data[1])<<8 | int64(data[2])
		img := newFakeImage(t, chunkSize, size)
		failing := map[int]bool{}
		for i := range img.layout.numChunks {
			if data[5]>>(i%8)&1 == 1 && i%3 == 0 {
				img.zero[i] = true
			} else if data[6]>>(i%8)&1 == 1 && i%5 == 1 {
				img.fail[i] = 1 << 30
				failing[i] = true
			}
		}
		cfg := img.config()
		cfg.Workers = 1 + int(data[3]%4)
		cfg.CacheSize = int64(data[4]%16) * int64(chunkSize)
		r := newChunkReader(cfg)
		defer r.Close()
		for ops := data[7:]; len(ops) >= 3; ops = ops[3:] {
			off := (int64(ops[0])<<8 | int64(ops[1])) % (size + 8)
			p := make([]byte, int(ops[2])*3)
			n, err := r.ReadAt(p, off)
			want := int(max(0, min(int64(len(p)), size-off)))
			var ce *ChunkError
			switch {
			case errors.As(err, &ce):
				if !failing[ce.Chunk] || int64(n) != max(0, img.layout.chunkOffset(ce.Chunk)-off) {
					t.Fatalf("ReadAt(%d, %d) = %d, %v", len(p), off, n, err)
				}
			case n != want || (err == io.EOF) != (off+int64(len(p)) > size || off >= size) || err != nil && err != io.EOF:
				t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d bytes", len(p), off, n, err, want)
			}
			if !bytes.Equal(p[:n], img.want(off, n)) {
				t.Fatalf("ReadAt(%d, %d): wrong bytes", len(p), off)
			}
		}
		checkInvariants(t, r)
	})
}
