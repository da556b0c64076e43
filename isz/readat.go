package isz

import (
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"
	"time"
)

// chunkReaderConfig is what the format code hands to newChunkReader: the
// geometry of the image and how to get one chunk.
type chunkReaderConfig struct {
	Layout    chunkLayout                   // the image's chunks (checked by newChunkLayout)
	Decode    func(i int, dst []byte) error // fill dst (len == size of chunk i) with chunk i; safe for concurrent calls
	IsZero    func(i int) bool              // ZERO chunk: served as zeros, never decoded
	CacheSize int64                         // bytes; 0 = DefaultCacheSize()
	Workers   int                           // 0 = GOMAXPROCS; 1 = no worker pool, no prefetch
}

// chunkReader serves ReadAt over the decompressed image, decoding chunks
// through the shared cache (cache.go) with sequential prefetch on a worker
// pool (prefetch.go). One mutex guards the cache, the stream table and the
// job queues; it is never held while decoding or copying data.
type chunkReader struct {
	cfg        chunkReaderConfig
	layout     chunkLayout
	workers    int
	batch      int // chunks one ReadAt pins and queues at a time (see newChunkReader)
	initWindow int // prefetch window of a newly confirmed stream, in chunks
	maxWindow  int // per-stream window cap, in chunks
	now        func() time.Time

	mu         sync.Mutex
	work       sync.Cond // signalled when a job is queued or on Close; L = &mu
	room       sync.Cond // broadcast when a buffer may be had (see chunkCache.takeBuf) or on Close; L = &mu
	closed     bool
	cache      *chunkCache
	streams    []*stream
	urgentJobs jobQueue // chunks a ReadAt is waiting for
	aheadJobs  jobQueue // prefetch
	started    int      // workers running
	decoding   int      // decodes running, by workers and readers
	waiting    int      // readers in room.Wait
	wg         sync.WaitGroup
}

func newChunkReader(cfg chunkReaderConfig) *chunkReader {
	l := cfg.Layout
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	budget := cfg.CacheSize
	if budget <= 0 {
		budget = DefaultCacheSize()
	}
	r := &chunkReader{
		cfg:        cfg,
		layout:     l,
		workers:    workers,
		batch:      readBatch(workers, budget, l.chunkSize),
		initWindow: max(2, workers),
		maxWindow:  max(4*workers, maxAheadBytes/max(l.chunkSize, 1)),
		cache:      newChunkCache(l, budget),
		now:        time.Now,
	}
	r.work.L = &r.mu
	r.room.L = &r.mu
	r.cache.onRoom = r.room.Broadcast
	return r
}

// readBatch is how many chunks one ReadAt pins and hands to the workers at
// once: all the chunks of a large read (isz extract reads 4 MiB at a time)
// decode in parallel without waiting at batch boundaries, up to a quarter
// of the cache and 64 chunks, so that one large read does not take every
// buffer from the other readers; at least two per worker. The entries of a
// batch hold no buffer until their decode starts (see chunkCache.takeBuf).
func readBatch(workers int, budget int64, chunkSize int) int {
	return max(2*workers, int(min(64, budget/4/int64(max(chunkSize, 1)))))
}

var errReaderClosed = fmt.Errorf("isz: read after Close: %w", fs.ErrClosed)

// ReadAt has io.ReaderAt semantics and is safe for concurrent use. A chunk
// that fails to decode ends the read with Decode's error, after the bytes
// of the chunks before it.
func (r *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	return r.read(p, off, false)
}

// read is ReadAt, or with once ReadAtOnce: a read that does not count as a
// re-read of the chunks it touches, whose chunks wait in the cache's once
// queue (see chunkCache.add), and that starts no stream to prefetch for.
// Such a reader parses metadata, each piece once, and reading ahead of it
// only fills the cache with chunks parsed once: a UDF walk reads its file
// entries in block order, and with prefetch the daemon's peak memory in
// a cold ls -lR was twice that of the ISO 9660 view of the same disc.
func (r *chunkReader) read(p []byte, off int64, once bool) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("isz: ReadAt at negative offset %d", off)
	}
	n, short := r.layout.clampRead(off, len(p))
	var buf [16]chunkSpan
	spans := r.layout.spans(buf[:0], off, n)
	var ents [16]*cacheEntry

	r.mu.Lock()
	var s *stream
	if len(spans) > 0 && !r.closed && !once {
		s = r.observe(off, n, r.now())
	}
	for start := 0; start < len(spans); {
		if r.closed {
			r.mu.Unlock()
			return spans[start].dst, errReaderClosed
		}
		batch := spans[start:min(start+r.batch, len(spans))]
		pinned := r.pin(ents[:0], batch, !once && s == nil, once)
		if start == 0 && s != nil && r.workers > 1 {
			r.prefetch(s)
		}
		for k, sp := range batch {
			gaveUp, err := r.fill(pinned[k], pinned[k+1:], p[sp.dst:sp.dst+sp.n], sp.off)
			if err != nil {
				if !gaveUp {
					r.unpinAll(pinned[k+1:])
				}
				r.mu.Unlock()
				return sp.dst, err
			}
			if gaveUp { // pin the rest of the batch again
				batch = batch[:k+1]
				break
			}
		}
		start += len(batch)
	}
	r.mu.Unlock()
	if short {
		return n, io.EOF
	}
	return n, nil
}

