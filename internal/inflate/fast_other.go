//go:build !amd64 || purego

package inflate

// fastBMI2 exists only on amd64; elsewhere fastAsm stays false and this is
// never called. Decoding nothing (status 0) leaves every symbol to the Go
// loop.
func fastBMI2(dst []byte, o int, br *bitReader, lt *[litlenTableSize]uint32, dt *[distTableSize]uint32) (nOut int, status int) {
	return o, 0
}
