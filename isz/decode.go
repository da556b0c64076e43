package isz

// Decoding: one chunk's stored bytes, decrypted (AES) and decompressed
// (zlib, bzip2) or copied, into the caller's buffer.

import (
	"fmt"

	"github.com/iszmount/iszmount/internal/inflate"
)

// setupCipher prepares decryption from opts.
func (r *Reader) setupCipher(opts *Options) error {
	if r.hdr.Encryption == EncryptNone {
		return nil
	}
	if opts.Password == "" {
		if !opts.Inspect {
			return ErrNeedPassword
		}
		r.noKey = true
		return nil
	}
	c, err := newCipher(r.hdr.Encryption, opts.Password)
	if err != nil {
		return err
	}
	r.cipher = c
	return nil
}

// checkPassword decrypts early compressed chunks: a wrong key turns their
// zlib/bzip2 headers into noise. Images of DATA chunks only cannot be
// checked this way (Verify's checksum1 can).
func (r *Reader) checkPassword() error {
	if r.cipher == nil {
		return nil
	}
	const probes = 4
	tried, firstOK := 0, -1
	for i := 0; i < len(r.entries) && tried < probes; i++ {
		e := r.entries[i]
		if (e.typ != ChunkZlib && e.typ != ChunkBzip2) || r.stored(i) < 16 {
			continue
		}
		tried++
		var head [16]byte
		if err := r.readStream(head[:], r.pos[i]); err != nil {
			return r.chunkErr(i, err)
		}
		decryptChunk(r.cipher, head[:])
		if !plausibleStream(e.typ, head[:]) {
			return fmt.Errorf("%w (chunk %d does not decrypt to a %v stream)", ErrPassword, i, e.typ)
		}
		if firstOK < 0 {
			firstOK = i
		}
	}
	if firstOK < 0 {
		return nil
	}
	buf := make([]byte, r.chunks.chunkLen(firstOK))
	return r.decode(firstOK, buf)
}

// plausibleStream reports whether the first 16 bytes of a decrypted chunk
// start a zlib stream or (magic aside) a bzip2 stream.
func plausibleStream(t ChunkType, b []byte) bool {
	if t == ChunkZlib {
		return b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
	}
	block := [6]byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}
	eos := [6]byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90}
	m := [6]byte(b[4:10])
	return b[3] >= '1' && b[3] <= '9' && (m == block || m == eos)
}

// decode fills dst (exactly chunk i's size) with chunk i. It is the
// chunk cache's decoder and is safe for concurrent use.
func (r *Reader) decode(i int, dst []byte) error {
	if i < 0 || i >= len(r.entries) {
		return fmt.Errorf("isz: decode chunk %d of %d: out of range", i, len(r.entries))
	}
	if len(dst) != r.chunks.chunkLen(i) {
		return r.chunkErr(i, fmt.Errorf("isz: decode of a %d-byte chunk into %d bytes", r.chunks.chunkLen(i), len(dst)))
	}
	e := r.entries[i]
	if e.typ == ChunkZero {
		clear(dst)
		return nil
	}
	if r.noKey {
		return r.chunkErr(i, ErrNeedPassword)
	}
	bp := r.bufPool.Get().(*[]byte)
	defer r.bufPool.Put(bp)
	in := (*bp)[:r.stored(i)]
	if err := r.readStream(in, r.pos[i]); err != nil {
		return r.chunkErr(i, err)
	}
	if err := r.decodeStored(e.typ, dst, in); err != nil {
		return r.chunkErr(i, err)
	}
	return nil
}

// decodeStored decrypts (in place) and decodes the stored bytes in of a
// chunk of type t into dst.
func (r *Reader) decodeStored(t ChunkType, dst, in []byte) error {
	if r.cipher != nil {
		decryptChunk(r.cipher, in)
	}
	switch t {
	case ChunkData:
		if len(in) != len(dst) {
			return fmt.Errorf("%w: DATA chunk stores %d bytes, want %d", ErrCorrupt, len(in), len(dst))
		}
		copy(dst, in)
	case ChunkZlib:
		if err := inflate.Zlib(dst, in); err != nil {
			return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
		}
	case ChunkBzip2:
		return bunzip(dst, in)
	default:
		clear(dst)
	}
	return nil
}
