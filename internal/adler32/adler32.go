// Package adler32 computes the Adler-32 checksum (RFC 1950) that ends
// every zlib stream, with the same results as hash/adler32 but several
// times as fast where the CPU has wide vectors.
//
// # The sums
//
// Adler-32 keeps two sums modulo 65521, the largest prime below 2^16: s1,
// one plus the sum of the bytes, and s2, the sum of the values s1 took
// after each byte. The checksum is s2<<16 | s1. Written out for n bytes
// p[0..n-1] following a state (s1, s2):
//
//	s1' = s1 + Σ p[i]
//	s2' = s2 + n·s1 + Σ (n-i)·p[i]
//
// so a block of bytes contributes two numbers that do not depend on the
// state before it: the plain sum of its bytes and their sum weighted n, n-1,
// ..., 1. The byte-at-a-time loop of hash/adler32 carries s1 into s2
// after every byte, a chain of dependent additions; the weighted form
// lets many bytes be summed at once.
//
// # The vector kernel
//
// On amd64 with AVX2 (checked at start-up), blocks of 32-byte vectors go
// to an assembly kernel (adler32_amd64.s). Per vector it adds eight-byte
// groups into four plain sums (VPSADBW), multiplies the bytes by the
// weights 32, 31, ..., 1 and adds the products pairwise into eight 32-bit
// weighted sums (VPMADDUBSW, VPMADDWD), and adds the plain sums so far
// into a third accumulator, which is multiplied by 32 at the end: every
// earlier vector's bytes weigh 32 more for each vector after them. Blocks
// are at most [blockSize] bytes, so no 32-bit lane can overflow before
// the Go code reduces the block's sums modulo 65521. The bytes after the
// last whole vector, and every byte on other CPUs, take the portable loop.
package adler32

// mod is the Adler-32 modulus, the largest prime below 2^16.
const mod = 65521

// nmax is the most bytes the portable loop adds before reducing: the
// largest n with 255·n(n+1)/2 + (n+1)(mod-1) < 2^32 (from zlib).
const nmax = 5552

// blockSize is the most bytes handed to the vector kernel at once, a
// multiple of 32 small enough that its 32-bit lanes cannot overflow (the
// weighted sum of a block is below 255·blockSize²/2 < 2^31).
const blockSize = 4096

// vector, when not nil, returns the plain and the weighted sum (weights
// len(p), ..., 1) of p, whose length is a multiple of 32 and at most
// blockSize. It is set at start-up where the CPU supports it; tests clear
// it to check the portable path.
var vector func(p []byte) (sum, weighted uint32)

// Checksum returns the Adler-32 checksum of p.
func Checksum(p []byte) uint32 { return Update(1, p) }

// Update returns the Adler-32 checksum of the bytes whose checksum is
// adler followed by p (Update(1, p) == Checksum(p)).
func Update(adler uint32, p []byte) uint32 {
	s1, s2 := adler&0xffff, adler>>16
	if vector != nil {
		for len(p) >= 32 {
			n := min(len(p), blockSize) &^ 31
			sum, weighted := vector(p[:n])
			s2 = uint32((uint64(s2) + uint64(n)*uint64(s1) + uint64(weighted)) % mod)
			s1 = (s1 + sum) % mod
			p = p[n:]
		}
	}
	return portable(s1, s2, p)
}

// portable adds p to the sums one byte at a time, reducing every nmax
// bytes, and returns the checksum.
func portable(s1, s2 uint32, p []byte) uint32 {
	for len(p) > 0 {
		q := p[:min(len(p), nmax)]
		p = p[len(q):]
		for len(q) >= 8 {
			s1 += uint32(q[0])
			s2 += s1
			s1 += uint32(q[1])
			s2 += s1
			s1 += uint32(q[2])
			s2 += s1
			s1 += uint32(q[3])
			s2 += s1
			s1 += uint32(q[4])
			s2 += s1
			s1 += uint32(q[5])
			s2 += s1
			s1 += uint32(q[6])
			s2 += s1
			s1 += uint32(q[7])
			s2 += s1
			q = q[8:]
		}
		for _, c := range q {
			s1 += uint32(c)
			s2 += s1
		}
		s1 %= mod
		s2 %= mod
	}
	return s2<<16 | s1
}
