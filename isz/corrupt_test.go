package isz

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// Where a corruption is detected.
const (
	atOpen   = "open"
	atRead   = "read"
	atVerify = "verify"
)

// TestCorruption flips and truncates bytes of good hand-built images and
// checks that each damage gives its typed error at the right stage, with
// no panic. Chunk failures must be *ChunkError with the chunk index.
func TestCorruption(t *testing.T) {
	base := variant([]ChunkType{ZL, D, BZ, ZL, ZL}, testSize) // data_offs = 64 + 15
	good := base.build(t)
	stored, _ := base.chunks(t)
	off := func(i int) int { // file offset of chunk i
		o := 64 + 15
		for _, s := range stored[:i] {
			o += len(s)
		}
		return o
	}
	le := binary.LittleEndian
	set := func(mut func(b []byte)) func() []byte {
		return func() []byte { b := bytes.Clone(good); mut(b); return b }
	}
	key := []byte{0xB6, 0x8C, 0xA5, 0xDE}
	setEntry := func(b []byte, i int, v uint32) { // rewrite CDT entry i (ptr_len 3)
		for k := range 3 {
			b[64+3*i+k] = byte(v>>(8*k)) ^ key[(3*i+k)%4]
		}
	}
	enc := variant([]ChunkType{ZL, D, BZ, ZL, ZL}, testSize)
	enc.encType, enc.password = EncryptAES128, "right"
	encImg := enc.build(t)
	encData := variant([]ChunkType{D, D, D, D, D}, testSize)
	encData.encType, encData.password = EncryptAES256, "right"
	encDataImg := encData.build(t)

	// The last chunk (12 KiB) replaced by a zlib stream of 12 KiB + extra.
	badLen := func(extra int) func() []byte {
		return func() []byte {
			b := variant([]ChunkType{D, D, D, D, D}, testSize).build(t)
			var buf bytes.Buffer
			zw := zlib.NewWriter(&buf)
			zw.Write(make([]byte, 12<<10+extra))
			zw.Close()
			out := append(b[:64+15+4*testChunk], buf.Bytes()...)
			setEntry(out, 4, 2<<22|uint32(buf.Len()))
			return out
		}
	}

	tests := []struct {
		name  string
		img   func() []byte
		pw    string
		stage string
		want  error
		chunk int // for chunk errors, -1 if not one
	}{
		{"empty file", func() []byte { return nil }, "", atOpen, ErrTruncated, -1},
		{"40 bytes", func() []byte { return good[:40] }, "", atOpen, ErrTruncated, -1},
		{"60 bytes of a 64-byte header", func() []byte { return good[:60] }, "", atOpen, ErrTruncated, -1},
		{"bad signature", set(func(b []byte) { b[0] = 'i' }), "", atOpen, ErrFormat, -1},
		{"header_size 40", set(func(b []byte) { b[4] = 40 }), "", atOpen, ErrFormat, -1},
		{"version 2", set(func(b []byte) { b[5] = 2 }), "", atOpen, ErrUnsupported, -1},
		{"sect_size 0", set(func(b []byte) { le.PutUint16(b[10:], 0) }), "", atOpen, ErrFormat, -1},
		{"block_size not sectors", set(func(b []byte) { le.PutUint32(b[29:], testChunk+1) }), "", atOpen, ErrFormat, -1},
		{"block_size 1 GiB", set(func(b []byte) { le.PutUint32(b[29:], 1<<30) }), "", atOpen, ErrUnsupported, -1},
		{"block_size 64 MiB (above MaxChunkSize)", set(func(b []byte) { le.PutUint32(b[29:], 64<<20) }), "", atOpen, ErrUnsupported, -1},
		{"nblocks too small", set(func(b []byte) { le.PutUint32(b[25:], 4) }), "", atOpen, ErrFormat, -1},
		{"total_sectors huge", set(func(b []byte) { le.PutUint32(b[12:], 1<<31) }), "", atOpen, ErrFormat, -1},
		{"total_sectors and nblocks huge", set(func(b []byte) { le.PutUint32(b[12:], 1<<31); le.PutUint32(b[25:], 1<<27) }), "", atOpen, ErrTruncated, -1},
		{"encryption type 1", set(func(b []byte) { b[16] = 1 }), "", atOpen, ErrUnsupported, -1},
		{"encryption type 9", set(func(b []byte) { b[16] = 9 }), "", atOpen, ErrUnsupported, -1},
		{"ptr_len 0", set(func(b []byte) { b[33] = 0 }), "", atOpen, ErrFormat, -1},
		{"ptr_len 5", set(func(b []byte) { b[33] = 5 }), "", atOpen, ErrUnsupported, -1},
		{"ptr_offs past end", set(func(b []byte) { le.PutUint32(b[35:], uint32(len(good))) }), "", atOpen, ErrTruncated, -1},
		{"ptr_offs in header", set(func(b []byte) { le.PutUint32(b[35:], 8) }), "", atOpen, ErrTruncated, -1},
		{"data_offs past end", set(func(b []byte) { le.PutUint32(b[43:], uint32(len(good)+1)) }), "", atOpen, ErrTruncated, -1},
		{"data_offs in header", set(func(b []byte) { le.PutUint32(b[43:], 10) }), "", atOpen, ErrFormat, -1},
		{"seg_offs past end", set(func(b []byte) { le.PutUint32(b[39:], uint32(len(good))) }), "", atOpen, ErrFormat, -1},
		{"seg_offs at garbage", set(func(b []byte) { le.PutUint32(b[39:], uint32(off(1))) }), "", atOpen, ErrFormat, -1},
		{"seg_no 1 in a first file", set(func(b []byte) { b[34] = 1 }), "", atOpen, ErrSegment, -1},
		{"truncated by one byte", func() []byte { return good[:len(good)-1] }, "", atOpen, ErrTruncated, -1},
		{"truncated mid-table", func() []byte { return good[:70] }, "", atOpen, ErrTruncated, -1},
		{"DATA entry with wrong length", set(func(b []byte) { setEntry(b, 1, 1<<22|100) }), "", atOpen, ErrFormat, 1},
		{"zlib entry longer than allowed", set(func(b []byte) { setEntry(b, 0, 2<<22|testChunk*2) }), "", atOpen, ErrFormat, 0},
		{"zlib entry of 0 bytes", set(func(b []byte) { setEntry(b, 3, 2<<22) }), "", atOpen, ErrFormat, 3},
		{"zlib chunk flipped", set(func(b []byte) { b[off(0)+40] ^= 0x55 }), "", atRead, ErrCorrupt, 0},
		{"zlib header flipped", set(func(b []byte) { b[off(3)] ^= 0xFF }), "", atRead, ErrCorrupt, 3},
		{"zlib adler flipped", set(func(b []byte) { b[off(1)-1] ^= 1 }), "", atRead, ErrCorrupt, 0},
		{"bzip2 chunk flipped", set(func(b []byte) { b[off(2)+60] ^= 0x55 }), "", atRead, ErrCorrupt, 2},
		{"bzip2 block size digit", set(func(b []byte) { b[off(2)+3] = 'x' }), "", atRead, ErrCorrupt, 2},
		{"zlib typed as bzip2", set(func(b []byte) { setEntry(b, 0, 3<<22|uint32(len(stored[0]))) }), "", atRead, ErrCorrupt, 0},
		{"inflates too long", badLen(1), "", atRead, ErrCorrupt, 4},
		{"inflates too short", badLen(-1), "", atRead, ErrCorrupt, 4},
		{"DATA chunk flipped", set(func(b []byte) { b[off(1)+5] ^= 1 }), "", atVerify, ErrChecksum, -1},
		{"checksum1 flipped", set(func(b []byte) { b[48] ^= 1 }), "", atVerify, ErrChecksum, -1},
		{"checksum2 flipped", set(func(b []byte) { b[63] ^= 0x80 }), "", atVerify, ErrChecksum, -1},
		{"encrypted, no password", func() []byte { return encImg }, "", atOpen, ErrNeedPassword, -1},
		{"encrypted, wrong password", func() []byte { return encImg }, "wrong", atOpen, ErrPassword, -1},
		{"encrypted DATA only, wrong password", func() []byte { return encDataImg }, "wrong", atVerify, ErrChecksum, -1},
		{"encrypted, first chunk flipped", func() []byte { b := bytes.Clone(encImg); b[off(0)+100] ^= 1; return b }, "right", atOpen, ErrCorrupt, 0},
		{"encrypted, chunk flipped", func() []byte { b := bytes.Clone(encImg); b[off(3)+100] ^= 1; return b }, "right", atRead, ErrCorrupt, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.img()
			r, err := NewReader(bytes.NewReader(b), int64(len(b)), &Options{Password: tc.pw})
			if tc.stage == atOpen {
				if err == nil {
					r.Close()
					t.Fatalf("Open succeeded, want %v", tc.want)
				}
				checkErr(t, err, tc.want, tc.chunk)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			_, rerr := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
			verr := r.Verify(context.Background(), nil)
			if tc.stage == atRead {
				checkErr(t, rerr, tc.want, tc.chunk)
			} else if rerr != nil {
				t.Fatalf("read: %v", rerr)
			}
			checkErr(t, verr, tc.want, tc.chunk)
		})
	}
}

