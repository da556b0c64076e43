package isz

// The decoded-chunk cache.
//
// # What it holds
//
// One entry per chunk that is cached or on its way: queued for a worker,
// being decoded, or ready. Concurrent readers of one chunk find the same
// entry, so a chunk is decoded once however many readers want it
// (singleflight); they wait on the entry's done channel. A failed decode
// takes its entry out of the cache at once, so the next read tries again,
// while the readers already waiting all see the same error.
//
// # Memory
//
// The budget is counted in whole buffers of ChunkSize bytes (at least one),
// and it is a bound on memory, not a target: the buffers the cache owns
// (holding a chunk, being decoded into, pinned by readers after eviction,
// or free) never outnumber what the budget holds, however many readers
// there are and whatever the image. A buffer is taken only when a decode
// starts (takeBuf): from the free list, new while under the budget, else
// by evicting. When every buffer is pinned, being decoded into or
// prefetched, a reader that needs one waits until one is freed, and a
// worker leaves the chunk to its reader (or gives up a prefetch).
//
// Waiting cannot deadlock: a reader about to wait first gives up its pins
// on the chunks after the one it needs (they are re-pinned after), so no
// waiting reader holds a buffer; decodes never wait once started; and
// prefetched chunks hold at most half the budget. So some buffer always
// comes free: a decode ends and its entry becomes evictable, or a reader
// copies out and unpins.
//
// Entries count against the budget too, whatever their state (used), so
// that eviction keeps the cache's index within it; a reader may add its
// entries over it when everything else is protected (a batch per ReadAt,
// see readBatch), which costs only the bookkeeping: an entry waiting to be
// decoded has no buffer.
//
// Buffers are reused, and reuse is made safe by pinning: an entry's refs
// counts the readers copying out of it and the goroutine decoding into it.
// Evicting a pinned entry only takes it out of the index; its buffer goes
// back to the free list when the last pin goes. Only buffers beyond the
// budget, left after the budget shrank (SetCacheSize), go to the garbage
// collector. So a stream of any length allocates nothing once the cache has
// filled. Immutable buffers left to
// the garbage collector would be simpler, but at several hundred MB/s of
// decoded data they turn the cache budget into a soft limit and make the
// collector run all the time; the pins are a few lines, checked by -race
// tests that poison recycled buffers.
//
// # Eviction: S3-FIFO
//
// Entries that readers have read live in two FIFO queues (Yang et al.,
// "FIFO queues are all you need for cache eviction", SOSP 2023): new
// entries enter the small queue (a tenth of the budget); an entry read
// again while there moves to the main queue when it reaches the tail, one
// read only once is evicted and remembered in a ghost list of chunk
// indices; a chunk found in the ghost list goes straight to main. Main
// evicts its tail unless it was read since the last pass (CLOCK-like).
// A scan (a file manager reading the first KiB of thousands of files)
// therefore passes through the small queue and never flushes the chunks
// that are read repeatedly, such as directories. Reads that continue a
// sequential stream do not count as re-reads: streamed data is used once.
//
// Chunks first read through Reader.ReadAtOnce, whose callers keep what
// they read (a file system reader's metadata, parsed once), wait in a third
// FIFO queue of their own, a sixteenth of the budget or of the image (see
// onceShare): its readers only come back to a chunk for another piece in
// it, as a UDF listing does when it reads the file entries of a directory
// one after another. Without it, a walk of a UDF disc, which reads a 2 KiB
// file entry for every file, filled a cache with room to spare with chunks
// no one read again: a peak of 180-240 MB in a cold ls -lR of the bench
// disc, against 85 MB through its ISO 9660 tree. Other reads evict from it
// only when the other queues have nothing to give: evicted first, its
// chunks went as soon as file data filled the cache, and reading every
// file of that disc, listing each directory before reading its files,
// decoded 51% more chunks (20,016 against 13,244).
//
// Prefetched chunks that no reader has read yet are in neither queue, so
// nothing evicts them; they count against a separate prefetch budget (half
// the cache) and join the small queue when read, or when their stream ends.
// Prefetch itself evicts only cold entries: from the small queue, or the
// tail of main when it was not read again since it got there. It never
// pushes out what readers keep coming back to; it waits instead.

