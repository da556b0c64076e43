package isz

// Test fixtures. Images here are built byte by byte by handImage, which
// shares no code with the package's writer (its own header encoding, table
// XOR, segment tables), so a mistake in the writer cannot hide the same
// mistake in the reader. Compressed chunks come from the standard
// library's compress/zlib and from dsnet's bzip2 encoder.

import (
	"bytes"
	"compress/zlib"
	"crypto/aes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/dsnet/compress/bzip2"
)

// memFile is an in-memory file: io.ReaderAt and io.WriterAt.
type memFile struct {
	mu sync.Mutex
	b  []byte
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	copy(m.b[off:], p)
	return len(p), nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if off >= int64(len(m.b)) {
		return 0, io.EOF
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// testImage makes size bytes of deterministic content mixing zero,
// random and text-like 2 KiB sectors, so chunks compress differently.
func testImage(size int, seed uint64) []byte {
	b := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, 7))
	const text = "the quick brown fox jumps over the lazy dog\n"
	for off := 0; off < size; off += 2048 {
		end := min(off+2048, size)
		switch rng.IntN(3) {
		case 1:
			for i := off; i < end; i++ {
				b[i] = byte(rng.Uint32())
			}
		case 2:
			for i := off; i < end; i++ {
				b[i] = text[rng.IntN(len(text))]
			}
		}
	}
	return b
}

// hand describes an image to build by hand. Chunks are given by type; the
// builder compresses the image's bytes itself.
type hand struct {
	hdrSize   int         // 48 or 64
	chunkSize int         // block_size
	image     []byte      // uncompressed image (a multiple of 2048 bytes)
	types     []ChunkType // per chunk; ZERO chunks must be all zero in image
	ptrLen    int         // 0 = 3
	noCDT     bool        // raw image, no chunk table
	zeroLen   func(i, usize int) uint32
	zeroLM    bool // ZERO chunks occupy their blk_len bytes (libMirage rule)
	pad       int  // extra bytes between the chunk table and data_offs
	trailer   bool // append a header copy + u32 header size
	bzMagic   []byte
	password  string
	encType   Encryption
	nblocks   int // 0 = computed
	vsn       uint32
}

// chunks returns the stored bytes of every chunk and its blk_len.
func (h *hand) chunks(t testing.TB) (stored [][]byte, lens []uint32) {
	n := (len(h.image) + h.chunkSize - 1) / h.chunkSize
	for i := range n {
		plain := h.image[i*h.chunkSize : min((i+1)*h.chunkSize, len(h.image))]
		typ := ChunkData
		if h.types != nil {
			typ = h.types[i]
		}
		var s []byte
		var blk uint32
		switch typ {
		case ChunkZero:
			blk = uint32(len(plain))
			if h.zeroLen != nil {
				blk = h.zeroLen(i, len(plain))
			}
			if h.zeroLM {
				s = bytes.Repeat([]byte{0xEE}, int(blk))
			}
		case ChunkData:
			s = append([]byte(nil), plain...)
		case ChunkZlib:
			var buf bytes.Buffer
			zw := zlib.NewWriter(&buf)
			zw.Write(plain)
			zw.Close()
			s = buf.Bytes()
		case ChunkBzip2:
			var buf bytes.Buffer
			bw, _ := bzip2.NewWriter(&buf, &bzip2.WriterConfig{Level: 9})
			bw.Write(plain)
			bw.Close()
			s = buf.Bytes()
			if h.bzMagic != nil {
				copy(s, h.bzMagic)
			}
		}
		if typ != ChunkZero {
			blk = uint32(len(s))
		}
		if h.password != "" && typ != ChunkZero {
			key := make([]byte, map[Encryption]int{EncryptAES128: 16, EncryptAES192: 24, EncryptAES256: 32}[h.encType])
			copy(key, h.password)
			c, err := aes.NewCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			for k := 0; k+16 <= len(s); k += 16 {
				c.Encrypt(s[k:k+16], s[k:k+16])
			}
		}
		stored = append(stored, s)
		lens = append(lens, blk)
	}
	return stored, lens
}

// header encodes a header by hand.
func (h *hand) header(segNo int, ptrOffs, segOffs, dataOffs int, segSize int64, sum1, dataSize, sum2 uint32) []byte {
	n := (len(h.image) + h.chunkSize - 1) / h.chunkSize
	if h.nblocks != 0 {
		n = h.nblocks
	}
	ptrLen := h.ptrLen
	if ptrLen == 0 {
		ptrLen = 3
	}
	b := make([]byte, h.hdrSize)
	le := binary.LittleEndian
	copy(b, "IsZ!")
	b[4], b[5] = byte(h.hdrSize), 1
	le.PutUint32(b[6:], h.vsn)
	le.PutUint16(b[10:], 2048)
	le.PutUint32(b[12:], uint32(len(h.image)/2048))
	b[16] = byte(h.encType)
	le.PutUint64(b[17:], uint64(segSize))
	le.PutUint32(b[25:], uint32(n))
	le.PutUint32(b[29:], uint32(h.chunkSize))
	b[33], b[34] = byte(ptrLen), byte(segNo)
	le.PutUint32(b[35:], uint32(ptrOffs))
	le.PutUint32(b[39:], uint32(segOffs))
	le.PutUint32(b[43:], uint32(dataOffs))
	if h.hdrSize >= 64 {
		le.PutUint32(b[48:], sum1)
		le.PutUint32(b[52:], dataSize)
		le.PutUint32(b[60:], sum2)
	}
	return b
}

