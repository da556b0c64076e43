package isz

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// roundTripImage has all-zero chunks (for ZERO), incompressible chunks
// (stored as DATA) and compressible ones; 150 sectors = 9.4 chunks of 32 KiB.
func roundTripImage() []byte {
	img := testImage(150*2048, 42)
	clear(img[testChunk : 2*testChunk])
	clear(img[5*testChunk : 6*testChunk])
	for i := 3 * testChunk; i < 4*testChunk; i++ {
		img[i] = byte(i*7919>>3) ^ byte(i>>11)*31 ^ byte(i*i>>5)
	}
	return img
}

// TestRoundTrip writes with every combination of writer options and reads
// back through Open, checking the image, Verify, the writer's rules
// (format notes §11) and that the output does not depend on Workers.
func TestRoundTrip(t *testing.T) {
	img := roundTripImage()
	type codecLevel struct {
		c Codec
		l int
	}
	// bzip2 is slow under the race detector: one level, fewer keys.
	// (The default zlib level is covered by the subtests below.)
	cls := []codecLevel{{CodecZlib, 1}, {CodecZlib, 9}, {CodecBzip2, 0}, {CodecStore, 0}}
	passwords := []struct {
		bits int
		pw   string
	}{{0, ""}, {128, "pw128"}, {192, "a 24-byte password here"}, {256, "x"}}
	for _, cl := range cls {
		for _, zero := range []bool{false, true} {
			for _, split := range []int64{0, MinSplitSize(testChunk)} {
				for k, pw := range passwords {
					if cl.c == CodecBzip2 && k%2 == 1 {
						continue
					}
					opts := WriterOptions{BlockSize: testChunk, Codec: cl.c, Level: cl.l, ZeroChunks: zero,
						SplitSize: split, AESBits: pw.bits, Password: pw.pw, VSN: 0x12345678, Workers: 3}
					name := fmt.Sprintf("%v-%d-zero=%v-split=%d-aes%d", cl.c, cl.l, zero, split, pw.bits)
					t.Run(name, func(t *testing.T) { roundTrip(t, img, opts) })
				}
			}
		}
	}
	t.Run("default block size", func(t *testing.T) {
		roundTrip(t, testImage(600*2048, 9), WriterOptions{VSN: 1})
	})
	t.Run("4 MiB blocks, ptr_len 4", func(t *testing.T) {
		roundTrip(t, testImage(2048*2048+2048, 9), WriterOptions{BlockSize: 4 << 20, Codec: CodecStore, VSN: 1})
	})
	t.Run("empty image", func(t *testing.T) { roundTrip(t, nil, WriterOptions{VSN: 1}) })
}