// onceShare is the share of the budget onceQ holds (a sixteenth, at least
// onceMin entries), or of the image when it is smaller than the budget.
// Readers that parse metadata once still come back to a chunk when the
// pieces they read share it, and how far apart those reads are depends on
// the writer: genisoimage spreads the file entries of a directory's files
// over many chunks, each shared with other directories. A walk of the UDF
// tree of the bench disc (1.3 GB, 74,000 entries) decoded 1,352 chunks with
// no bound on onceQ, 5,847 with 8 entries, 2,957 with 32 and 1,522 with 128
// (16 MiB, a sixteenth of the default budget). A small disc has less
// metadata to spread: on the small bench disc (127 MB, 10,000 entries) a
// sixteenth of the budget held twice the chunks its ISO 9660 view keeps in
// all, and the UDF mount's peak memory in a cold ls -lR was 46 MB against
// that view's 33 MB; 39 MB with a sixteenth of the image.
const (
	onceShare = 16
	onceMin   = 8
)

// onceLimit is onceQ's bound for a cache of budget bytes over an image of
// chunks chunks of unit bytes: a sixteenth of the budget or of the image,
// whichever is less, and at least onceMin entries.
func onceLimit(budget, unit int64, chunks int) int64 {
	return max(min(budget, unit*int64(chunks))/onceShare, onceMin*unit)
}

// Entry states.
const (
	stateQueued  uint8 = iota // waiting for a worker or for a reader to claim it
	stateLoading              // being decoded
	stateReady                // buf holds the chunk
	stateFailed               // err says why; the entry has left the cache
)

// cacheEntry is one chunk in the cache. Every field is guarded by chunkReader.mu,
// except buf's contents, which belong to the decoder while loading and are
// read-only once ready.
type cacheEntry struct {
	chunk  int
	buf    []byte // len = chunk length; nil until the decode starts
	state  uint8
	err    error         // stateFailed: the Decode error
	done   chan struct{} // closed when state becomes ready or failed
	refs   int32         // pins: readers copying out, the decoder writing in
	cached bool          // in chunkCache.entries, counted in used
	freq   uint8         // reads since it entered its queue, saturating at 3
	toMain bool          // a ghost hit: goes to main when ready
	ahead  *owner        // prefetched for this owner (a stream) and not read yet
	byPre  bool          // added by prefetch
	once   bool          // added by ReadAtOnce: queued in onceQ

	q          *fifo // small, main, onceQ or nil
	prev, next *cacheEntry
}

// owner is a holder of prefetched entries: a stream of the prefetcher. The
// cache protects an owner's entries from eviction until it releases them
// (releaseAhead, or release when a reader reaches one), and counts them in
// held, which only the cache changes; the owner reads it to know whether it
// holds anything.
type owner struct{ held int }

// chunkCache is the bookkeeping of the cache. It has no lock of its own:
// the chunkReader holds its mutex around every call.
type chunkCache struct {
	layout     chunkLayout
	unit       int64 // bytes one entry counts for: the chunk size
	budget     int64
	smallLimit int64
	onceLimit  int64
	aheadLimit int64

	entries     map[int]*cacheEntry
	used        int64 // unit * number of cached entries
	aheadBytes  int64 // of which prefetched and not read yet
	small, main fifo
	onceQ       fifo // entries added by ReadAtOnce, at most onceLimit bytes
	ghost       ghostList
	free        [][]byte // buffers of cap unit, ready for reuse
	bufs        int      // buffers owned: in entries (cached or pinned) or free
	maxBufs     int      // the budget in buffers: owned ones beyond are let go
	closed      bool     // cleared by Close: recycle nothing more
	onRoom      func()   // called when a buffer is freed or an entry becomes evictable

	st cacheStats
}

// cacheStats counts what the cache did, for tests and benchmarks.
type cacheStats struct {
	hits, misses int64 // chunk lookups by readers
	decodes      int64 // decodes started (by readers or workers)
	prefetched   int64 // entries added by prefetch
	aheadHits    int64 // prefetched entries a reader found decoded or decoding
	evictions    int64 // entries dropped: evicted, failed or cancelled
	peakUsed     int64 // highest used seen
	peakAhead    int64 // highest aheadBytes seen
	allocs       int64 // chunk buffers allocated
	peakBufs     int   // highest bufs seen
}

