package iso9660view

// The byte-level basics every layer uses (directory records, descriptors,
// SUSP, zisofs, El Torito): the sector size, reading exactly what a
// structure says, and the encodings of ISO 9660 fields. This file depends
// on nothing else in the package but the error constructors.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf16"
)

// sectorSize is the size of a CD/DVD sector, and of a volume descriptor.
const sectorSize = 2048

// gmtOffset turns the signed offset byte (15-minute units, -48..+52) into a
// zone; out-of-range values are treated as GMT.
func gmtOffset(b byte) *time.Location {
	q := int(int8(b))
	if q < -48 || q > 52 || q == 0 {
		return time.UTC
	}
	return time.FixedZone("", q*15*60)
}

// decodeUCS2 decodes big-endian UCS-2 (Joliet). Surrogate pairs, which
// Windows writes for characters outside the BMP, are joined; a trailing odd
// byte is ignored.
func decodeUCS2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// readFull reads exactly len(buf) bytes at off; a short read is a
// *FormatError (the image is shorter than its structures say).
func readFull(r io.ReaderAt, buf []byte, off int64) error {
	n, err := r.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return formatErr(off+int64(n), "image ends %d bytes into a %d-byte read", n, len(buf))
	}
	return fmt.Errorf("iso9660view: reading %d bytes at byte %d: %w", len(buf), off, err)
}