// obfuscate XORs a table with NOT "IsZ!".
func obfuscate(b []byte) []byte {
	key := []byte{0xB6, 0x8C, 0xA5, 0xDE}
	for i := range b {
		b[i] ^= key[i%4]
	}
	return b
}

// table encodes the chunk table.
func (h *hand) table(stored [][]byte, lens []uint32) []byte {
	ptrLen := h.ptrLen
	if ptrLen == 0 {
		ptrLen = 3
	}
	n := len(lens)
	if h.nblocks > n {
		n = h.nblocks
	}
	types := h.types
	var tb []byte
	for i := range n {
		var v uint64
		if i < len(lens) {
			typ := ChunkData
			if types != nil {
				typ = types[i]
			}
			v = uint64(typ)<<(8*ptrLen-2) | uint64(lens[i])
		}
		for k := range ptrLen {
			tb = append(tb, byte(v>>(8*k)))
		}
	}
	return obfuscate(tb)
}

// sums returns checksum1, checksum2 and data_size for stored chunks.
func (h *hand) sums(stored [][]byte) (uint32, uint32, uint32) {
	c2 := crc32.NewIEEE()
	var size int
	for i, s := range stored {
		if h.types == nil || h.types[i] != ChunkZero {
			c2.Write(s)
		}
		size += len(s)
	}
	return ^crc32.ChecksumIEEE(h.image), ^c2.Sum32(), uint32(size)
}

// build makes a single-file image.
func (h *hand) build(t testing.TB) []byte {
	stored, lens := h.chunks(t)
	ptrOffs := h.hdrSize
	tb := h.table(stored, lens)
	dataOffs := ptrOffs + len(tb) + h.pad
	if h.noCDT {
		ptrOffs, dataOffs = 0, h.hdrSize+h.pad
		tb = nil
	}
	sum1, sum2, size := h.sums(stored)
	out := h.header(0, ptrOffs, 0, dataOffs, 0, sum1, size, sum2)
	out = append(out, tb...)
	out = append(out, make([]byte, h.pad)...)
	for _, s := range stored {
		out = append(out, s...)
	}
	if h.trailer {
		out = append(out, out[:h.hdrSize]...)
		out = binary.LittleEndian.AppendUint32(out, uint32(h.hdrSize))
	}
	return out
}

// buildSplit makes a split set of files of at most segSize bytes, with an
// SDT: the data stream is cut at file boundaries wherever it falls, so
// chunks straddle files. (segSize must leave room for at least one chunk
// start per file.)
func (h *hand) buildSplit(t testing.TB, segSize int) [][]byte {
	stored, lens := h.chunks(t)
	tb := h.table(stored, lens)
	// Lay out: first pass with a generous SDT room to learn the count.
	const room = 8
	segOffs := h.hdrSize
	ptrOffs := segOffs + room*24
	dataOffs := ptrOffs + len(tb) + h.pad
	type seg struct {
		data               []byte
		num, first, chkOff int
		left               int
	}
	segs := []*seg{{chkOff: dataOffs}}
	pos := dataOffs
	cur := segs[0]
	for i, s := range stored {
		if pos == segSize {
			cur = &seg{}
			segs = append(segs, cur)
			pos = h.hdrSize
		}
		if cur.num == 0 {
			cur.first, cur.chkOff = i, pos
		}
		cur.num++
		for len(s) > 0 {
			m := min(len(s), segSize-pos)
			cur.data = append(cur.data, s[:m]...)
			pos += m
			s = s[m:]
			if len(s) > 0 {
				cur.left = len(s)
				cur = &seg{}
				segs = append(segs, cur)
				pos = h.hdrSize
			}
		}
	}
	if len(segs) > room-1 {
		t.Fatalf("buildSplit: %d segments, room for %d", len(segs), room-1)
	}
	sum1, sum2, size := h.sums(stored)
	le := binary.LittleEndian
	sdt := make([]byte, room*24)
	files := make([][]byte, len(segs))
	for k, s := range segs {
		if s.num == 0 {
			t.Fatalf("buildSplit: segment %d holds no chunk start", k)
		}
		start := h.hdrSize
		if k == 0 {
			start = dataOffs
		}
		fsize := start + len(s.data)
		e := sdt[k*24:]
		le.PutUint64(e, uint64(fsize))
		le.PutUint32(e[8:], uint32(s.num))
		le.PutUint32(e[12:], uint32(s.first))
		le.PutUint32(e[16:], uint32(s.chkOff))
		le.PutUint32(e[20:], uint32(s.left))
	}
	obfuscate(sdt)
	for k, s := range segs {
		f := h.header(k, ptrOffs, segOffs, dataOffs, int64(segSize), sum1, size, sum2)
		if k == 0 {
			f = append(f, sdt...)
			f = append(f, tb...)
			f = append(f, make([]byte, h.pad)...)
		}
		files[k] = append(f, s.data...)
	}
	return files
}

// readAll reads the whole image through ReadAt in odd-sized pieces.
func readAll(t testing.TB, r *Reader) []byte {
	t.Helper()
	out := make([]byte, r.Size())
	for off := 0; off < len(out); {
		n, err := r.ReadAt(out[off:min(off+70001, len(out))], int64(off))
		if err != nil && !(err == io.EOF && off+n == len(out)) {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
		off += n
	}
	return out
}

func memReader(t testing.TB, b []byte, opts *Options) *Reader {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