func newChunkCache(l chunkLayout, budget int64) *chunkCache {
	unit := int64(max(l.chunkSize, 1))
	c := &chunkCache{
		layout:  l,
		unit:    unit,
		entries: make(map[int]*cacheEntry),
		ghost:   newGhostList(int(min(budget/unit, int64(l.numChunks)))),
	}
	c.resize(budget)
	return c
}

// resize sets a new budget and the limits derived from it (newChunkCache
// sets the first). Shrinking evicts down to it at once, as far as eviction
// can (prefetched and pinned entries leave in their own time), and lets
// the free buffers beyond it go.
func (c *chunkCache) resize(budget int64) {
	c.budget = max(budget, c.unit)
	c.smallLimit = max(c.budget/10, c.unit)
	c.onceLimit = onceLimit(c.budget, c.unit, c.layout.numChunks)
	c.aheadLimit = c.budget / 2
	c.maxBufs = int(c.budget / c.unit)
	for c.used > c.budget && c.evictOne(false) {
	}
	for n := len(c.free); n > 0 && c.bufs > c.maxBufs; n-- {
		c.free[n-1] = nil
		c.free = c.free[:n-1]
		c.bufs--
	}
}

// lookup returns the entry of chunk i, or nil. A reader calls it; reuse says
// whether the read counts as a re-read for eviction.
func (c *chunkCache) lookup(i int, reuse bool) *cacheEntry {
	e := c.entries[i]
	if e == nil {
		c.st.misses++
		return nil
	}
	c.st.hits++
	if e.byPre && e.state != stateQueued {
		e.byPre = false
		c.st.aheadHits++
	}
	if reuse && e.freq < 3 {
		e.freq++
	}
	return e
}

// add puts a new queued entry for chunk i in the cache, making room for it.
// A prefetch (ahead != nil) gets nil when the prefetch budget is spent or
// room could only be made by evicting from the main queue; a reader always
// gets its entry, over budget if everything else is protected. An entry for
// ReadAtOnce (once) goes to onceQ, making room there first, and a ghost
// hit does not count for it: such a read is not a re-read.
func (c *chunkCache) add(i int, ahead *owner, once bool) *cacheEntry {
	if ahead != nil && c.aheadBytes+c.unit > c.aheadLimit {
		return nil
	}
	// Look in the ghost list before evicting: the eviction adds to it and
	// may push i out.
	ghost := !once && c.ghost.contains(i)
	for once && int64(c.onceQ.n)*c.unit >= c.onceLimit {
		c.drop(c.onceQ.tail)
	}
	if ahead != nil && !c.makeRoom(true) {
		return nil
	}
	if ahead == nil {
		c.makeRoom(false)
	}
	e := &cacheEntry{chunk: i, done: make(chan struct{}), cached: true, ahead: ahead, byPre: ahead != nil, once: once}
	if ghost {
		c.ghost.remove(i)
		e.toMain = true
	}
	c.entries[i] = e
	c.used += c.unit
	c.st.peakUsed = max(c.st.peakUsed, c.used)
	if ahead != nil {
		c.aheadBytes += c.unit
		ahead.held++
		c.st.prefetched++
		c.st.peakAhead = max(c.st.peakAhead, c.aheadBytes)
	}
	return e
}

// makeRoom evicts until one more entry fits. With coldOnly (prefetch) it
// evicts only cold entries: from the small queue (moving re-read entries
// to main as usual), the tail of main if it was not read again since it
// got there, or onceQ; it reports false when that is not enough.
func (c *chunkCache) makeRoom(coldOnly bool) bool {
	for c.used+c.unit > c.budget {
		if !c.evictOne(coldOnly) {
			return false
		}
	}
	return true
}

