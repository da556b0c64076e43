package isz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/iotest"
)

const (
	testChunk = 32 << 10
	testSize  = 70 * 2048 // 5 chunks, the last one 12 KiB
)

var (
	Z, D, ZL, BZ = ChunkZero, ChunkData, ChunkZlib, ChunkBzip2
)

// variant returns a hand-built image description over a test image whose
// ZERO chunks are zero.
func variant(types []ChunkType, size int) *hand {
	img := testImage(size, uint64(len(types))*31+uint64(size))
	for i, t := range types {
		if t == ChunkZero {
			clear(img[i*testChunk : min((i+1)*testChunk, size)])
		}
	}
	return &hand{hdrSize: 64, chunkSize: testChunk, image: img, types: types, vsn: 0x4D188484}
}

// TestVariants decodes images of every variant of format notes §2-§8,
// built by hand (not by this package's writer).
func TestVariants(t *testing.T) {
	mixed := []ChunkType{ZL, D, BZ, ZL, ZL}
	tests := []struct {
		name   string
		h      *hand
		rule   ZeroRule
		raw    bool
		trail  bool
		verify bool // has checksums worth verifying
	}{
		{name: "mixed", h: variant(mixed, testSize), verify: true},
		{name: "48-byte header", h: func() *hand { h := variant(mixed, testSize); h.hdrSize = 48; return h }()},
		{name: "bzip2 magic zeroed", h: func() *hand {
			h := variant([]ChunkType{BZ, BZ, BZ, BZ, BZ}, testSize)
			h.bzMagic = []byte{0, 0, 0}
			return h
		}(), verify: true},
		{name: "data_offs padded by 2", h: func() *hand { h := variant(mixed, testSize); h.pad = 2; return h }(), verify: true},
		{name: "no chunk table", h: func() *hand { h := variant(nil, testSize); h.noCDT = true; return h }(), raw: true, verify: true},
		{name: "no chunk table, exact multiple", h: func() *hand { h := variant(nil, 4*testChunk); h.noCDT = true; return h }(), raw: true},
		{name: "zero blk_len=size (SDK)", h: variant([]ChunkType{ZL, Z, ZL, Z, D}, testSize), verify: true},
		{name: "zero blk_len=0", h: func() *hand {
			h := variant([]ChunkType{ZL, Z, ZL, D, Z}, testSize)
			h.zeroLen = func(int, int) uint32 { return 0 }
			return h
		}(), verify: true},
		{name: "zero skips blk_len (libMirage)", h: func() *hand {
			h := variant([]ChunkType{ZL, Z, ZL, Z, D}, testSize)
			h.zeroLM = true
			return h
		}(), rule: ZeroSkipsBlkLen, verify: true},
		{name: "zero skips blk_len, 48-byte header", h: func() *hand {
			h := variant([]ChunkType{Z, ZL, ZL, Z, D}, testSize)
			h.zeroLM, h.hdrSize = true, 48
			return h
		}(), rule: ZeroSkipsBlkLen},
		{name: "trailer", h: func() *hand { h := variant(mixed, testSize); h.trailer = true; return h }(), trail: true, verify: true},
		{name: "zero LM rule with trailer", h: func() *hand {
			h := variant([]ChunkType{ZL, Z, Z, ZL, D}, testSize)
			h.zeroLM, h.trailer = true, true
			return h
		}(), rule: ZeroSkipsBlkLen, trail: true, verify: true},
		{name: "ptr_len 4", h: func() *hand { h := variant(mixed, testSize); h.ptrLen = 4; return h }(), verify: true},
		{name: "ptr_len 2", h: func() *hand {
			h := variant([]ChunkType{ZL, D, ZL, D, ZL, D, ZL, D, ZL}, 36*2048)
			h.chunkSize = 8192
			h.ptrLen = 2
			return h
		}(), verify: true},
		{name: "ptr_len 1", h: func() *hand {
			h := &hand{hdrSize: 64, chunkSize: 2048, image: make([]byte, 8*2048), ptrLen: 1,
				types: []ChunkType{ZL, ZL, Z, ZL, Z, Z, ZL, ZL}}
			h.zeroLen = func(int, int) uint32 { return 0 }
			return h
		}(), verify: true},
		{name: "nblocks larger than needed", h: func() *hand { h := variant(mixed, testSize); h.nblocks = 9; return h }(), verify: true},
		{name: "one short chunk", h: variant([]ChunkType{ZL}, 2048), verify: true},
		{name: "empty image", h: &hand{hdrSize: 64, chunkSize: testChunk}, verify: true},
		{name: "aes-128 zlib", h: func() *hand {
			h := variant(mixed, testSize)
			h.encType, h.password = EncryptAES128, "secret"
			return h
		}(), verify: true},
		{name: "aes-192 bzip2", h: func() *hand {
			h := variant([]ChunkType{BZ, D, BZ, Z, BZ}, testSize)
			h.encType, h.password, h.bzMagic = EncryptAES192, "0123456789abcdef01234567", []byte{1, 2, 3}
			return h
		}(), verify: true},
		{name: "aes-256 data only", h: func() *hand {
			h := variant([]ChunkType{D, D, D, D, D}, testSize)
			h.encType, h.password = EncryptAES256, "p"
			return h
		}(), verify: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.h.build(t)
			r := memReader(t, b, &Options{Password: tc.h.password})
			if got := readAll(t, r); !bytes.Equal(got, tc.h.image) {
				t.Fatalf("decoded image differs from the source (%d vs %d bytes)", len(got), len(tc.h.image))
			}
			in := r.Info()
			if in.ZeroRule != tc.rule || in.Raw != tc.raw || in.Trailer != tc.trail {
				t.Errorf("Info: rule %v raw %v trailer %v, want %v %v %v", in.ZeroRule, in.Raw, in.Trailer, tc.rule, tc.raw, tc.trail)
			}
			if err := r.Verify(context.Background(), nil); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if tc.verify && tc.h.hdrSize == 64 && !r.Header().HasChecksums() {
				t.Errorf("header lost its checksums")
			}
		})
	}
}

