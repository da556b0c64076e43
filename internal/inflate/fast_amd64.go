//go:build amd64 && !purego

package inflate

import "golang.org/x/sys/cpu"

func init() {
	fastAsm = cpu.X86.HasBMI2
}

// fastBMI2 is the fast loop in assembly (fast_amd64.s).
//
//go:noescape
func fastBMI2(dst []byte, o int, br *bitReader, lt *[litlenTableSize]uint32, dt *[distTableSize]uint32) (nOut int, status int)
