//go:build amd64 && !purego

package adler32

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX2 {
		vector = sumsAVX2
	}
}

// sumsAVX2 is the vector kernel (see the package doc); len(p) must be a
// multiple of 32 and at most blockSize.
//
//go:noescape
func sumsAVX2(p []byte) (sum, weighted uint32)
