package isz

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"sync"
)

// Verify decodes every chunk, in parallel on all cores, and checks
// checksum1 (the NOT of the CRC-32 of the image) and checksum2 (the NOT of
// the CRC-32 of the stored chunk data, as stored). progress (may be nil)
// gets image bytes done and the total, in order.
//
// The first chunk that fails to decode is returned as a *ChunkError; a
// checksum mismatch unwraps to ErrChecksum. An image with a 48-byte header
// has no checksums: Verify then only checks that every chunk decodes.
// Verify does not go through (or disturb) the chunk cache.
func (r *Reader) Verify(ctx context.Context, progress func(done, total int64)) error {
	if r.noKey {
		return ErrNeedPassword
	}
	type job struct {
		i             int
		raw, tmp, out []byte
		err           error
		done          chan struct{}
	}
	w := runtime.GOMAXPROCS(0)
	free := make(chan *job, 2*w)
	for range 2 * w {
		free <- &job{
			raw:  make([]byte, r.maxIn),
			tmp:  make([]byte, r.maxIn),
			out:  make([]byte, min(int64(r.hdr.ChunkSize), r.Size())),
			done: make(chan struct{}, 1),
		}
	}
	// order and work never block: only 2*w jobs exist.
	order, work, stop := make(chan *job, 2*w), make(chan *job, 2*w), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1 + w)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(work)
		for i := range r.entries {
			var j *job
			select {
			case j = <-free:
			case <-stop:
				return
			}
			j.i = i
			order <- j
			work <- j
		}
	}()
	for range w {
		go func() {
			defer wg.Done()
			for j := range work {
				j.err = r.verifyChunk(j.i, j.raw, j.tmp, j.out)
				j.done <- struct{}{}
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	var crc1, crc2 uint32
	var done int64
	total := r.Size()
	for j := range order {
		<-j.done
		if j.err != nil {
			return j.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		size := r.chunkLen(j.i)
		crc1 = crc32.Update(crc1, crc32.IEEETable, j.out[:size])
		if r.entries[j.i].typ != ChunkZero {
			crc2 = crc32.Update(crc2, crc32.IEEETable, j.raw[:r.stored(j.i)])
		}
		done += int64(size)
		if progress != nil {
			progress(done, total)
		}
		free <- j
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

// verifyChunk reads chunk i's stored bytes into raw (kept intact for
// checksum2) and decodes a copy of them in tmp into out.
func (r *Reader) verifyChunk(i int, raw, tmp, out []byte) error {
	out = out[:r.chunkLen(i)]
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