// evictOne evicts one entry by S3-FIFO, or the oldest of onceQ when
// neither queue can give one; false when nothing is evictable.
func (c *chunkCache) evictOne(coldOnly bool) bool {
	for {
		if c.small.n > 0 && (coldOnly || c.main.n == 0 || int64(c.small.n)*c.unit >= c.smallLimit) {
			e := c.small.tail
			c.small.remove(e)
			if e.freq > 1 {
				e.freq = 0
				c.main.pushHead(e)
				continue
			}
			c.ghost.add(e.chunk)
			c.drop(e)
			return true
		}
		if c.main.n == 0 || coldOnly && c.main.tail.freq > 0 {
			if c.onceQ.n == 0 {
				return false
			}
			c.drop(c.onceQ.tail)
			return true
		}
		e := c.main.tail
		c.main.remove(e)
		if e.freq > 0 {
			e.freq--
			c.main.pushHead(e)
			continue
		}
		c.drop(e)
		return true
	}
}

// drop takes e out of the cache; its buffer is recycled once unpinned.
func (c *chunkCache) drop(e *cacheEntry) {
	if !e.cached {
		return
	}
	if e.q != nil {
		e.q.remove(e)
	}
	if e.ahead != nil {
		c.aheadBytes -= c.unit
		e.ahead.held--
		e.ahead = nil
	}
	delete(c.entries, e.chunk)
	e.cached = false
	c.used -= c.unit
	c.st.evictions++
	c.maybeRecycle(e)
}

// claim moves a queued entry to loading for the caller, who must then
// decode into e.buf and call finish; the entry stays pinned until finish.
// It reports false, leaving e queued, when no buffer can be had within the
// budget (see takeBuf).
func (c *chunkCache) claim(e *cacheEntry, coldOnly bool) bool {
	buf := c.takeBuf(coldOnly)
	if buf == nil {
		return false
	}
	e.state = stateLoading
	e.refs++
	c.st.decodes++
	e.buf = buf[:c.layout.chunkLen(e.chunk)]
	return true
}

// takeBuf returns a buffer of cap unit: a free one, else a new one while
// the buffers owned number fewer than the budget holds, else one freed by
// evicting (with coldOnly, only cold entries, as prefetch does). It returns
// nil when none can be had: every buffer is pinned, being decoded into or
// prefetched. The caller then waits for one (a reader) or gives up (a
// worker), so the buffers never outnumber the budget.
func (c *chunkCache) takeBuf(coldOnly bool) []byte {
	for {
		if n := len(c.free); n > 0 {
			b := c.free[n-1]
			c.free = c.free[:n-1]
			return b
		}
		if c.bufs < c.maxBufs || c.closed {
			c.bufs++
			c.st.allocs++
			c.st.peakBufs = max(c.st.peakBufs, c.bufs)
			return make([]byte, c.unit)
		}
		if !c.evictOne(coldOnly) {
			return nil
		}
	}
}

// finish records the result of decoding e and wakes its waiters.
func (c *chunkCache) finish(e *cacheEntry, err error) {
	if err != nil {
		e.state, e.err = stateFailed, err
		c.drop(e) // not cached: the next read decodes again
	} else {
		e.state = stateReady
		c.enqueue(e)
	}
	close(e.done)
	c.unpin(e)
}

// enqueue puts a ready, cached entry that no stream holds ahead in its
// queue, where it can be evicted: room for a waiting reader.
func (c *chunkCache) enqueue(e *cacheEntry) {
	if !e.cached || e.ahead != nil || e.state != stateReady || e.q != nil {
		return
	}
	switch {
	case e.once:
		c.onceQ.pushHead(e)
	case e.toMain:
		e.toMain = false
		c.main.pushHead(e)
	default:
		c.small.pushHead(e)
	}
	c.roomMade()
}

// has reports whether chunk i has an entry (cached or on its way).
func (c *chunkCache) has(i int) bool { return c.entries[i] != nil }

// aheadChunks is the prefetch budget in chunks.
func (c *chunkCache) aheadChunks() int64 { return c.aheadLimit / c.unit }

// overAhead reports whether prefetched entries hold more than the prefetch
// budget (after it shrank).
func (c *chunkCache) overAhead() bool { return c.aheadBytes > c.aheadLimit }

// releaseAhead releases o's entries among chunks [from, to): those from
// used on were reached by a reader, the others were jumped over or given
// up (see release).
func (c *chunkCache) releaseAhead(o *owner, from, to, used int) {
	for j := from; j < to && o.held > 0; j++ {
		if e := c.entries[j]; e != nil && e.ahead == o {
			c.release(e, j >= used)
		}
	}
}

