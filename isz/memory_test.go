package isz

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestVerifyMemoryBounded verifies an image of the largest chunks the
// package reads, stored uncompressed, with many workers and a small cache:
// Verify keeps two chunks in flight (each a decoded chunk and two copies
// of its stored bytes), not two per worker, so what it allocates on the
// heap stays near that whatever GOMAXPROCS is.
func TestVerifyMemoryBounded(t *testing.T) {
	const chunk = MaxChunkSize
	img := make([]byte, 6*chunk)
	rand.NewChaCha8([32]byte{1}).Read(img)
	var f memFile
	if _, err := Write(&f, bytes.NewReader(img), int64(len(img)), &WriterOptions{BlockSize: chunk, Codec: CodecStore}); err != nil {
		t.Fatal(err)
	}
	img = nil
	r := memReader(t, f.b, &Options{CacheSize: 16 << 20})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := r.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	heap := after.TotalAlloc - before.TotalAlloc
	limit := uint64(2*3*chunk + 1<<20)
	t.Logf("Verify of %d chunks of %d MiB with 8 workers allocated %d MiB", 6, chunk>>20, heap>>20)
	if heap > limit {
		t.Errorf("Verify allocated %d bytes, want at most %d (two chunks in flight)", heap, limit)
	}
}

// TestChunkSizeBound: the writer refuses the chunk sizes the reader
// refuses, and accepts MaxChunkSize itself.
func TestChunkSizeBound(t *testing.T) {
	img := make([]byte, 2*MaxChunkSize)
	var f memFile
	if _, err := Write(&f, bytes.NewReader(img), int64(len(img)), &WriterOptions{BlockSize: MaxChunkSize}); err != nil {
		t.Fatalf("Write with MaxChunkSize blocks: %v", err)
	}
	if r := memReader(t, f.b, nil); r.Header().ChunkSize != MaxChunkSize {
		t.Fatalf("chunk size %d", r.Header().ChunkSize)
	}
	for _, bs := range []int{MaxChunkSize + 2048, 64 << 20} {
		var g memFile
		if _, err := Write(&g, bytes.NewReader(img), int64(len(img)), &WriterOptions{BlockSize: bs}); err == nil {
			t.Errorf("Write with %d-byte blocks succeeded", bs)
		}
		h := append([]byte(nil), f.b...)
		h[29], h[30], h[31], h[32] = byte(bs), byte(bs>>8), byte(bs>>16), byte(bs>>24)
		if _, err := NewReader(bytes.NewReader(h), int64(len(h)), nil); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Open of %d-byte chunks: %v, want ErrUnsupported", bs, err)
		}
	}
}
