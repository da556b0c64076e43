package adler32

import (
	"hash/adler32"
	"math/rand/v2"
	"testing"
)

// paths runs f once on each implementation this machine has: the vector
// kernel (if the CPU has it) and the portable loop, forced by clearing
// vector.
func paths(t testing.TB, f func(t testing.TB)) {
	saved := vector
	t.Cleanup(func() { vector = saved })
	if saved != nil {
		f(t)
	}
	vector = nil
	f(t)
}

// TestChecksum compares Checksum and Update with hash/adler32 on every
// length up to a few blocks (so every tail length and block boundary is
// hit), on all-0xff bytes (the largest sums, for overflow) and random
// bytes, from the initial state and from arbitrary ones.
func TestChecksum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ff := make([]byte, 3*blockSize+nmax+40)
	for i := range ff {
		ff[i] = 0xff
	}
	rnd := make([]byte, len(ff))
	for i := range rnd {
		rnd[i] = byte(rng.Uint32())
	}
	paths(t, func(t testing.TB) {
		for _, p := range [][]byte{ff, rnd} {
			for n := 0; n <= len(p); n += 1 + n/64 {
				if got, want := Checksum(p[:n]), adler32.Checksum(p[:n]); got != want {
					t.Fatalf("vector=%v: Checksum of %d bytes %#x = %08x, want %08x", vector != nil, n, p[0], got, want)
				}
			}
		}
		for range 200 {
			// A state reached by real data, then more data.
			a, b := rng.IntN(len(rnd)), rng.IntN(len(rnd))
			head, tail := rnd[:a], rnd[a:][:min(b, len(rnd)-a)]
			h := adler32.New()
			h.Write(head)
			h.Write(tail)
			if got, want := Update(Checksum(head), tail), h.Sum32(); got != want {
				t.Fatalf("vector=%v: Update after %d bytes, %d more = %08x, want %08x", vector != nil, len(head), len(tail), got, want)
			}
		}
	})
}

// FuzzChecksum holds Update to hash/adler32 on arbitrary bytes and
// starting states, on both paths.
func FuzzChecksum(f *testing.F) {
	f.Add(uint32(1), []byte("Adler-32 of zlib streams"))
	f.Add(uint32(0xfff0fff0), make([]byte, 100))
	f.Fuzz(func(t *testing.T, start uint32, p []byte) {
		// Any state below the modulus in both halves is reachable.
		start = (start>>16%mod)<<16 | start&0xffff%mod
		want := updateReference(start, p)
		paths(t, func(t testing.TB) {
			if got := Update(start, p); got != want {
				t.Fatalf("vector=%v: Update(%08x, %d bytes) = %08x, want %08x", vector != nil, start, len(p), got, want)
			}
		})
	})
}

// updateReference is Update by the definition, one byte at a time.
func updateReference(start uint32, p []byte) uint32 {
	s1, s2 := start&0xffff, start>>16
	for _, c := range p {
		s1 = (s1 + uint32(c)) % mod
		s2 = (s2 + s1) % mod
	}
	return s2<<16 | s1
}

// BenchmarkChecksum compares Checksum on 128 KiB (an ISZ chunk) with
// hash/adler32 and with the portable loop.
func BenchmarkChecksum(b *testing.B) {
	p := make([]byte, 128<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	b.Run("hash/adler32", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			adler32.Checksum(p)
		}
	})
	b.Run("portable", func(b *testing.B) {
		saved := vector
		defer func() { vector = saved }()
		vector = nil
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			Checksum(p)
		}
	})
	b.Run("Checksum", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			Checksum(p)
		}
	})
}
