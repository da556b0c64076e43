package isz

import (
	"encoding/binary"
	"fmt"
)

// Header sizes. The specification's struct is 48 bytes; UltraISO writes 64,
// the last 16 holding checksum1, data_size, an unknown word and checksum2.
const (
	HeaderSizeSpec = 48
	HeaderSize     = 64
)

// MaxChunkSize is the largest chunk (block) size this package reads and
// writes: 4 MiB, 32 times the 128 KiB UltraISO uses. It bounds every buffer
// allocated from a header field, and the smallest cache: one decoded chunk
// (the cache holds at least one, see Options.CacheSize). The format's
// usual 3-byte chunk table entries store lengths below 4 MiB, so no known
// writer goes beyond it; a larger block size is refused with
// ErrUnsupported at Open, and by Create.
const MaxChunkSize = 4 << 20

// signature is "IsZ!", the first four bytes of every ISZ file, including
// each continuation file of a split set.
var signature = [4]byte{'I', 's', 'Z', '!'}

// Encryption is the header's has_password field.
type Encryption uint8

// Encryption types. Only None and the AES types are readable.
const (
	EncryptNone     Encryption = 0
	EncryptPassword Encryption = 1 // "password protected (not used)": refused
	EncryptAES128   Encryption = 2
	EncryptAES192   Encryption = 3
	EncryptAES256   Encryption = 4
)

func (e Encryption) String() string {
	switch e {
	case EncryptNone:
		return "none"
	case EncryptPassword:
		return "password (type 1)"
	case EncryptAES128:
		return "AES-128"
	case EncryptAES192:
		return "AES-192"
	case EncryptAES256:
		return "AES-256"
	}
	return fmt.Sprintf("unknown (%d)", uint8(e))
}

// keyLen is the AES key length in bytes for the AES types, 0 otherwise.
func (e Encryption) keyLen() int {
	switch e {
	case EncryptAES128:
		return 16
	case EncryptAES192:
		return 24
	case EncryptAES256:
		return 32
	}
	return 0
}

// Header is the ISZ file header, field by field as stored (little-endian,
// packed). Offsets in brackets.
type Header struct {
	HeaderSize   uint8      // [0x04] 48 (spec) or 64 (UltraISO, with checksums)
	Version      uint8      // [0x05] 1
	VSN          uint32     // [0x06] volume serial number; equal in all files of a set
	SectorSize   uint16     // [0x0A] 2048 for CD/DVD images
	TotalSectors uint32     // [0x0C] image size = TotalSectors * SectorSize
	Encryption   Encryption // [0x10] has_password
	SegmentSize  int64      // [0x11] split size in bytes; 0 when not split
	NumChunks    uint32     // [0x19] nblocks, number of chunks
	ChunkSize    uint32     // [0x1D] block_size, uncompressed chunk size
	PtrLen       uint8      // [0x21] bytes per chunk table entry (1..4)
	SegNo        uint8      // [0x22] number of this file in its set, 0 for the first
	PtrOffs      uint32     // [0x23] offset of the chunk table; 0 = none (raw image)
	SegOffs      uint32     // [0x27] offset of the segment table; 0 = not split
	DataOffs     uint32     // [0x2B] offset of chunk 0's data in the first file
	Reserved     uint8      // [0x2F] 0

	// Present only when HeaderSize >= 64 (see HasChecksums).
	Checksum1 uint32 // [0x30] NOT CRC-32 of the uncompressed image
	DataSize  uint32 // [0x34] total stored chunk bytes (probable meaning)
	Unknown   uint32 // [0x38] 0
	Checksum2 uint32 // [0x3C] NOT CRC-32 of the stored chunk data
}

// ImageSize is the size of the uncompressed image in bytes.
func (h Header) ImageSize() int64 { return int64(h.TotalSectors) * int64(h.SectorSize) }

// HasChecksums reports whether the header carries checksum1/checksum2.
func (h Header) HasChecksums() bool { return h.HeaderSize >= HeaderSize }

// IsISZ reports whether the first bytes of a file are an ISZ header.
func IsISZ(head []byte) bool {
	return len(head) >= 4 && [4]byte(head[:4]) == signature
}