func checkErr(t *testing.T, err, want error, chunk int) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var ce *ChunkError
	if chunk >= 0 {
		if !errors.As(err, &ce) || ce.Chunk != chunk || ce.Offset != int64(chunk)*testChunk || ce.File == "" {
			t.Fatalf("error %v: want a *ChunkError for chunk %d", err, chunk)
		}
	}
}

func TestSplitCorruption(t *testing.T) {
	h := variant([]ChunkType{ZL, D, BZ, ZL, Z}, testSize)
	files := h.buildSplit(t, 45000)
	key := []byte{0xB6, 0x8C, 0xA5, 0xDE}
	sdtEntry := func(b []byte, k, field int, v uint32) { // rewrite a 4-byte field of SDT entry k
		o := 64 + 24*k + field
		for j := range 4 {
			b[o+j] = byte(v>>(8*j)) ^ key[(24*k+field+j)%4]
		}
	}
	tests := []struct {
		name string
		mut  func(f [][]byte)
		want error
	}{
		{"num_chks 0", func(f [][]byte) { sdtEntry(f[0], 1, 8, 0) }, ErrFormat},
		{"first_chkno wrong", func(f [][]byte) { sdtEntry(f[0], 1, 12, 3) }, ErrFormat},
		{"chk_off wrong", func(f [][]byte) { sdtEntry(f[0], 0, 16, 70) }, ErrFormat},
		{"left_size too big", func(f [][]byte) { sdtEntry(f[0], 0, 20, 1<<20) }, ErrFormat},
		{"left_size on the last file", func(f [][]byte) { sdtEntry(f[0], 2, 20, 1) }, ErrFormat},
		{"no terminator", func(f [][]byte) {
			for k := 3; k < 8; k++ {
				sdtEntry(f[0], k, 0, 5)
				sdtEntry(f[0], k, 8, 1)
			}
		}, ErrFormat},
		{"member truncated", func(f [][]byte) { f[2] = f[2][:len(f[2])-1] }, ErrTruncated},
		{"member header only", func(f [][]byte) { f[1] = f[1][:64] }, ErrTruncated},
		{"member not ISZ", func(f [][]byte) { f[1][0] = 0 }, ErrSegment},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := [][]byte{bytes.Clone(files[0]), bytes.Clone(files[1]), bytes.Clone(files[2])}
			tc.mut(f)
			ras := []io.ReaderAt{bytes.NewReader(f[0]), bytes.NewReader(f[1]), bytes.NewReader(f[2])}
			r, err := NewSplitReader(ras, []int64{int64(len(f[0])), int64(len(f[1])), int64(len(f[2]))}, nil)
			if err == nil {
				r.Close()
				t.Fatal("NewSplitReader succeeded")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}
