package iso9660view

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/iszmount/iszmount/internal/inflate"

	"github.com/iszmount/iszmount/internal/discfs"
)

// zisofs (H. Peter Anvin's transparent compression, announced by a Rock
// Ridge ZF entry with algorithm "pz") stores a file as a header, a table of
// block pointers and zlib streams, one per block of uncompressed data:
//
//	offset  size  field
//	0       8     magic 37 E4 53 96 C9 DB D6 07
//	8       4     uncompressed size (little-endian)
//	12      1     header size / 4 (4)
//	13      1     log2 of the block size (15, 16 or 17)
//	14      2     reserved
//	16      4*(n+1) block pointers: byte offsets, within the file, of the
//	              start of each block's zlib stream and of the end of the last
//
// A block whose start and end pointers are equal is all zeros. The reader
// below checks every pointer against the stored size and never inflates a
// block beyond the block size.
const maxZisofsBlock = 2 // stored bytes per block, in block sizes

var zisofsMagic = []byte{0x37, 0xE4, 0x53, 0x96, 0xC9, 0xDB, 0xD6, 0x07}

// zisofsReader decodes a zisofs file. It is safe for concurrent use; it
// remembers the last block it inflated, so small sequential reads inflate
// each block once.
type zisofsReader struct {
	raw  *extentReader // the stored (compressed) bytes
	zf   zfEntry       // what the ZF entry says
	size int64         // uncompressed size
	off  int64         // image offset of the file, for errors

	once    sync.Once
	log2Blk uint
	ptrs    []uint32
	err     error

	mu      sync.Mutex
	lastBlk int64
	last    []byte
}

func newZisofsReader(raw *extentReader, zf *zfEntry, off int64) (*zisofsReader, error) {
	if zf.algo != "pz" {
		return nil, unsupportedErr(off, "zisofs algorithm %q", zf.algo)
	}
	return &zisofsReader{raw: raw, zf: *zf, size: zf.size, off: off, lastBlk: -1}, nil
}

// Size returns the uncompressed size.
func (z *zisofsReader) Size() int64 { return z.size }

// load reads and checks the header and the block pointer table.
func (z *zisofsReader) load() error {
	z.once.Do(func() {
		var h [16]byte
		if _, err := z.raw.ReadAt(h[:], 0); err != nil {
			z.err = z.corrupt("zisofs header: %v", err)
			return
		}
		if !bytes.Equal(h[:8], zisofsMagic) {
			z.err = z.corrupt("zisofs header has a bad magic number")
			return
		}
		usize := int64(binary.LittleEndian.Uint32(h[8:]))
		hdr := int64(h[12]) * 4
		log2 := uint(h[13])
		if usize != z.size || hdr != int64(z.zf.hdrWords)*4 || log2 != uint(z.zf.log2Blk) {
			z.err = z.corrupt("zisofs header (%d bytes, header %d, block 2^%d) disagrees with the ZF entry (%d, %d, 2^%d)",
				usize, hdr, log2, z.size, int64(z.zf.hdrWords)*4, z.zf.log2Blk)
			return
		}
		if hdr < 16 || log2 < 15 || log2 > 17 {
			z.err = z.corrupt("zisofs header size %d, block size 2^%d", hdr, log2)
			return
		}
		nblk := (usize + 1<<log2 - 1) >> log2
		tableEnd := hdr + 4*(nblk+1)
		if tableEnd > z.raw.Size() {
			z.err = z.corrupt("zisofs block table of %d entries does not fit in %d stored bytes", nblk+1, z.raw.Size())
			return
		}
		tb := make([]byte, 4*(nblk+1))
		if _, err := z.raw.ReadAt(tb, hdr); err != nil {
			z.err = z.corrupt("zisofs block table: %v", err)
			return
		}
		ptrs := make([]uint32, nblk+1)
		for i := range ptrs {
			ptrs[i] = binary.LittleEndian.Uint32(tb[4*i:])
			switch {
			case i == 0 && int64(ptrs[0]) < tableEnd:
				z.err = z.corrupt("zisofs block 0 starts inside the block table")
			case i > 0 && ptrs[i] < ptrs[i-1]:
				z.err = z.corrupt("zisofs block pointer %d goes backwards", i)
			case int64(ptrs[i]) > z.raw.Size():
				z.err = z.corrupt("zisofs block pointer %d points past the stored data", i)
			case i > 0 && int64(ptrs[i]-ptrs[i-1]) > maxZisofsBlock<<log2:
				// zlib expands incompressible data by a few bytes per
				// block; anything larger is corrupt and must not make us
				// allocate it.
				z.err = z.corrupt("zisofs block %d stores %d bytes", i-1, ptrs[i]-ptrs[i-1])
			}
			if z.err != nil {
				return
			}
		}
		z.log2Blk, z.ptrs = log2, ptrs
	})
	return z.err
}

func (z *zisofsReader) corrupt(format string, args ...any) error {
	return formatErr(z.off, format, args...)
}

func (z *zisofsReader) ReadAt(p []byte, off int64) (int, error) {
	return discfs.ReadPieces(p, off, z.size, z.piece)
}

// piece copies into p the uncompressed bytes from off to the end of off's
// block.
func (z *zisofsReader) piece(p []byte, off int64) (int, error) {
	if err := z.load(); err != nil {
		return 0, err
	}
	blk := off >> z.log2Blk
	data, err := z.block(blk)
	if err != nil {
		return 0, err
	}
	return copy(p, data[off-blk<<z.log2Blk:]), nil
}

// block returns the uncompressed bytes of block blk. The slice is shared and
// must not be modified.
func (z *zisofsReader) block(blk int64) ([]byte, error) {
	z.mu.Lock()
	if z.lastBlk == blk {
		b := z.last
		z.mu.Unlock()
		return b, nil
	}
	z.mu.Unlock()

	bs := int64(1) << z.log2Blk
	want := min(bs, z.size-blk*bs)
	out := make([]byte, want)
	start, end := int64(z.ptrs[blk]), int64(z.ptrs[blk+1])
	if start != end {
		src := make([]byte, end-start)
		if _, err := z.raw.ReadAt(src, start); err != nil {
			return nil, err
		}
		if err := inflate.Zlib(out, src); err != nil {
			return nil, z.corrupt("zisofs block %d: %v", blk, err)
		}
	}
	z.mu.Lock()
	z.lastBlk, z.last = blk, out
	z.mu.Unlock()
	return out, nil
}
