package isz

import (
	"bytes"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkInvariants checks the cache's and the stream table's bookkeeping
// against each other. Call it when no read is running.
func checkInvariants(t *testing.T, r *chunkReader) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cache
	ahead, inQueues := 0, 0
	owned := map[*owner]int{}
	for i, e := range c.entries {
		if e.chunk != i || !e.cached {
			t.Fatalf("entry of chunk %d: chunk %d, cached %v", i, e.chunk, e.cached)
		}
		if e.ahead != nil {
			ahead++
			owned[e.ahead]++
			if e.q != nil {
				t.Fatalf("prefetched chunk %d is evictable", i)
			}
		}
		if e.q != nil {
			inQueues++
			if e.state != stateReady {
				t.Fatalf("chunk %d in a queue in state %d", i, e.state)
			}
		}
	}
	if int64(len(c.entries))*c.unit != c.used {
		t.Fatalf("%d entries, used %d", len(c.entries), c.used)
	}
	if int64(ahead)*c.unit != c.aheadBytes {
		t.Fatalf("%d entries ahead, aheadBytes %d", ahead, c.aheadBytes)
	}
	if inQueues != c.small.n+c.main.n {
		t.Fatalf("%d entries in queues, queues hold %d", inQueues, c.small.n+c.main.n)
	}
	live := map[*owner]bool{}
	for _, s := range r.streams {
		live[&s.own] = true
		if s.own.held != owned[&s.own] {
			t.Fatalf("stream %+v owns %d entries, counts %d", *s, owned[&s.own], s.own.held)
		}
	}
	for s := range owned {
		if !live[s] {
			t.Fatalf("entries held ahead for a stream no longer in the table: %+v", *s)
		}
	}
}

