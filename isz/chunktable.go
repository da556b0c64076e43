package isz

import "fmt"

// ChunkType is the type of a chunk, the top two bits of its chunk table
// entry.
type ChunkType uint8

// Chunk types.
const (
	ChunkZero  ChunkType = 0 // all zero bytes, nothing stored
	ChunkData  ChunkType = 1 // stored uncompressed
	ChunkZlib  ChunkType = 2 // a zlib (RFC 1950) stream
	ChunkBzip2 ChunkType = 3 // a bzip2 stream whose "BZh" magic may be altered

	NumChunkTypes = 4
)

func (t ChunkType) String() string {
	switch t {
	case ChunkZero:
		return "zero"
	case ChunkData:
		return "data"
	case ChunkZlib:
		return "zlib"
	case ChunkBzip2:
		return "bzip2"
	}
	return fmt.Sprintf("ChunkType(%d)", uint8(t))
}

// tableKey obfuscates the chunk and segment tables: every byte is XORed
// with tableKey[position mod 4], position counted from the table's start.
// It is the bitwise NOT of "IsZ!".
var tableKey = [4]byte{0xB6, 0x8C, 0xA5, 0xDE}

// xorTable (de)obfuscates a whole table in place.
func xorTable(b []byte) {
	for i := range b {
		b[i] ^= tableKey[i&3]
	}
}

// entry is one chunk table entry: type and stored length (blk_len).
type entry struct {
	typ    ChunkType
	blkLen uint32
}

// parseChunkTable decodes n entries of ptrLen bytes each from the
// de-obfuscated table b (len(b) >= n*ptrLen).
func parseChunkTable(b []byte, ptrLen, n int) []entry {
	es := make([]entry, n)
	lenBits := uint(8*ptrLen - 2)
	for i := range es {
		var v uint32
		for k := ptrLen - 1; k >= 0; k-- {
			v = v<<8 | uint32(b[i*ptrLen+k])
		}
		es[i] = entry{typ: ChunkType(v >> lenBits), blkLen: v & (1<<lenBits - 1)}
	}
	return es
}

// marshalChunkTable encodes and obfuscates entries with ptrLen bytes each.
// Every blkLen must fit in 8*ptrLen-2 bits.
func marshalChunkTable(es []entry, ptrLen int) []byte {
	b := make([]byte, len(es)*ptrLen)
	lenBits := uint(8*ptrLen - 2)
	for i, e := range es {
		v := uint32(e.typ)<<lenBits | e.blkLen
		for k := 0; k < ptrLen; k++ {
			b[i*ptrLen+k] = byte(v >> (8 * k))
		}
	}
	xorTable(b)
	return b
}

// maxBlkLen is the largest blk_len a ptrLen-byte entry can hold.
func maxBlkLen(ptrLen int) uint32 { return 1<<uint(8*ptrLen-2) - 1 }