func roundTrip(t *testing.T, img []byte, opts WriterOptions) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.isz")
	files, err := Create(context.Background(), name, bytes.NewReader(img), int64(len(img)), &opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	r, err := Open(files[len(files)-1], &Options{Password: opts.Password})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if got := readAll(t, r); !bytes.Equal(got, img) {
		t.Fatalf("image differs after the round trip")
	}
	if err := r.Verify(context.Background(), nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	// The writer's rules.
	h := r.Header()
	if h.HeaderSize != 64 || h.Version != 1 || h.SectorSize != 2048 || h.DataOffs%4 != 0 || h.VSN != opts.VSN || h.Unknown != 0 {
		t.Errorf("header %+v", h)
	}
	if want := uint8(3); opts.BlockSize <= 4<<20-2048 && h.PtrLen != want {
		t.Errorf("ptr_len %d", h.PtrLen)
	}
	in := r.Info()
	if int64(h.DataSize) != in.StoredTotal {
		t.Errorf("data_size %d, stored %d", h.DataSize, in.StoredTotal)
	}
	for i := range r.NumChunks() {
		c := r.Chunk(i)
		switch {
		case (c.Type == ChunkZlib || c.Type == ChunkBzip2) && c.Stored >= int64(c.Size):
			t.Errorf("chunk %d: %v of %d bytes stores %d", i, c.Type, c.Size, c.Stored)
		case c.Type == ChunkZero && (!opts.ZeroChunks || c.BlkLen != uint32(c.Size)):
			t.Errorf("chunk %d: ZERO with blk_len %d (ZeroChunks %v)", i, c.BlkLen, opts.ZeroChunks)
		case opts.ZeroChunks && c.Type != ChunkZero && allZero(img[c.ImageOffset:c.ImageOffset+int64(c.Size)]):
			t.Errorf("chunk %d: all zero but stored as %v", i, c.Type)
		case opts.Codec == CodecStore && c.Type != ChunkData && c.Type != ChunkZero:
			t.Errorf("chunk %d: %v with CodecStore", i, c.Type)
		case opts.Codec == CodecZlib && c.Type == ChunkBzip2, opts.Codec == CodecBzip2 && c.Type == ChunkZlib:
			t.Errorf("chunk %d: %v with %v", i, c.Type, opts.Codec)
		}
	}
	if len(img) == 150*2048 && opts.Codec != CodecStore && in.Count[ChunkData] == 0 {
		t.Errorf("the incompressible chunk was not stored as DATA: %v", in.Count)
	}
	wantEnc := map[int]Encryption{0: EncryptNone, 128: EncryptAES128, 192: EncryptAES192, 256: EncryptAES256}[opts.AESBits]
	if opts.Password != "" && opts.AESBits == 0 {
		wantEnc = EncryptAES256
	}
	if h.Encryption != wantEnc {
		t.Errorf("encryption %v, want %v", h.Encryption, wantEnc)
	}

	// Split sets: names, sizes, the segment table, no file of only a tail.
	segs := r.Segments()
	if len(segs) != len(files) {
		t.Fatalf("%d segments, %d files", len(segs), len(files))
	}
	if opts.SplitSize == 0 {
		if len(files) != 1 || h.SegmentSize != 0 || h.SegOffs != 0 {
			t.Errorf("single file: files %v, segment_size %d, seg_offs %d", files, h.SegmentSize, h.SegOffs)
		}
	} else {
		if h.SegmentSize != opts.SplitSize || len(files) < 2 {
			t.Errorf("split: segment_size %d, %d files", h.SegmentSize, len(files))
		}
		straddles := false
		for _, s := range segs {
			straddles = straddles || s.LeftSize > 0
		}
		if opts.Codec == CodecStore && !straddles {
			t.Errorf("no chunk straddles a file boundary: %+v", segs)
		}
		for k, s := range segs {
			want := filepath.Join(dir, "out.isz")
			if k > 0 {
				want = filepath.Join(dir, fmt.Sprintf("out.i%02d", k))
			}
			if s.Name != want || s.FileSize > opts.SplitSize || s.NumChunks < 1 || s.TableSize != s.FileSize || s.DataEnd != s.FileSize {
				t.Errorf("segment %d: %+v (want name %s)", k, s, want)
			}
		}
	}

	// Deterministic whatever the number of workers.
	again := opts
	again.Workers = 1
	dir2 := t.TempDir()
	files2, err := Create(context.Background(), filepath.Join(dir2, "out.isz"), bytes.NewReader(img), int64(len(img)), &again)
	if err != nil || len(files2) != len(files) {
		t.Fatalf("second Create: %v, %d files", err, len(files2))
	}
	for k := range files {
		a, _ := os.ReadFile(files[k])
		b, _ := os.ReadFile(files2[k])
		if !bytes.Equal(a, b) {
			t.Errorf("file %d differs between Workers %d and 1", k, opts.Workers)
		}
	}
}

// TestWriterIndependentDecode decodes the writer's output with code that
// does not come from this package (standard library zlib, the table
// layout spelled out here).
func TestWriterIndependentDecode(t *testing.T) {
	img := roundTripImage()
	var f memFile
	n, err := Write(&f, bytes.NewReader(img), int64(len(img)), &WriterOptions{BlockSize: testChunk, VSN: 7})
	if err != nil || n != int64(len(f.b)) {
		t.Fatalf("Write: %d, %v (file %d bytes)", n, err, len(f.b))
	}
	b := f.b
	le := binary.LittleEndian
	if string(b[:4]) != "IsZ!" || b[4] != 64 || le.Uint32(b[6:]) != 7 || le.Uint32(b[12:]) != 150 || le.Uint32(b[25:]) != 10 ||
		le.Uint32(b[29:]) != testChunk || b[33] != 3 || le.Uint32(b[35:]) != 64 || le.Uint32(b[43:]) != 64+32 {
		t.Fatalf("header bytes % x", b[:64])
	}
	table := obfuscate(append([]byte(nil), b[64:64+30]...))
	pos := 96
	var out []byte
	var stored []byte
	for i := range 10 {
		v := uint32(table[3*i]) | uint32(table[3*i+1])<<8 | uint32(table[3*i+2])<<16
		typ, l := v>>22, int(v&(1<<22-1))
		chunk := b[pos : pos+l]
		stored = append(stored, chunk...)
		pos += l
		switch typ {
		case 1:
			out = append(out, chunk...)
		case 2:
			zr, err := zlib.NewReader(bytes.NewReader(chunk))
			if err != nil {
				t.Fatalf("chunk %d: %v", i, err)
			}
			d, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("chunk %d: %v", i, err)
			}
			out = append(out, d...)
		default:
			t.Fatalf("chunk %d: type %d", i, typ)
		}
	}
	if pos != len(b) || !bytes.Equal(out, img) {
		t.Fatalf("independent decode: end %d of %d, image equal %v", pos, len(b), bytes.Equal(out, img))
	}
	if le.Uint32(b[48:]) != ^crc32.ChecksumIEEE(img) || le.Uint32(b[60:]) != ^crc32.ChecksumIEEE(stored) || le.Uint32(b[52:]) != uint32(len(stored)) {
		t.Errorf("checksums/data_size wrong")
	}
}

