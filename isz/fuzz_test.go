package isz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// fuzzSeeds are hand-built images of the variants, small so that the
// fuzzer's minimization stays quick.
func fuzzSeeds(f *testing.F) [][]byte {
	img := testImage(5*2048, 5)
	clear(img[2048:4096])
	small := func(h hand) []byte {
		h.chunkSize, h.image = 2048, img
		if h.hdrSize == 0 {
			h.hdrSize = 64
		}
		if h.types == nil && !h.noCDT {
			h.types = []ChunkType{ZL, Z, BZ, D, ZL}
		}
		return h.build(f)
	}
	return [][]byte{
		small(hand{}),
		small(hand{zeroLM: true}),
		small(hand{hdrSize: 48}),
		small(hand{noCDT: true}),
		small(hand{trailer: true, pad: 3}),
		small(hand{ptrLen: 4}),
		small(hand{bzMagic: []byte{0, 0, 0}}),
		small(hand{encType: EncryptAES128, password: "pw"}),
	}
}

// FuzzOpen opens arbitrary bytes as an image and, when that works, reads
// and verifies it: no panic, no hang, every error typed.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)), &Options{Password: "pw"})
		if err != nil {
			checkTyped(t, err)
			return
		}
		defer r.Close()
		exercise(t, r)
	})
}

// FuzzSplit opens arbitrary bytes as the two files of a split set.
func FuzzSplit(f *testing.F) {
	img := testImage(40*2048, 6)
	h := &hand{hdrSize: 64, chunkSize: 8192, image: img, types: []ChunkType{ZL, D, BZ, ZL, D, D, ZL, ZL, D, ZL}}
	files := h.buildSplit(f, 46000)
	if len(files) != 2 {
		f.Fatalf("seed has %d files", len(files))
	}
	f.Add(files[0], files[1])
	f.Fuzz(func(t *testing.T, a, b []byte) {
		r, err := NewSplitReader([]io.ReaderAt{bytes.NewReader(a), bytes.NewReader(b)}, []int64{int64(len(a)), int64(len(b))}, nil)
		if err != nil {
			checkTyped(t, err)
			return
		}
		defer r.Close()
		exercise(t, r)
	})
}

// exercise reads a little at a few places and verifies small images.
func exercise(t *testing.T, r *Reader) {
	buf := make([]byte, 1<<16)
	for _, off := range []int64{0, r.Size() / 2, max(0, r.Size()-100)} {
		if _, err := r.ReadAt(buf, off); err != nil && err != io.EOF {
			checkTyped(t, err)
		}
	}
	r.SeekData(0)
	r.SeekHole(0)
	_ = r.Info()
	if r.Size() <= 4<<20 {
		if err := r.Verify(context.Background(), nil); err != nil {
			checkTyped(t, err)
		}
	}
}

// checkTyped fails unless err unwraps to one of the package's sentinels.
func checkTyped(t *testing.T, err error) {
	t.Helper()
	for _, s := range []error{ErrFormat, ErrUnsupported, ErrTruncated, ErrCorrupt, ErrChecksum, ErrNeedPassword, ErrPassword, ErrSegment} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("untyped error: %v", err)
}

// FuzzRoundTrip writes arbitrary data with options taken from the input
// and reads it back.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), uint8(0), uint8(0))
	f.Add(bytes.Repeat([]byte{0}, 9000), uint8(1), uint8(0xFF))
	f.Add(testImage(6*2048, 1), uint8(2), uint8(0x15))
	f.Fuzz(func(t *testing.T, data []byte, codec, flags uint8) {
		img := make([]byte, (len(data)+2047)/2048*2048)
		copy(img, data)
		opts := &WriterOptions{
			BlockSize:  2048 << (flags & 3),
			Codec:      Codec(codec % 3),
			Level:      int(flags>>2&7) + 1,
			ZeroChunks: flags&0x20 != 0,
			VSN:        1,
		}
		if flags&0x40 != 0 {
			opts.Password, opts.AESBits = "k", 128+64*int(flags>>7)
		}
		var out memFile
		if _, err := Write(&out, bytes.NewReader(img), int64(len(img)), opts); err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(bytes.NewReader(out.b), int64(len(out.b)), &Options{Password: opts.Password})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got := make([]byte, len(img))
		if n, err := r.ReadAt(got, 0); n != len(img) || (err != nil && err != io.EOF) {
			t.Fatalf("ReadAt: %d, %v", n, err)
		}
		if !bytes.Equal(got, img) {
			t.Fatal("round trip changed the data")
		}
		if err := r.Verify(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	})
}
