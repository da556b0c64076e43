//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation
// counts mean nothing under it.

package isz

import "testing"

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