// readSeq reads chunks in the given order, one whole chunk per read,
// checking the bytes.
func readChunks(t *testing.T, r *chunkReader, f *fakeImage, order []int) {
	t.Helper()
	for _, i := range order {
		p := make([]byte, f.layout.chunkLen(i))
		off := f.layout.chunkOffset(i)
		if _, err := r.ReadAt(p, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, f.want(off, len(p))) {
			t.Fatalf("chunk %d: wrong bytes", i)
		}
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func newTestReader(t *testing.T, f *fakeImage, workers int, cache int64) *chunkReader {
	cfg := f.config()
	cfg.Workers = workers
	cfg.CacheSize = cache
	r := newChunkReader(cfg)
	t.Cleanup(r.Close)
	return r
}

// TestPrefetchSequentialParallel: a sequential reader gets the chunks
// after it decoded ahead, several at a time, each exactly once.
func TestPrefetchSequentialParallel(t *testing.T) {
	f := newFakeImage(t, 4096, 300*4096)
	f.delay = 2 * time.Millisecond
	r := newTestReader(t, f, 4, 64<<20)
	readChunks(t, r, f, seq(0, 300))
	checkInvariants(t, r)
	st := r.stats()
	if st.prefetched < 250 {
		t.Errorf("%d of 300 chunks prefetched", st.prefetched)
	}
	if p := f.peak.Load(); p < 3 {
		t.Errorf("at most %d decodes ran at once, want the 4 workers busy", p)
	}
	for i := range 300 {
		if n := f.decodes[i].Load(); n != 1 {
			t.Fatalf("chunk %d decoded %d times", i, n)
		}
	}
}

// TestPrefetchRamp: the window starts at the worker count and doubles at
// each advance up to its cap.
func TestPrefetchRamp(t *testing.T) {
	f := newFakeImage(t, 4096, 1000*4096)
	r := newTestReader(t, f, 2, 64<<20)
	r.maxWindow = 16
	var windows []int
	for i := range 10 {
		readChunks(t, r, f, []int{i})
		r.mu.Lock()
		w := 0
		for _, s := range r.streams {
			w = max(w, s.window)
		}
		r.mu.Unlock()
		windows = append(windows, w)
	}
	want := []int{0, 0, 2, 4, 8, 16, 16, 16, 16, 16}
	for k := range want {
		if windows[k] != want[k] {
			t.Fatalf("windows after each read %v, want %v", windows, want)
		}
	}
	checkInvariants(t, r)
}

func TestPrefetchNotForRandomReads(t *testing.T) {
	f := newFakeImage(t, 4096, 20000*4096)
	r := newTestReader(t, f, 4, 64<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	order := make([]int, 2000)
	for k := range order {
		order[k] = rng.IntN(20000)
	}
	readChunks(t, r, f, order)
	if st := r.stats(); st.prefetched != 0 {
		t.Errorf("random reads prefetched %d chunks", st.prefetched)
	}
	checkInvariants(t, r)
}

// TestPrefetchStopsWhenRandom: once a sequential reader turns random,
// nothing more is prefetched, and after streamIdle what it prefetched is
// released to the cache.
func TestPrefetchStopsWhenRandom(t *testing.T) {
	f := newFakeImage(t, 4096, 20000*4096)
	r := newTestReader(t, f, 2, 64<<20)
	r.maxWindow = 16
	now := time.Unix(1e9, 0)
	r.now = func() time.Time { return now }
	readChunks(t, r, f, seq(0, 50))
	before := r.stats().prefetched
	rng := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		readChunks(t, r, f, []int{100 + rng.IntN(19000)})
	}
	// A random read may by chance land just after the stream and advance
	// it once; more would mean the stream follows random reads.
	if after := r.stats().prefetched; after-before > int64(r.maxWindow) {
		t.Errorf("%d chunks prefetched after the reads turned random", after-before)
	}
	checkInvariants(t, r)
	now = now.Add(streamIdle + time.Second)
	readChunks(t, r, f, []int{19999})
	checkInvariants(t, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache.aheadBytes != 0 {
		t.Errorf("%d bytes still held for an idle stream", r.cache.aheadBytes)
	}
}

// TestPrefetchOutOfOrder: FUSE threads deliver a sequential reader's reads
// slightly out of order; it is still a stream.
func TestPrefetchOutOfOrder(t *testing.T) {
	f := newFakeImage(t, 4096, 400*4096)
	r := newTestReader(t, f, 2, 64<<20)
	var order []int
	for i := 0; i < 400; i += 4 {
		order = append(order, i+1, i, i+3, i+2)
	}
	readChunks(t, r, f, order)
	checkInvariants(t, r)
	if st := r.stats(); st.prefetched < 300 {
		t.Errorf("%d of 400 chunks prefetched", st.prefetched)
	}
	for i := range 400 {
		if n := f.decodes[i].Load(); n != 1 {
			t.Fatalf("chunk %d decoded %d times", i, n)
		}
	}
}

// TestPrefetchInterleavedStreams: several sequential readers at once, reads
// taking turns, all prefetched, each chunk decoded once, within budget.
func TestPrefetchInterleavedStreams(t *testing.T) {
	const streams, length = 6, 150
	f := newFakeImage(t, 4096, streams*1000*4096)
	budget := int64(256 * 4096)
	r := newTestReader(t, f, 2, budget)
	for k := range length {
		for s := range streams {
			readChunks(t, r, f, []int{s*1000 + k})
		}
	}
	checkInvariants(t, r)
	st := r.stats()
	if st.prefetched < streams*(length-10) {
		t.Errorf("%d of %d chunks prefetched", st.prefetched, streams*length)
	}
	if st.peakAhead > r.cache.aheadLimit || st.peakUsed > budget+int64(r.batch)*4096 {
		t.Errorf("prefetch held %d bytes (limit %d), cache %d (budget %d)", st.peakAhead, r.cache.aheadLimit, st.peakUsed, budget)
	}
	for s := range streams {
		for k := range length {
			if n := f.decodes[s*1000+k].Load(); n != 1 {
				t.Fatalf("stream %d chunk %d decoded %d times", s, k, n)
			}
		}
	}
}

// TestPrefetchSkipReleases: chunks prefetched for a stream that then skips
// over them become ordinary cache entries, no longer held.
func TestPrefetchSkipReleases(t *testing.T) {
	f := newFakeImage(t, 4096, 1000*4096)
	r := newTestReader(t, f, 2, 64<<20)
	readChunks(t, r, f, seq(0, 6)) // window now 8: chunks 6..13 prefetched
	readChunks(t, r, f, []int{9})  // skips 6, 7, 8
	checkInvariants(t, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range []int{6, 7, 8} {
		if e := r.cache.entries[i]; e != nil && e.ahead != nil {
			t.Errorf("skipped chunk %d still held for the stream", i)
		}
	}
}

// TestPrefetchBudgetTiny: a cache too small for any prefetch still reads
// correctly, with concurrent sequential readers.
func TestPrefetchBudgetTiny(t *testing.T) {
	f := newFakeImage(t, 4096, 500*4096)
	r := newTestReader(t, f, 4, 4096)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() { readChunks(t, r, f, seq(g*100, g*100+100)) })
	}
	wg.Wait()
	if st := r.stats(); st.prefetched != 0 {
		t.Errorf("prefetched %d chunks into a one-chunk cache", st.prefetched)
	}
}

// TestPrefetchFUSEThreads: one sequential reader served by several threads
// at once, as FUSE serves the kernel's readahead: reads of consecutive
// pieces arrive concurrently and out of order. It is one stream, every
// chunk decoded once.
func TestPrefetchFUSEThreads(t *testing.T) {
	const chunk, chunks = 4096, 1000
	f := newFakeImage(t, chunk, chunks*chunk)
	r := newTestReader(t, f, 2, 64<<20)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			p := make([]byte, 3*chunk)
			for {
				off := next.Add(int64(len(p))) - int64(len(p))
				if off >= f.layout.size {
					return
				}
				n, err := r.ReadAt(p, off)
				if err != nil && err != io.EOF || !bytes.Equal(p[:n], f.want(off, n)) {
					t.Errorf("ReadAt(%d): %d, %v", off, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	checkInvariants(t, r)
	if st := r.stats(); st.prefetched < chunks*3/4 {
		t.Errorf("%d of %d chunks prefetched", st.prefetched, chunks)
	}
	for i := range chunks {
		if n := f.decodes[i].Load(); n != 1 {
			t.Fatalf("chunk %d decoded %d times", i, n)
		}
	}
}

// TestDecodesBoundedByWorkers: sixteen readers at once, each reading its
// own 1 MiB stretch like the reads a FUSE server has in flight for the
// kernel's readahead, never run more decodes at once than twice the
// workers (the workers, plus readers decoding their own chunk while fewer
// than Workers decodes run), yet the workers stay busy and every byte is
// right. Without the bound every reader decoded its own chunk: eighteen
// decoders, each holding its state and a buffer, on two cores.
func TestDecodesBoundedByWorkers(t *testing.T) {
	const chunk, readers, workers = 128 << 10, 16, 2
	f := newFakeImage(t, chunk, readers*(1<<20))
	f.delay = 2 * time.Millisecond
	r := newTestReader(t, f, workers, 64<<20)
	var wg sync.WaitGroup
	for k := range readers {
		wg.Go(func() {
			off := int64(k) << 20
			p := make([]byte, 1<<20)
			if _, err := r.ReadAt(p, off); err != nil {
				t.Error(err)
			} else if !bytes.Equal(p, f.want(off, len(p))) {
				t.Errorf("read at %d: wrong bytes", off)
			}
		})
	}
	wg.Wait()
	checkInvariants(t, r)
	if p := f.peak.Load(); p > 2*workers || p < workers {
		t.Errorf("at most %d decodes ran at once, want %d to %d", p, workers, 2*workers)
	}
}
