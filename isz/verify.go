package isz

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
)

// Verify decodes every chunk, in parallel on all cores, and checks
// checksum1 (the NOT of the CRC-32 of the image) and checksum2 (the NOT of
// the CRC-32 of the stored chunk data, as stored). progress (may be nil)
// gets image bytes done and the total, in order.
//
// The first chunk that fails to decode is returned as a *ChunkError; a
// checksum mismatch unwraps to ErrChecksum. An image with a 48-byte header
// has no checksums: Verify then only checks that every chunk decodes.
// Verify does not go through (or disturb) the chunk cache, but it keeps
// its own buffers within the cache budget (Options.CacheSize), at least two
// chunks' worth.
func (r *Reader) Verify(ctx context.Context, progress func(done, total int64)) error {
	if r.noKey {
		return ErrNeedPassword
	}
	type slot struct{ raw, tmp, out []byte }
	w := runtime.GOMAXPROCS(0)
	slots := make([]*slot, verifySlots(w, r.cr.budget(), r.maxIn, r.chunks.chunkLen(0)))
	for k := range slots {
		slots[k] = &slot{raw: make([]byte, r.maxIn), tmp: make([]byte, r.maxIn), out: make([]byte, r.chunks.chunkLen(0))}
	}
	var crc1, crc2 uint32
	var done int64
	total := r.Size()
	err := ordered(ctx, len(r.entries), w, slots,
		func(int, *slot) error { return nil },
		func(i int, s *slot) error { return r.verifyChunk(i, s.raw, s.tmp, s.out) },
		func(i int, s *slot) error {
			size := r.chunks.chunkLen(i)
			crc1 = crc32.Update(crc1, crc32.IEEETable, s.out[:size])
			if r.entries[i].typ != ChunkZero {
				crc2 = crc32.Update(crc2, crc32.IEEETable, s.raw[:r.stored(i)])
			}
			done += int64(size)
			if progress != nil {
				progress(done, total)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if !r.hdr.HasChecksums() {
		return nil
	}
	var errs []error
	if got := ^crc1; got != r.hdr.Checksum1 {
		errs = append(errs, fmt.Errorf("%w: checksum1 (image) is %#08x, computed %#08x", ErrChecksum, r.hdr.Checksum1, got))
	}
	if got := ^crc2; got != r.hdr.Checksum2 {
		errs = append(errs, fmt.Errorf("%w: checksum2 (stored data) is %#08x, computed %#08x", ErrChecksum, r.hdr.Checksum2, got))
	}
	return errors.Join(errs...)
}

// verifySlots is how many chunks Verify keeps in flight: two per worker,
// so that the workers never wait for the checksum, but no more than the
// cache budget holds (each takes a decoded chunk and two copies of its
// stored bytes), and at least two.
func verifySlots(workers int, budget int64, maxIn, chunk int) int {
	per := int64(2*maxIn + chunk)
	return int(max(2, min(int64(2*workers), budget/max(per, 1))))
}

// verifyChunk reads chunk i's stored bytes into raw (kept intact for
// checksum2) and decodes a copy of them in tmp into out.
func (r *Reader) verifyChunk(i int, raw, tmp, out []byte) error {
	out = out[:r.chunks.chunkLen(i)]
	t := r.entries[i].typ
	if t == ChunkZero {
		clear(out)
		return nil
	}
	raw = raw[:r.stored(i)]
	if err := r.readStream(raw, r.pos[i]); err != nil {
		return r.chunkErr(i, err)
	}
	tmp = tmp[:len(raw)]
	copy(tmp, raw)
	if err := r.decodeStored(t, out, tmp); err != nil {
		return r.chunkErr(i, err)
	}
	return nil
}