// pin finds or adds the entries of spans (nil for a ZERO chunk), pinned for
// the caller, and queues all but the first missing one for the workers.
// reuse says whether the reads count as re-reads for eviction, once whether
// the entries it adds are for ReadAtOnce (see chunkCache.add). Called with
// r.mu held.
func (r *chunkReader) pin(dst []*cacheEntry, spans []chunkSpan, reuse, once bool) []*cacheEntry {
	own := false // the caller decodes its first missing chunk itself
	for _, sp := range spans {
		if r.isZero(sp.chunk) {
			dst = append(dst, nil)
			continue
		}
		e := r.cache.lookup(sp.chunk, reuse)
		if e == nil {
			e = r.cache.add(sp.chunk, nil, once)
		} else {
			r.cache.release(e, true)
		}
		e.refs++
		if e.state == stateQueued && r.workers > 1 {
			if own {
				r.submit(&r.urgentJobs, e)
			}
			own = true
		}
		dst = append(dst, e)
	}
	return dst
}

// unpinAll drops the caller's pins on es (nil entries are ZERO chunks).
// Called with r.mu held.
func (r *chunkReader) unpinAll(es []*cacheEntry) {
	for _, e := range es {
		if e != nil {
			r.cache.unpin(e)
		}
	}
}

// fill copies the chunk bytes [off, off+len(dst)) of the pinned entry e
// into dst (zeros for nil) and unpins e. If e is still queued, the caller
// decodes it, unless as many decodes as there are workers run already:
// then it leaves e to a worker (see mayDecode). If another goroutine is
// decoding it, the caller waits. When no buffer can be had to decode into,
// the caller gives up its pins on rest (the entries of its batch after e),
// so that it holds no buffer while it waits for one, and fill reports
// gaveUp: the caller pins them again. Called with
// r.mu held, which fill releases while it decodes, waits and copies.
func (r *chunkReader) fill(e *cacheEntry, rest []*cacheEntry, dst []byte, off int) (gaveUp bool, err error) {
	if e == nil {
		clear(dst)
		return false, nil
	}
	decode, queued := false, false
	for e.state == stateQueued {
		if r.closed {
			r.cache.unpin(e)
			return gaveUp, errReaderClosed
		}
		if r.mayDecode() {
			if decode = r.cache.claim(e, false); decode {
				break
			}
			if !gaveUp { // no buffer: hold none while waiting for one
				r.unpinAll(rest)
				gaveUp = true
			}
		} else if !queued {
			r.submit(&r.urgentJobs, e)
			queued = true
		}
		r.waiting++
		r.room.Wait()
		r.waiting--
	}
	if decode {
		r.decoding++
	}
	r.mu.Unlock()
	if decode {
		err := r.cfg.Decode(e.chunk, e.buf)
		r.mu.Lock()
		r.cache.finish(e, err)
		r.decoded()
		r.mu.Unlock()
	}
	<-e.done // state, err and buf are final once done is closed
	if e.state == stateFailed {
		err = e.err
	} else {
		copy(dst, e.buf[off:])
	}
	r.mu.Lock()
	r.cache.unpin(e)
	return gaveUp, err
}

// mayDecode reports whether a reader may decode a queued chunk itself:
// always without a worker pool, else while fewer decodes run than there
// are workers. More decoders than cores decode no faster, and each holds
// its decoder's state (a bzip2 decoder's is several MiB) and a buffer:
// a FUSE server with many reads in flight, each decoding its own chunk,
// spent 12% more CPU time on bzip2 than one reader. Called with r.mu held.
func (r *chunkReader) mayDecode() bool {
	return r.workers == 1 || r.decoding < r.workers
}

// decoded ends a decode begun by claim: a reader waiting for one (see
// fill) may decode now. Called with r.mu held.
func (r *chunkReader) decoded() {
	r.decoding--
	if r.waiting > 0 {
		r.room.Broadcast()
	}
}

// setBudget changes the cache budget (see chunkCache.resize). Prefetched
// chunks are protected until read, so when they hold more than the new
// prefetch budget the streams give them back (queued ones are cancelled,
// decoded ones become cold and evictable) and queue again from where their
// readers are, within the new budget.
func (r *chunkReader) setBudget(bytes int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.cache.resize(bytes)
	if r.cache.overAhead() {
		for _, s := range r.streams {
			r.dropStream(s)
			s.sched = s.next
		}
		r.cache.resize(bytes)
	}
}

// budget is the cache budget now, in bytes.
func (r *chunkReader) budget() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cache.budget
}

// memory is the bytes of chunk buffers the cache holds: cached, pinned
// after eviction, and free for reuse.
func (r *chunkReader) memory() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int64(r.cache.bufs) * r.cache.unit
}

func (r *chunkReader) isZero(i int) bool { return r.cfg.IsZero != nil && r.cfg.IsZero(i) }

// stats returns a snapshot of the cache counters.
func (r *chunkReader) stats() cacheStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cache.st
}

// Close stops the workers and frees the cache; reads after Close fail with
// an error that unwraps to fs.ErrClosed. Reads already running finish. It is
// safe to call more than once.
func (r *chunkReader) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.work.Broadcast()
	r.room.Broadcast()
	r.mu.Unlock()
	r.wg.Wait()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams = nil
	r.urgentJobs.clear()
	r.aheadJobs.clear()
	r.cache.clear()
}