func TestIOTestReader(t *testing.T) {
	// Small chunks: iotest reads byte by byte.
	img := testImage(9*2048, 3)
	clear(img[4096:8192])
	h := &hand{hdrSize: 64, chunkSize: 4096, image: img, types: []ChunkType{ZL, Z, ZL, D, ZL}}
	r := memReader(t, h.build(t), nil)
	if err := iotest.TestReader(io.NewSectionReader(r, 0, r.Size()), h.image); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentReaders(t *testing.T) {
	h := variant([]ChunkType{ZL, Z, BZ, D, ZL}, testSize)
	r := memReader(t, h.build(t), &Options{CacheSize: 2 * testChunk})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 5000)
			for k := range 60 {
				off := int64((g*7919 + k*104729) % (testSize - 100))
				n, err := r.ReadAt(buf, off)
				if err != nil && err != io.EOF {
					t.Errorf("ReadAt(%d): %v", off, err)
					return
				}
				if !bytes.Equal(buf[:n], h.image[off:off+int64(n)]) {
					t.Errorf("ReadAt(%d): wrong bytes", off)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSeekDataHole(t *testing.T) {
	h := variant([]ChunkType{Z, ZL, Z, Z, D}, testSize)
	r := memReader(t, h.build(t), nil)
	c := int64(testChunk)
	tests := []struct {
		off        int64
		data, hole int64
		dataErr    bool
	}{
		{0, c, 0, false},
		{100, c, 100, false},
		{c + 5, c + 5, 2 * c, false},
		{2*c + 1, 4 * c, 2*c + 1, false},
		{4*c + 1, 4*c + 1, testSize, false},
	}
	for _, tc := range tests {
		if got, err := r.SeekData(tc.off); err != nil || got != tc.data {
			t.Errorf("SeekData(%d) = %d, %v; want %d", tc.off, got, err, tc.data)
		}
		if got, err := r.SeekHole(tc.off); err != nil || got != tc.hole {
			t.Errorf("SeekHole(%d) = %d, %v; want %d", tc.off, got, err, tc.hole)
		}
	}
	for _, off := range []int64{-1, testSize, testSize + 1} {
		if _, err := r.SeekData(off); err != io.EOF {
			t.Errorf("SeekData(%d): %v, want EOF", off, err)
		}
		if _, err := r.SeekHole(off); err != io.EOF {
			t.Errorf("SeekHole(%d): %v, want EOF", off, err)
		}
	}
	h = variant([]ChunkType{D, Z, Z}, 3*testChunk)
	r = memReader(t, h.build(t), nil)
	if _, err := r.SeekData(c + 1); err != io.EOF {
		t.Errorf("SeekData in a trailing hole: %v, want EOF", err)
	}
}

// writeFiles writes files into dir under names and returns the paths.
func writeFiles(t *testing.T, dir string, names []string, files [][]byte) []string {
	t.Helper()
	var paths []string
	for k, f := range files {
		p := filepath.Join(dir, names[k])
		if err := os.WriteFile(p, f, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestSplitSets opens hand-built split sets under every naming scheme,
// from every member, with chunks straddling the file boundaries.
func TestSplitSets(t *testing.T) {
	h := variant([]ChunkType{ZL, D, BZ, ZL, Z}, testSize)
	files := h.buildSplit(t, 45000)
	if len(files) != 3 {
		t.Fatalf("fixture has %d files, want 3", len(files))
	}
	schemes := map[string][]string{
		"iNN":       {"img.isz", "img.i01", "img.i02"},
		"iNN upper": {"IMG.ISZ", "IMG.I01", "IMG.I02"},
		"partNN":    {"img.part01.isz", "img.part02.isz", "img.part03.isz"},
		"partNNN":   {"img.part001.isz", "img.part002.isz", "img.part003.isz"},
	}
	for name, names := range schemes {
		t.Run(name, func(t *testing.T) {
			paths := writeFiles(t, t.TempDir(), names, files)
			for _, p := range paths {
				r, err := Open(p, nil)
				if err != nil {
					t.Fatalf("Open(%s): %v", filepath.Base(p), err)
				}
				if got := readAll(t, r); !bytes.Equal(got, h.image) {
					t.Errorf("Open(%s): image differs", filepath.Base(p))
				}
				segs := r.Segments()
				if len(segs) != 3 || segs[0].Name != paths[0] || segs[2].Name != paths[2] {
					t.Errorf("Segments: %+v", segs)
				}
				if segs[0].LeftSize == 0 || segs[1].LeftSize == 0 {
					t.Errorf("fixture has no straddling chunk: %+v", segs)
				}
				if err := r.Verify(context.Background(), nil); err != nil {
					t.Errorf("Verify: %v", err)
				}
				r.Close()
			}
		})
	}
	t.Run("NewSplitReader", func(t *testing.T) {
		ras := []io.ReaderAt{bytes.NewReader(files[0]), bytes.NewReader(files[1]), bytes.NewReader(files[2])}
		r, err := NewSplitReader(ras, []int64{int64(len(files[0])), int64(len(files[1])), int64(len(files[2]))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, r); !bytes.Equal(got, h.image) {
			t.Errorf("image differs")
		}
	})
}

func TestSplitErrors(t *testing.T) {
	h := variant([]ChunkType{ZL, D, BZ, ZL, Z}, testSize)
	files := h.buildSplit(t, 45000)
	names := []string{"img.isz", "img.i01", "img.i02"}
	other := variant([]ChunkType{ZL, D, BZ, ZL, Z}, testSize)
	other.vsn = 1234
	otherFiles := other.buildSplit(t, 45000)
	tests := []struct {
		name  string
		setup func(dir string)
		open  string
		want  error
		named string // the error names this file
	}{
		{"missing middle", func(dir string) { os.Remove(filepath.Join(dir, "img.i01")) }, "img.isz", ErrSegment, "img.i01"},
		{"missing last", func(dir string) { os.Remove(filepath.Join(dir, "img.i02")) }, "img.i01", ErrSegment, "img.i02"},
		{"missing first", func(dir string) { os.Remove(filepath.Join(dir, "img.isz")) }, "img.i02", ErrSegment, "img.isz"},
		{"foreign vsn", func(dir string) { os.WriteFile(filepath.Join(dir, "img.i01"), otherFiles[1], 0o644) }, "img.isz", ErrSegment, "img.i01"},
		{"wrong seg_no", func(dir string) { os.WriteFile(filepath.Join(dir, "img.i01"), files[2], 0o644) }, "img.isz", ErrSegment, "img.i01"},
		{"not isz", func(dir string) { os.WriteFile(filepath.Join(dir, "img.i02"), []byte("hello"), 0o644) }, "img.isz", ErrSegment, "img.i02"},
		{"truncated member", func(dir string) {
			os.WriteFile(filepath.Join(dir, "img.i01"), files[1][:len(files[1])-10], 0o644)
		}, "img.isz", ErrTruncated, "img.i01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, names, files)
			tc.setup(dir)
			r, err := Open(filepath.Join(dir, tc.open), nil)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.want) || !bytes.Contains([]byte(err.Error()), []byte(tc.named)) {
				t.Errorf("Open: %v; want %v naming %s", err, tc.want, tc.named)
			}
		})
	}
}

// TestImplicitSplit reads a raw image split without a segment table: each
// file holds its header and then up to segment_size bytes in all.
func TestImplicitSplit(t *testing.T) {
	h := variant(nil, testSize)
	const segSize = 50000
	var files [][]byte
	for k, rest := 0, h.image; len(rest) > 0; k++ {
		f := h.header(k, 0, 0, 64, segSize, 0, 0, 0)
		n := min(len(rest), segSize-64)
		files = append(files, append(f, rest[:n]...))
		rest = rest[n:]
	}
	if len(files) != 3 {
		t.Fatalf("fixture has %d files", len(files))
	}
	paths := writeFiles(t, t.TempDir(), []string{"raw.isz", "raw.i01", "raw.i02"}, files)
	r, err := Open(paths[2], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(readAll(t, r), h.image) {
		t.Fatal("image differs")
	}
	segs := r.Segments()
	if len(segs) != 3 || segs[1].DataStart != 64 || segs[1].DataEnd != segSize || segs[2].DataEnd != int64(len(files[2])) {
		t.Errorf("segments %+v", segs)
	}
	os.Remove(paths[2])
	if _, err := Open(paths[0], nil); !errors.Is(err, ErrSegment) {
		t.Errorf("missing last file: %v, want ErrSegment", err)
	}
}
