package inflate

import (
	"bytes"
	"errors"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kzlib "github.com/klauspost/compress/zlib"
)

// fuzzLimit caps the output compared in FuzzDecode.
const fuzzLimit = 1 << 20

// FuzzDecode is a differential fuzz test against klauspost/compress/flate:
// Decode never panics; when klauspost decodes the input within fuzzLimit
// bytes, Decode returns the same bytes with no error (into a buffer of
// exactly that size and into a bigger one); when klauspost reports the
// stream corrupt or truncated, Decode returns an error too.
//
// Seeds: testdata/fuzz/FuzzDecode holds valid streams from klauspost at
// several levels and a few corrupted ones; f.Add adds the streams of the
// table tests.
func FuzzDecode(f *testing.F) {
	for _, level := range []int{kflate.HuffmanOnly, 0, 1, 6, 9} {
		f.Add(deflate(f, []byte("hello, hello, hello world; the quick brown fox"), level))
	}
	var w bitWriter
	w.stored(false, []byte("he"), ^uint16(2))
	w.put(1|1<<1, 3)
	w.fixedSym('l')
	w.fixedSym(257)
	w.code(0, 5)
	w.fixedSym(256)
	f.Add(w.bytes())
	big := make([]byte, fuzzLimit)
	f.Fuzz(func(t *testing.T, src []byte) {
		want, kerr := io.ReadAll(io.LimitReader(kflate.NewReader(bytes.NewReader(src)), fuzzLimit+1))
		if kerr == nil && len(want) > fuzzLimit {
			// Too long to compare: only check Decode stops cleanly.
			if n, _, err := Decode(big, src); n > len(big) || (err != nil && !isOurs(err)) {
				t.Fatalf("Decode = %d, %v", n, err)
			}
			return
		}
		if kerr != nil {
			n, nIn, err := Decode(big, src)
			if err == nil {
				t.Fatalf("klauspost: %v; Decode: %d bytes, %d consumed, no error", kerr, n, nIn)
			}
			if !isOurs(err) {
				t.Fatalf("Decode error %v is not an *Error wrapping a sentinel", err)
			}
			return
		}
		for _, extra := range []int{0, 100} {
			dst := make([]byte, len(want)+extra)
			n, nIn, err := Decode(dst, src)
			if err != nil {
				t.Fatalf("dst %d bytes: Decode: %v; klauspost decodes %d bytes", len(dst), err, len(want))
			}
			if !bytes.Equal(dst[:n], want) {
				t.Fatalf("dst %d bytes: Decode returns %d bytes, klauspost %d; differ", len(dst), n, len(want))
			}
			if nIn <= 0 || nIn > len(src) {
				t.Fatalf("consumed %d of %d bytes", nIn, len(src))
			}
		}
	})
}

// isOurs reports whether err is an *Error wrapping one of the sentinels.
func isOurs(err error) bool {
	var e *Error
	return errors.As(err, &e) &&
		(errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrOutputFull))
}

// FuzzZlib is the same differential test for the zlib framing, against
// klauspost/compress/zlib: when it decodes the input (checksum included)
// to at most fuzzLimit bytes, Zlib fills a buffer of exactly that size with
// the same bytes; when it fails, Zlib fails too, with an *Error.
func FuzzZlib(f *testing.F) {
	for _, level := range []int{kzlib.HuffmanOnly, 1, 9} {
		var b bytes.Buffer
		zw, _ := kzlib.NewWriterLevel(&b, level)
		zw.Write([]byte("zisofs blocks and ISZ chunks are zlib streams, zlib streams"))
		zw.Close()
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var want []byte
		zr, kerr := kzlib.NewReader(bytes.NewReader(src))
		if kerr == nil {
			want, kerr = io.ReadAll(io.LimitReader(zr, fuzzLimit+1))
			if len(want) > fuzzLimit {
				return
			}
		}
		dst := make([]byte, len(want))
		err := Zlib(dst, src)
		switch {
		case kerr != nil && err == nil:
			t.Fatalf("klauspost: %v; Zlib: no error", kerr)
		case err != nil && !isOurs(err):
			t.Fatalf("Zlib error %v is not an *Error wrapping a sentinel", err)
		case kerr == nil && err != nil:
			t.Fatalf("klauspost decodes %d bytes; Zlib: %v", len(want), err)
		case kerr == nil && !bytes.Equal(dst, want):
			t.Fatal("Zlib and klauspost decode different bytes")
		}
	})
}