// release ends the protection of a prefetched entry: a reader reached it
// (used) or its stream is gone. A queued entry of a gone stream is
// cancelled, a decoded one becomes an ordinary cold entry.
func (c *chunkCache) release(e *cacheEntry, used bool) {
	if e.ahead == nil {
		return
	}
	c.aheadBytes -= c.unit
	e.ahead.held--
	e.ahead = nil
	if !used && e.state == stateQueued {
		c.drop(e)
		return
	}
	c.enqueue(e)
}

// unpin drops one pin of e. An entry still queued that nobody pins or
// prefetches any more (a reader gave it up to wait for room, or failed
// before reaching it) leaves the cache: nobody would ever decode it.
func (c *chunkCache) unpin(e *cacheEntry) {
	e.refs--
	if e.refs == 0 && e.state == stateQueued && e.ahead == nil {
		c.drop(e)
	}
	c.maybeRecycle(e)
}

// roomMade tells a reader waiting for a buffer (see takeBuf) to try again.
func (c *chunkCache) roomMade() {
	if c.onRoom != nil {
		c.onRoom()
	}
}

// maybeRecycle returns e's buffer to the free list once nothing can read it:
// it has left the cache and nobody holds a pin. A buffer beyond the budget
// (left after the budget shrank) goes to the garbage collector instead.
func (c *chunkCache) maybeRecycle(e *cacheEntry) {
	if e.cached || e.refs > 0 || e.buf == nil {
		return
	}
	if !c.closed && c.bufs <= c.maxBufs {
		c.free = append(c.free, e.buf[:cap(e.buf)])
	} else {
		c.bufs--
	}
	e.buf = nil
	c.roomMade()
}

// clear empties the cache for Close. Pinned entries finish normally; their
// buffers are left to the garbage collector.
func (c *chunkCache) clear() {
	for _, e := range c.entries {
		if e.ahead != nil {
			e.ahead.held--
			e.ahead = nil
		}
		e.cached = false
		e.q = nil
		e.prev, e.next = nil, nil
	}
	c.entries = map[int]*cacheEntry{}
	c.small, c.main, c.onceQ = fifo{}, fifo{}, fifo{}
	c.ghost = newGhostList(0)
	c.bufs -= len(c.free)
	c.free = nil
	c.used, c.aheadBytes = 0, 0
	c.closed = true
}

// fifo is an intrusive doubly linked queue: in at the head, out at the tail.
type fifo struct {
	head, tail *cacheEntry
	n          int
}

func (q *fifo) pushHead(e *cacheEntry) {
	e.q, e.prev, e.next = q, nil, q.head
	if q.head != nil {
		q.head.prev = e
	} else {
		q.tail = e
	}
	q.head = e
	q.n++
}

func (q *fifo) remove(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		q.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		q.tail = e.prev
	}
	e.q, e.prev, e.next = nil, nil, nil
	q.n--
}

// ghostList remembers the indices of the last chunks evicted from the small
// queue, at most max of them, in a ring.
type ghostList struct {
	max  int
	ring []ghostSlot
	pos  int
	seq  uint64
	in   map[int]uint64 // chunk -> seq of its live slot
}

type ghostSlot struct {
	chunk int
	seq   uint64
}

func newGhostList(max int) ghostList {
	return ghostList{max: max, in: make(map[int]uint64)}
}

func (g *ghostList) add(chunk int) {
	if g.max == 0 {
		return
	}
	g.seq++
	s := ghostSlot{chunk, g.seq}
	if len(g.ring) < g.max {
		g.ring = append(g.ring, s)
	} else {
		old := g.ring[g.pos]
		if g.in[old.chunk] == old.seq {
			delete(g.in, old.chunk)
		}
		g.ring[g.pos] = s
		g.pos = (g.pos + 1) % len(g.ring)
	}
	g.in[chunk] = s.seq
}

func (g *ghostList) contains(chunk int) bool {
	_, ok := g.in[chunk]
	return ok
}

func (g *ghostList) remove(chunk int) { delete(g.in, chunk) }