// parseHeader decodes the header at the start of b, which holds the first
// (up to 64) bytes of a file. It checks only what is checkable without the
// rest of the file; validate does the rest.
func parseHeader(b []byte) (Header, error) {
	var h Header
	if !IsISZ(b) {
		return h, formatErr("no \"IsZ!\" signature")
	}
	if len(b) < HeaderSizeSpec {
		return h, fmt.Errorf("%w: %d bytes, shorter than a %d-byte header", ErrTruncated, len(b), HeaderSizeSpec)
	}
	le := binary.LittleEndian
	h = Header{
		HeaderSize:   b[4],
		Version:      b[5],
		VSN:          le.Uint32(b[6:]),
		SectorSize:   le.Uint16(b[10:]),
		TotalSectors: le.Uint32(b[12:]),
		Encryption:   Encryption(b[16]),
		SegmentSize:  int64(le.Uint64(b[17:])),
		NumChunks:    le.Uint32(b[25:]),
		ChunkSize:    le.Uint32(b[29:]),
		PtrLen:       b[33],
		SegNo:        b[34],
		PtrOffs:      le.Uint32(b[35:]),
		SegOffs:      le.Uint32(b[39:]),
		DataOffs:     le.Uint32(b[43:]),
		Reserved:     b[47],
	}
	if h.HeaderSize < HeaderSizeSpec {
		return h, formatErr("header_size %d, less than %d", h.HeaderSize, HeaderSizeSpec)
	}
	if h.HasChecksums() {
		if len(b) < HeaderSize {
			return h, fmt.Errorf("%w: header_size %d but the file has %d bytes", ErrTruncated, h.HeaderSize, len(b))
		}
		h.Checksum1 = le.Uint32(b[48:])
		h.DataSize = le.Uint32(b[52:])
		h.Unknown = le.Uint32(b[56:])
		h.Checksum2 = le.Uint32(b[60:])
	}
	return h, nil
}

// validate checks the fields that describe the image (not the file
// offsets, which need the file sizes).
func (h Header) validate() error {
	if h.Version > 1 {
		return fmt.Errorf("%w: version %d", ErrUnsupported, h.Version)
	}
	switch {
	case h.Encryption == EncryptPassword:
		return fmt.Errorf("%w: encryption type 1 (\"password protected\")", ErrUnsupported)
	case h.Encryption > EncryptAES256:
		return fmt.Errorf("%w: encryption type %d", ErrUnsupported, h.Encryption)
	}
	if h.SectorSize == 0 {
		return formatErr("sect_size is 0")
	}
	if h.ChunkSize == 0 || h.ChunkSize%uint32(h.SectorSize) != 0 {
		return formatErr("block_size %d is not a multiple of sect_size %d", h.ChunkSize, h.SectorSize)
	}
	if h.ChunkSize > MaxChunkSize {
		return fmt.Errorf("%w: block_size %d above %d", ErrUnsupported, h.ChunkSize, MaxChunkSize)
	}
	if n := h.numChunks(); int64(h.NumChunks) < n {
		return formatErr("nblocks %d, but %d bytes need %d chunks of %d", h.NumChunks, h.ImageSize(), n, h.ChunkSize)
	}
	if h.PtrOffs != 0 && (h.PtrLen < 1 || h.PtrLen > 4) {
		if h.PtrLen == 0 {
			return formatErr("ptr_len 0")
		}
		return fmt.Errorf("%w: ptr_len %d", ErrUnsupported, h.PtrLen)
	}
	return nil
}

// numChunks is the number of chunks the image size needs, which is what the
// reader uses (a larger nblocks is tolerated, a smaller one refused).
func (h Header) numChunks() int64 {
	bs := int64(h.ChunkSize)
	return (h.ImageSize() + bs - 1) / bs
}

// marshal encodes h as a HeaderSize-byte header (48 or 64 bytes).
func (h Header) marshal() []byte {
	b := make([]byte, h.HeaderSize)
	le := binary.LittleEndian
	copy(b, signature[:])
	b[4] = h.HeaderSize
	b[5] = h.Version
	le.PutUint32(b[6:], h.VSN)
	le.PutUint16(b[10:], h.SectorSize)
	le.PutUint32(b[12:], h.TotalSectors)
	b[16] = byte(h.Encryption)
	le.PutUint64(b[17:], uint64(h.SegmentSize))
	le.PutUint32(b[25:], h.NumChunks)
	le.PutUint32(b[29:], h.ChunkSize)
	b[33] = h.PtrLen
	b[34] = h.SegNo
	le.PutUint32(b[35:], h.PtrOffs)
	le.PutUint32(b[39:], h.SegOffs)
	le.PutUint32(b[43:], h.DataOffs)
	b[47] = h.Reserved
	if h.HasChecksums() {
		le.PutUint32(b[48:], h.Checksum1)
		le.PutUint32(b[52:], h.DataSize)
		le.PutUint32(b[56:], h.Unknown)
		le.PutUint32(b[60:], h.Checksum2)
	}
	return b
}
