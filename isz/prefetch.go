package isz

// Sequential prefetch: finding the sequential readers and queueing the
// chunks ahead of them for the decode workers (workers.go).
//
// # Streams
//
// Every ReadAt is matched against a small table of streams. A stream
// remembers end, one past the highest byte it has read, and matches a read
// that starts within streamReach reads of that end, behind or ahead: FUSE
// serves the kernel's readahead from several threads at once, so the reads
// of one sequential reader arrive slightly out of order, and several
// readers may stream at once. The reach is counted in bytes of the reads
// themselves, not in chunks and not in the prefetch window: a file manager
// reading the first 4 KiB of files one chunk apart is not sequential, and
// a reader that turns random stops advancing its stream at once.
//
// A read that matches no stream starts a candidate; a candidate that
// advances twice (its reads move its end forward) is confirmed. Random
// reads practically never prefetch: two would have to land within a few
// read lengths of a candidate's end, one after the other. A sequential
// reader starts prefetching on its third read.
//
// A confirmed stream keeps window chunks after next decoded or queued for
// the workers. The window starts at the number of workers and doubles each
// time the stream advances into a new chunk, up to a cap: 8 MiB of chunks
// (at least 4 per worker), and no more than a fair share of the prefetch
// budget (half the cache) among the confirmed streams. Prefetched chunks
// are protected in the cache until read (see cache.go). When access turns
// random the stream stops advancing, so nothing more is queued; a stream
// idle for streamIdle, or pushed out of the table by newer streams, gives
// its prefetched chunks back to the cache as ordinary cold entries (and
// its queued ones are cancelled), as does a stream for the chunks it
// jumps over.
//
// Candidates and confirmed streams have separate slots: a file manager's
// burst of thousands of random reads churns through the maxCandidates
// candidate slots (least recently used first) and never pushes out a
// confirmed stream; the least recently used of maxConfirmed confirmed
// streams makes way when another is confirmed.

import (
	"time"
)

const (
	maxCandidates = 32              // candidate streams tracked
	maxConfirmed  = 8               // confirmed streams tracked
	confirmAfter  = 2               // advances that confirm a candidate
	streamReach   = 8               // read lengths a read may land behind or ahead of a stream's end
	streamIdle    = 2 * time.Second // a stream this long unread releases its prefetched chunks
	maxAheadBytes = 8 << 20         // per-stream window cap in bytes (but at least 4 chunks per worker)
)

// stream is one sequential reader as seen by the prefetcher.
type stream struct {
	end     int64 // one past the highest byte read
	last    int   // length of its last read
	next    int   // one past the highest chunk read
	sched   int   // chunks in [next, sched) are cached, queued, or ZERO
	window  int   // chunks to keep ready after next; 0 for a candidate
	hits    int   // advances so far, up to confirmAfter
	lastUse time.Time
	own     owner // the cache's count of the entries prefetched for it and not read yet
}

// observe matches a read of n > 0 bytes at off against the stream table,
// updates the table, and returns the read's stream, or nil when the read
// is not part of a confirmed stream. Called with r.mu held.
func (r *chunkReader) observe(off int64, n int, now time.Time) *stream {
	a, b := r.layout.chunkAt(off), r.layout.chunkAt(off+int64(n)-1)
	var best *stream
	var bestDist int64
	live := r.streams[:0]
	for _, s := range r.streams {
		if s.window > 0 && now.Sub(s.lastUse) > streamIdle {
			r.dropStream(s)
			continue
		}
		live = append(live, s)
		reach := int64(streamReach) * int64(max(n, s.last))
		d := off - s.end
		if d < -reach || d > reach {
			continue
		}
		if d = max(d, -d); best == nil || d < bestDist {
			best, bestDist = s, d
		}
	}
	clear(r.streams[len(live):])
	r.streams = live

	if best == nil {
		r.addCandidate(&stream{end: off + int64(n), last: n, next: b + 1, sched: b + 1, lastUse: now})
		return nil
	}
	s := best
	s.lastUse, s.last = now, n
	if off+int64(n) <= s.end {
		return confirmed(s) // a late read behind the stream
	}
	s.end = off + int64(n)
	if s.window == 0 {
		if s.hits++; s.hits == confirmAfter {
			r.confirm()
			s.window = r.initWindow
		}
	} else if b+1 > s.next {
		s.window = min(2*s.window, r.windowCap())
	}
	if b+1 > s.next {
		// Chunks prefetched for s that this read jumped over will not be
		// read by it; the ones it reads now are its to take.
		r.cache.releaseAhead(&s.own, s.next, b+1, a)
		s.next = b + 1
		s.sched = max(s.sched, s.next)
	}
	return confirmed(s)
}

// confirmed returns s if it is a confirmed stream, else nil.
func confirmed(s *stream) *stream {
	if s.window == 0 {
		return nil
	}
	return s
}

// windowCap is the largest window a stream may have now: the per-stream
// cap, or a fair share of the prefetch budget among confirmed streams.
func (r *chunkReader) windowCap() int {
	confirmed := 0
	for _, s := range r.streams {
		if s.window > 0 {
			confirmed++
		}
	}
	share := int(r.cache.aheadChunks() / int64(max(confirmed, 1)))
	return max(1, min(r.maxWindow, share))
}

// addCandidate puts a new candidate in the table, replacing the least
// recently used candidate when there are maxCandidates.
func (r *chunkReader) addCandidate(s *stream) {
	n, victim := 0, -1
	for k, o := range r.streams {
		if o.window == 0 {
			n++
			if victim < 0 || o.lastUse.Before(r.streams[victim].lastUse) {
				victim = k
			}
		}
	}
	if n < maxCandidates {
		r.streams = append(r.streams, s)
	} else {
		r.streams[victim] = s
	}
}

// confirm makes room for one more confirmed stream, dropping the least
// recently used one when there are maxConfirmed already.
func (r *chunkReader) confirm() {
	n, victim := 0, -1
	for k, o := range r.streams {
		if o.window > 0 {
			n++
			if victim < 0 || o.lastUse.Before(r.streams[victim].lastUse) {
				victim = k
			}
		}
	}
	if n < maxConfirmed {
		return
	}
	r.dropStream(r.streams[victim])
	r.streams = append(r.streams[:victim], r.streams[victim+1:]...)
}

// dropStream releases what s prefetched; the caller takes it out of the table.
func (r *chunkReader) dropStream(s *stream) {
	r.cache.releaseAhead(&s.own, s.next, s.sched, s.sched)
}

// prefetch queues the chunks of s's window that are not cached yet, as far
// as the prefetch budget allows. Called with r.mu held.
func (r *chunkReader) prefetch(s *stream) {
	end := min(s.next+s.window, r.layout.numChunks)
	for ; s.sched < end; s.sched++ {
		j := s.sched
		if r.isZero(j) || r.cache.has(j) {
			continue
		}
		e := r.cache.add(j, &s.own, false)
		if e == nil {
			return // budget spent: try again on the stream's next read
		}
		r.submit(&r.aheadJobs, e)
	}
}
