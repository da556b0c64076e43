package inflate

import (
	"encoding/binary"
	"fmt"

	"github.com/iszmount/iszmount/internal/adler32"
)

// Zlib decodes the zlib stream (RFC 1950) at the start of src into dst,
// which it must fill exactly: a 2-byte header (DEFLATE, a window of at
// most 32 KiB, no preset dictionary), raw DEFLATE decoded by [Decode], then
// the big-endian Adler-32 of the data. Bytes after the checksum are
// ignored. Every error is an *[Error] whose Offset counts from the start of
// src. isz decodes its chunks and iso9660view its zisofs blocks with it.
func Zlib(dst, src []byte) error {
	if len(src) < 2 {
		return &Error{Err: ErrTruncated, Detail: fmt.Sprintf("%d-byte zlib stream", len(src))}
	}
	switch cmf, flg := src[0], src[1]; {
	case cmf&0x0f != 8 || cmf>>4 > 7:
		return &Error{Err: ErrCorrupt, Detail: fmt.Sprintf("zlib header %#02x: not DEFLATE with a window of at most 32 KiB", cmf)}
	case (uint(cmf)<<8|uint(flg))%31 != 0:
		return &Error{Offset: 1, Err: ErrCorrupt, Detail: fmt.Sprintf("zlib header %#02x%02x: bad check bits", cmf, flg)}
	case flg&0x20 != 0:
		return &Error{Offset: 1, Err: ErrCorrupt, Detail: "zlib stream needs a preset dictionary"}
	}
	n, used, err := Decode(dst, src[2:])
	if e, ok := err.(*Error); ok {
		e.Offset += 2
		return e
	}
	end := 2 + used
	if n != len(dst) {
		return &Error{Offset: end, Err: ErrCorrupt, Detail: fmt.Sprintf("decodes to %d bytes, want %d", n, len(dst))}
	}
	if len(src)-end < 4 {
		return &Error{Offset: end, Err: ErrTruncated, Detail: "stream ends before its Adler-32 checksum"}
	}
	if want, got := binary.BigEndian.Uint32(src[end:]), adler32.Checksum(dst); got != want {
		return &Error{Offset: end, Err: ErrCorrupt, Detail: fmt.Sprintf("Adler-32 of the data is %08x, the stream says %08x", got, want)}
	}
	return nil
}
