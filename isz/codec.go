package isz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"sync"

	"github.com/dsnet/compress/bzip2"

	raw "github.com/iszmount/iszmount/internal/inflate"
)

// bzipMagic is the bzip2 stream magic. UltraISO overwrites it in bzip2
// chunks, so the reader puts it back before decoding.
var bzipMagic = [3]byte{'B', 'Z', 'h'}

// bzip2Decoder is a pooled bzip2 reader with the bytes.Reader it reads from.
type bzip2Decoder struct {
	src bytes.Reader
	br  *bzip2.Reader
	one [1]byte
}

// bzip2 decoders are shared by all readers: their state does not depend on
// the image, and pooling them is what keeps decoding allocation-free.
// (inflate needs no pool here: internal/inflate pools its own tables.)
var bzip2Pool sync.Pool // *bzip2Decoder

// inflate decodes the zlib stream (RFC 1950) in into dst, which it must
// fill exactly: a 2-byte header, raw DEFLATE decoded straight into dst
// (the whole chunk is in memory, so no streaming reader is needed), then
// the big-endian Adler-32 of the data. Bytes after the checksum are
// ignored, as the streaming reader used before did.
func inflate(dst, in []byte) error {
	if len(in) < 2 {
		return fmt.Errorf("%w: zlib: %d-byte stream", ErrCorrupt, len(in))
	}
	switch cmf, flg := in[0], in[1]; {
	case cmf&0x0f != 8 || cmf>>4 > 7:
		return fmt.Errorf("%w: zlib: header %#02x: not DEFLATE with a window of at most 32 KiB", ErrCorrupt, cmf)
	case (uint(cmf)<<8|uint(flg))%31 != 0:
		return fmt.Errorf("%w: zlib: header %#02x%02x: bad check bits", ErrCorrupt, cmf, flg)
	case flg&0x20 != 0:
		return fmt.Errorf("%w: zlib: stream needs a preset dictionary", ErrCorrupt)
	}
	n, nIn, err := raw.Decode(dst, in[2:])
	switch {
	case errors.Is(err, raw.ErrOutputFull):
		return fmt.Errorf("%w: zlib: decodes to more than %d bytes", ErrCorrupt, len(dst))
	case err != nil:
		return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
	case n != len(dst):
		return fmt.Errorf("%w: zlib: decodes to %d bytes, want %d", ErrCorrupt, n, len(dst))
	}
	trailer := in[2+nIn:]
	if len(trailer) < 4 {
		return fmt.Errorf("%w: zlib: stream ends before its Adler-32 checksum", ErrCorrupt)
	}
	if want, got := binary.BigEndian.Uint32(trailer), adler32.Checksum(dst); got != want {
		return fmt.Errorf("%w: zlib: Adler-32 of the data is %08x, the stream says %08x", ErrCorrupt, got, want)
	}
	return nil
}

// bunzip decodes the bzip2 stream in into dst, which it must fill exactly.
// The first three bytes of in are overwritten with "BZh".
func bunzip(dst, in []byte) error {
	if len(in) < 4 {
		return fmt.Errorf("%w: bzip2: %d-byte stream", ErrCorrupt, len(in))
	}
	copy(in, bzipMagic[:])
	d, _ := bzip2Pool.Get().(*bzip2Decoder)
	if d == nil {
		d = new(bzip2Decoder)
		d.br, _ = bzip2.NewReader(nil, nil) // never fails
	}
	defer bzip2Pool.Put(d)
	d.src.Reset(in)
	if err := d.br.Reset(&d.src); err != nil {
		return fmt.Errorf("%w: bzip2: %v", ErrCorrupt, err)
	}
	return fill(dst, d.br, d.one[:], "bzip2")
}

// fill reads exactly len(dst) bytes from r and then requires the end of
// the stream (reading it also checks the stream's checksum): a chunk that
// decodes short or long is corrupt. one is a 1-byte scratch buffer.
func fill(dst []byte, r io.Reader, one []byte, codec string) error {
	n, err := io.ReadFull(r, dst)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return fmt.Errorf("%w: %s: decodes to %d bytes, want %d", ErrCorrupt, codec, n, len(dst))
		}
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, codec, err)
	}
	switch _, err := io.ReadFull(r, one); err {
	case io.EOF:
		return nil
	case nil:
		return fmt.Errorf("%w: %s: decodes to more than %d bytes", ErrCorrupt, codec, len(dst))
	default:
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, codec, err)
	}
}
