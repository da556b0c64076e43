package isz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dsnet/compress/bzip2"
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
// the image, and pooling them is what keeps decoding allocation-free. (zlib
// chunks need no pool here: internal/inflate pools its own tables.)
var bzip2Pool sync.Pool // *bzip2Decoder

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