func TestWriterProgress(t *testing.T) {
	img := roundTripImage()
	var last int64
	calls := 0
	opts := &WriterOptions{BlockSize: testChunk, Progress: func(done, total int64) {
		if done <= last || total != int64(len(img)) {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
		calls++
	}}
	if _, err := Write(&memFile{}, bytes.NewReader(img), int64(len(img)), opts); err != nil {
		t.Fatal(err)
	}
	if last != int64(len(img)) || calls != 10 {
		t.Errorf("progress ended at %d after %d calls", last, calls)
	}
}

// TestCreateCancel: cancelling the context from the progress callback
// stops Create with the context's error and leaves no file behind.
func TestCreateCancel(t *testing.T) {
	img := roundTripImage()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := &WriterOptions{BlockSize: testChunk, SplitSize: MinSplitSize(testChunk), Workers: 1,
		Progress: func(done, total int64) { cancel() }}
	files, err := Create(ctx, filepath.Join(dir, "c.isz"), bytes.NewReader(img), int64(len(img)), opts)
	if !errors.Is(err, context.Canceled) || files != nil {
		t.Fatalf("Create = %q, %v; want context.Canceled", files, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestWriterErrors(t *testing.T) {
	img := roundTripImage()
	tests := []struct {
		name string
		size int64
		src  io.Reader
		opts WriterOptions
	}{
		{"size not whole sectors", 1000, bytes.NewReader(img), WriterOptions{}},
		{"block size not sectors", int64(len(img)), bytes.NewReader(img), WriterOptions{BlockSize: 3000}},
		{"block size too big", int64(len(img)), bytes.NewReader(img), WriterOptions{BlockSize: MaxChunkSize + 2048}},
		{"level", int64(len(img)), bytes.NewReader(img), WriterOptions{Level: 10}},
		{"codec", int64(len(img)), bytes.NewReader(img), WriterOptions{Codec: 7}},
		{"aes bits", int64(len(img)), bytes.NewReader(img), WriterOptions{Password: "x", AESBits: 100}},
		{"aes without password", int64(len(img)), bytes.NewReader(img), WriterOptions{AESBits: 128}},
		{"password longer than key", int64(len(img)), bytes.NewReader(img), WriterOptions{AESBits: 128, Password: "12345678901234567"}},
		{"split too small", int64(len(img)), bytes.NewReader(img), WriterOptions{BlockSize: testChunk, SplitSize: MinSplitSize(testChunk) - 1}},
		{"too many files", int64(len(img)) * 40, io.MultiReader(bytes.NewReader(bytes.Repeat(img, 40))), WriterOptions{BlockSize: 2048, Codec: CodecStore, SplitSize: MinSplitSize(2048)}},
		{"short source", int64(len(img)) + 2048, bytes.NewReader(img), WriterOptions{}},
		{"failing source", int64(len(img)), failingReader{}, WriterOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := Create(context.Background(), filepath.Join(dir, "x.isz"), tc.src, tc.size, &tc.opts)
			if err == nil {
				t.Fatalf("Create succeeded: %v", files)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("files left behind after %v: %v", err, left)
			}
		})
	}
	if _, err := Write(&memFile{}, bytes.NewReader(img), int64(len(img)), &WriterOptions{SplitSize: 1 << 20}); err == nil {
		t.Error("Write with SplitSize succeeded")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestCreatePartNaming(t *testing.T) {
	img := roundTripImage()
	dir := t.TempDir()
	files, err := Create(context.Background(), filepath.Join(dir, "disc.part01.isz"), bytes.NewReader(img), int64(len(img)),
		&WriterOptions{BlockSize: testChunk, Codec: CodecStore, SplitSize: MinSplitSize(testChunk)})
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range files {
		if want := filepath.Join(dir, fmt.Sprintf("disc.part%02d.isz", k+1)); f != want {
			t.Errorf("file %d is %s, want %s", k, f, want)
		}
	}
	r, err := Open(files[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(readAll(t, r), img) {
		t.Error("image differs")
	}
}

// A split size larger than the image gives one file, still with a segment
// table, which readers accept.
func TestSplitLargerThanImage(t *testing.T) {
	img := roundTripImage()
	dir := t.TempDir()
	files, err := Create(context.Background(), filepath.Join(dir, "one.isz"), bytes.NewReader(img), int64(len(img)), &WriterOptions{BlockSize: testChunk, SplitSize: 10 << 20})
	if err != nil || len(files) != 1 {
		t.Fatalf("Create: %v, %v", files, err)
	}
	r, err := Open(files[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); h.SegOffs == 0 || h.SegmentSize != 10<<20 || len(r.Segments()) != 1 || !bytes.Equal(readAll(t, r), img) {
		t.Errorf("header %+v, segments %+v", h, r.Segments())
	}
}

// TestSplitSweep writes images of 1 to 40 sectors in 2 KiB chunks split
// at the smallest size, so that every way a chunk can meet a file end
// happens: exactly at the end, straddling it, and the last chunk moved
// whole to a new file (so that no file holds only a chunk's tail).
func TestSplitSweep(t *testing.T) {
	split := MinSplitSize(2048)
	moved, straddled := 0, 0
	for sectors := 1; sectors <= 40; sectors++ {
		img := testImage(sectors*2048, uint64(sectors))
		dir := t.TempDir()
		files, err := Create(context.Background(), filepath.Join(dir, "s.isz"), bytes.NewReader(img), int64(len(img)),
			&WriterOptions{BlockSize: 2048, Codec: CodecStore, SplitSize: split, VSN: 3})
		if err != nil {
			t.Fatalf("%d sectors: %v", sectors, err)
		}
		r, err := Open(files[0], nil)
		if err != nil {
			t.Fatalf("%d sectors: %v", sectors, err)
		}
		if !bytes.Equal(readAll(t, r), img) {
			t.Errorf("%d sectors: image differs", sectors)
		}
		segs := r.Segments()
		for k, s := range segs {
			if s.NumChunks < 1 || s.FileSize > split {
				t.Errorf("%d sectors: file %d: %+v", sectors, k, s)
			}
			if s.LeftSize > 0 {
				straddled++
			}
			if k < len(segs)-1 && s.LeftSize == 0 && s.FileSize < split {
				moved++
				if k != len(segs)-2 || segs[k+1].NumChunks != 1 || segs[k+1].ChunkOffset != HeaderSize {
					t.Errorf("%d sectors: file %d ends early but not before the last chunk: %+v", sectors, k, segs)
				}
			}
		}
		r.Close()
	}
	if moved == 0 || straddled == 0 {
		t.Errorf("sweep never moved the last chunk (%d) or straddled (%d)", moved, straddled)
	}
}
