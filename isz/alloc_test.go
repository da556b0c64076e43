//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation
// counts mean nothing under it.

package isz

import (
	"runtime"
	"testing"
)

// TestDecodeAllocs checks that decoding a chunk allocates nothing once the
// pools are warm, for every codec, with and without AES. The one exception
// is inside dsnet's bzip2 reader, which reports the end of a stream by a
// panic it recovers from: one small allocation per bzip2 chunk.
func TestDecodeAllocs(t *testing.T) {
	for _, pw := range []string{"", "secret"} {
		h := variant([]ChunkType{ZL, D, BZ, Z, ZL}, testSize)
		if pw != "" {
			h.encType, h.password = EncryptAES256, pw
		}
		r := memReader(t, h.build(t), &Options{Password: pw})
		dst := make([]byte, testChunk)
		for i := range 4 {
			if err := r.decode(i, dst); err != nil { // warm the pools
				t.Fatal(err)
			}
			allowed := 0.0
			if r.Chunk(i).Type == ChunkBzip2 {
				allowed = 1
			}
			if n := testing.AllocsPerRun(20, func() {
				if err := r.decode(i, dst); err != nil {
					t.Fatal(err)
				}
			}); n > allowed {
				t.Errorf("password %q: chunk %d (%v): %.1f allocations per decode", pw, i, r.Chunk(i).Type, n)
			}
		}
	}
}

// TestCacheStreamTotalAlloc streams an image eight times the cache, with
// 128 KiB chunks as in real images: all the memory the stream allocates,
// chunk buffers and bookkeeping, stays within the budget plus a small
// constant, and a second pass allocates almost nothing.
func TestCacheStreamTotalAlloc(t *testing.T) {
	const chunk, budget = 128 << 10, 8 << 20
	f := newFakeImage(t, chunk, 8*budget)
	r := newTestReader(t, f, 2, budget)
	var before, first, second runtime.MemStats
	runtime.ReadMemStats(&before)
	streamImage(t, r, f, chunk)
	runtime.ReadMemStats(&first)
	streamImage(t, r, f, chunk)
	runtime.ReadMemStats(&second)
	const slack = 1 << 20 // entries, channels, queues: a few hundred bytes per chunk
	t.Logf("TotalAlloc: first pass %d KiB, second pass %d KiB (budget %d KiB, image %d KiB)",
		(first.TotalAlloc-before.TotalAlloc)>>10, (second.TotalAlloc-first.TotalAlloc)>>10, budget>>10, f.layout.size>>10)
	if got := first.TotalAlloc - before.TotalAlloc; got > budget+slack {
		t.Errorf("first pass allocated %d bytes, budget %d", got, budget)
	}
	if got := second.TotalAlloc - first.TotalAlloc; got > slack {
		t.Errorf("second pass allocated %d bytes", got)
	}
}
