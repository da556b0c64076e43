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
// Every input is decoded with each fast loop (assembly and Go).
//
// Seeds: testdata/fuzz/FuzzDecode holds valid streams from klauspost at
// several levels and a few corrupted ones; f.Add adds the streams of the
// table tests.
func FuzzDecode(f *testing.F) {
	// Long enough for the fast loops: they take over 274 bytes from the end.
	long := append(randomBytes(3, 1500, 0), randomBytes(4, 2500, 6)...)
	long = append(long, long[1000:2200]...)
	for _, level := range []int{kflate.HuffmanOnly, 0, 1, 6, 9} {
		f.Add(deflate(f, []byte("hello, hello, hello world; the quick brown fox"), level))
		f.Add(deflate(f, long, level))
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
		eachLoop(func(loop string) { checkDecode(t, loop, src, want, kerr, big) })
	})
}

// checkDecode is FuzzDecode's check of Decode with one fast loop against
// klauspost's result (want, kerr) for src.
func checkDecode(t *testing.T, loop string, src, want []byte, kerr error, big []byte) {
	if kerr == nil && len(want) > fuzzLimit {
		// Too long to compare: only check Decode stops cleanly.
		if n, _, err := Decode(big, src); n > len(big) || (err != nil && !isOurs(err)) {
			t.Fatalf("%s loop: Decode = %d, %v", loop, n, err)
		}
		return
	}
	if kerr != nil {
		n, nIn, err := Decode(big, src)
		if err == nil {
			t.Fatalf("%s loop: klauspost: %v; Decode: %d bytes, %d consumed, no error", loop, kerr, n, nIn)
		}
		if !isOurs(err) {
			t.Fatalf("%s loop: Decode error %v is not an *Error wrapping a sentinel", loop, err)
		}
		return
	}
	for _, extra := range []int{0, 100} {
		dst := make([]byte, len(want)+extra)
		n, nIn, err := Decode(dst, src)
		if err != nil {
			t.Fatalf("%s loop, dst %d bytes: Decode: %v; klauspost decodes %d bytes", loop, len(dst), err, len(want))
		}
		if !bytes.Equal(dst[:n], want) {
			t.Fatalf("%s loop, dst %d bytes: Decode returns %d bytes, klauspost %d; differ", loop, len(dst), n, len(want))
		}
		if nIn <= 0 || nIn > len(src) {
			t.Fatalf("%s loop: consumed %d of %d bytes", loop, nIn, len(src))
		}
	}
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
// the same bytes; when it fails, Zlib fails too, with an *Error. Both fast
// loops; the Adler-32 paths have their own differential fuzz test in
// internal/adler32.
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
		eachLoop(func(loop string) {
			dst := make([]byte, len(want))
			err := Zlib(dst, src)
			switch {
			case kerr != nil && err == nil:
				t.Fatalf("%s loop: klauspost: %v; Zlib: no error", loop, kerr)
			case err != nil && !isOurs(err):
				t.Fatalf("%s loop: Zlib error %v is not an *Error wrapping a sentinel", loop, err)
			case kerr == nil && err != nil:
				t.Fatalf("%s loop: klauspost decodes %d bytes; Zlib: %v", loop, len(want), err)
			case kerr == nil && !bytes.Equal(dst, want):
				t.Fatalf("%s loop: Zlib and klauspost decode different bytes", loop)
			}
		})
	})
}
