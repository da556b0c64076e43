package isz

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond (with r.mu held) until it holds, failing after 5 s.
func waitFor(t *testing.T, r *chunkReader, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// refsOf is the pin count of chunk i's entry, -1 if it is not cached.
func refsOf(r *chunkReader, i int) int32 {
	if e := r.cache.entries[i]; e != nil {
		return e.refs
	}
	return -1
}

// readAll starts n goroutines that each read chunk i whole once the
// returned start function is called; wait collects their errors.
func readChunkConcurrently(r *chunkReader, f *fakeImage, i, n int) (wait func() []error) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for k := range n {
		wg.Go(func() {
			p := make([]byte, f.layout.chunkLen(i))
			_, err := r.ReadAt(p, f.layout.chunkOffset(i))
			if err == nil && !bytes.Equal(p, f.want(f.layout.chunkOffset(i), len(p))) {
				err = errors.New("wrong bytes")
			}
			errs[k] = err
		})
	}
	return func() []error { wg.Wait(); return errs }
}

func TestCacheSingleflight(t *testing.T) {
	f := newFakeImage(t, 4096, 64*4096)
	f.gate[5] = make(chan struct{})
	cfg := f.config()
	cfg.Workers = 1
	r := newChunkReader(cfg)
	defer r.Close()

	const readers = 32
	wait := readChunkConcurrently(r, f, 5, readers)
	// All readers pinned the one entry (plus the decoder's pin) before the
	// decode may finish.
	waitFor(t, r, "all readers to wait on chunk 5", func() bool { return refsOf(r, 5) == readers+1 })
	close(f.gate[5])
	for _, err := range wait() {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.decodes[5].Load(); n != 1 {
		t.Fatalf("chunk 5 decoded %d times for %d concurrent readers, want 1", n, readers)
	}
	// And now it is cached.
	if _, err := r.ReadAt(make([]byte, 10), f.layout.chunkOffset(5)); err != nil || f.decodes[5].Load() != 1 {
		t.Fatalf("cached read: %v, %d decodes", err, f.decodes[5].Load())
	}
}

func TestCacheFailureSharedThenRetried(t *testing.T) {
	f := newFakeImage(t, 4096, 64*4096)
	f.gate[7] = make(chan struct{})
	f.fail[7] = 1
	r := newChunkReader(f.config())
	defer r.Close()

	const readers = 16
	wait := readChunkConcurrently(r, f, 7, readers)
	waitFor(t, r, "all readers to wait on chunk 7", func() bool { return refsOf(r, 7) == readers+1 })
	close(f.gate[7])
	errs := wait()
	var ce *ChunkError
	if !errors.As(errs[0], &ce) || ce.Chunk != 7 {
		t.Fatalf("reader 0 got %v, want the *ChunkError of chunk 7", errs[0])
	}
	for k, err := range errs {
		if err != errs[0] {
			t.Fatalf("reader %d got %v, reader 0 %v: waiters must share the one error", k, err, errs[0])
		}
	}
	if n := f.decodes[7].Load(); n != 1 {
		t.Fatalf("failing chunk decoded %d times, want 1", n)
	}
	// The failure was not cached: the next read decodes again, and succeeds.
	if errs := readChunkConcurrently(r, f, 7, 1)(); errs[0] != nil {
		t.Fatalf("read after a failure: %v", errs[0])
	}
	if n := f.decodes[7].Load(); n != 2 {
		t.Fatalf("chunk decoded %d times after a retry, want 2", n)
	}
}

// TestCacheHotSetSurvivesScan is the file manager case: chunks read again
// and again (directories, say) stay cached while thousands of chunks are
// each read once. A plain LRU cache fails this test.
func TestCacheHotSetSurvivesScan(t *testing.T) {
	const chunk, cached = 1024, 64
	f := newFakeImage(t, chunk, 5000*chunk)
	cfg := f.config()
	cfg.CacheSize = cached * chunk
	cfg.Workers = 1
	r := newChunkReader(cfg)
	defer r.Close()

	hot := []int{0, 1, 2, 17, 18, 40, 41, 42} // an eighth of the cache
	p := make([]byte, 100)
	read := func(i int) {
		t.Helper()
		if _, err := r.ReadAt(p, f.layout.chunkOffset(i)+10); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		for _, i := range hot {
			read(i)
		}
	}
	// The scan, with the hot set read now and then as a file manager does.
	for i := 100; i < 5000; i++ {
		read(i)
		if i%500 == 0 {
			for _, h := range hot {
				read(h)
			}
		}
	}
	for _, i := range hot {
		read(i)
		if n := f.decodes[i].Load(); n != 1 {
			t.Errorf("hot chunk %d decoded %d times, want 1", i, n)
		}
	}
	if st := r.stats(); st.peakUsed > cfg.CacheSize {
		t.Errorf("cache used %d bytes, budget %d", st.peakUsed, cfg.CacheSize)
	}
}

// TestCacheScanDoesNotStarveStream: a sequential reader streams through an
// image while a thumbnailer reads the first KiB of many chunks in between,
// with a cache far smaller than either. Every chunk the stream needs is
// decoded exactly once: what prefetch decoded for it is never evicted.
func TestCacheScanDoesNotStarveStream(t *testing.T) {
	const chunk = 4096
	f := newFakeImage(t, chunk, 4000*chunk)
	cfg := f.config()
	cfg.CacheSize = 32 * chunk
	cfg.Workers = 2
	r := newChunkReader(cfg)
	defer r.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	seq := make([]byte, 16*1024)
	thumb := make([]byte, 1024)
	const streamChunks = 1000 // the stream reads chunks [0, 1000)
	for off := int64(0); off < streamChunks*chunk; off += int64(len(seq)) {
		if _, err := r.ReadAt(seq, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(seq, f.want(off, len(seq))) {
			t.Fatalf("stream read at %d: wrong bytes", off)
		}
		for range 20 {
			i := streamChunks + 1000 + rng.IntN(2000)
			if _, err := r.ReadAt(thumb, f.layout.chunkOffset(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range streamChunks {
		if n := f.decodes[i].Load(); n != 1 {
			t.Fatalf("stream chunk %d decoded %d times, want 1", i, n)
		}
	}
	st := r.stats()
	if st.prefetched < streamChunks/2 {
		t.Errorf("only %d of %d stream chunks were prefetched", st.prefetched, streamChunks)
	}
	// One reader may overshoot by the chunks of one read batch.
	if limit := cfg.CacheSize + int64(r.batch)*chunk; st.peakUsed > limit {
		t.Errorf("cache used %d bytes, budget %d", st.peakUsed, cfg.CacheSize)
	}
}

// TestCacheConcurrentReaders hammers a small cache from 32 readers mixing
// sequential and random reads, so entries are evicted and their buffers
// reused under the readers' feet; every byte must still be right (run it
// with -race). Failing chunks are mixed in.
func TestCacheConcurrentReaders(t *testing.T) {
	const chunk = 2048
	f := newFakeImage(t, chunk, 3000*chunk+100)
	for i := 0; i < 3000; i += 37 {
		f.zero[i] = true
	}
	failing := map[int]bool{}
	for i := 5; i < 3000; i += 101 {
		f.fail[i] = 1 << 30
		failing[i] = true
	}
	cfg := f.config()
	cfg.CacheSize = 24 * chunk
	cfg.Workers = 4
	r := newChunkReader(cfg)
	defer r.Close()

	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			p := make([]byte, 1+rng.IntN(5*chunk))
			off := rng.Int64N(f.layout.size)
			for range 200 {
				if g%2 == 0 { // sequential, with an occasional jump
					off += int64(len(p))
					if off >= f.layout.size || rng.IntN(50) == 0 {
						off = rng.Int64N(f.layout.size)
					}
				} else {
					off = rng.Int64N(f.layout.size)
				}
				n, err := r.ReadAt(p, off)
				if !bytes.Equal(p[:n], f.want(off, n)) {
					t.Errorf("reader %d: wrong bytes at %d", g, off)
					return
				}
				if err != nil && !errors.Is(err, ErrCorrupt) && (err != io.EOF || off+int64(len(p)) <= f.layout.size) {
					t.Errorf("reader %d: ReadAt(%d, %d): %v", g, len(p), off, err)
					return
				}
				var ce *ChunkError
				if errors.As(err, &ce) && (!failing[ce.Chunk] || int64(n) != max(0, f.layout.chunkOffset(ce.Chunk)-off)) {
					t.Errorf("reader %d: error %v after %d bytes at %d", g, err, n, off)
					return
				}
			}
		})
	}
	wg.Wait()
	// Prefetch may still be running; wait for the workers to go idle.
	waitFor(t, r, "the workers to finish", func() bool {
		for _, e := range r.cache.entries {
			if e.state < stateReady {
				return false
			}
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, e := range r.cache.entries {
		if e.refs != 0 {
			t.Errorf("chunk %d still pinned %d times after all reads", i, e.refs)
		}
	}
	if r.cache.used > cfg.CacheSize {
		t.Errorf("cache holds %d bytes, budget %d", r.cache.used, cfg.CacheSize)
	}
}

// TestCloseStopsWorkers: Close ends every goroutine the reader started,
// also while reads are in flight, and reads after it fail.
func TestCloseStopsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	f := newFakeImage(t, 4096, 2000*4096)
	f.delay = time.Millisecond
	cfg := f.config()
	cfg.Workers = 8
	r := newChunkReader(cfg)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			p := make([]byte, 3*4096)
			for off := int64(g) * 400 * 4096; ; off += int64(len(p)) {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := r.ReadAt(p, off); err != nil {
					return // closed under us
				}
			}
		})
	}
	waitFor(t, r, "the workers to start", func() bool { return r.started == 8 })
	r.Close()
	close(stop)
	wg.Wait()
	if _, err := r.ReadAt(make([]byte, 1), 0); !errors.Is(err, errReaderClosed) {
		t.Fatalf("ReadAt after Close = %v", err)
	}
	r.mu.Lock()
	used := r.cache.used
	r.mu.Unlock()
	if used != 0 {
		t.Errorf("cache holds %d bytes after Close", used)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDefaultCacheFor(t *testing.T) {
	for _, tc := range []struct {
		mem  uint64
		want int64
	}{
		{0, 256 << 20},
		{256 << 20, 16 << 20},
		{1 << 30, 32 << 20},
		{4 << 30, 128 << 20},
		{64 << 30, 256 << 20},
	} {
		if got := defaultCacheFor(tc.mem); got != tc.want {
			t.Errorf("defaultCacheFor(%d) = %d, want %d", tc.mem, got, tc.want)
		}
	}
	if d := DefaultCacheSize(); d < 16<<20 || d > 256<<20 {
		t.Errorf("DefaultCacheSize() = %d", d)
	}
}

// TestS3FIFOPolicy drives the cache bookkeeping directly: one-byte chunks,
// room for 10.
func TestS3FIFOPolicy(t *testing.T) {
	l, err := newChunkLayout(100, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	c := newChunkCache(l, 10)
	read := func(i int) {
		if c.lookup(i, true) == nil {
			e := c.add(i, nil, false)
			if !c.claim(e, false) {
				t.Fatalf("no buffer for chunk %d", i)
			}
			c.finish(e, nil)
		}
	}
	cached := func(i int) bool { return c.entries[i] != nil }
	where := func(i int) *fifo { return c.entries[i].q }

	for i := range 10 {
		read(i)
	}
	read(0)
	read(0)
	read(1)
	read(1) // 0 and 1 read three times, the rest once
	for i := 10; i < 20; i++ {
		read(i)
	}
	if !cached(0) || !cached(1) || where(0) != &c.main || where(1) != &c.main {
		t.Fatal("re-read chunks were not moved to the main queue")
	}
	for i := 2; i < 10; i++ {
		if cached(i) {
			t.Fatalf("chunk %d, read once, survived ten newer ones", i)
		}
	}
	read(2) // remembered in the ghost list: straight to main
	if where(2) != &c.main {
		t.Fatal("a ghost hit did not go to the main queue")
	}

	// Prefetch may evict what was read once, never what is read again.
	s := &owner{}
	e := c.add(50, s, false)
	if e == nil {
		t.Fatal("prefetch found no room although the small queue holds chunks read once")
	}
	for _, i := range []int{0, 1, 2} {
		if !cached(i) {
			t.Fatalf("prefetch evicted chunk %d from main", i)
		}
	}
	// With every cached chunk in main and read again since it got there,
	// prefetch must give up rather than evict.
	hot := newChunkCache(l, 10)
	c = hot
	for i := range 10 {
		read(i)
		e := c.entries[i]
		c.small.remove(e)
		c.main.pushHead(e)
		e.freq = 1
	}
	if e := c.add(70, s, false); e != nil || len(c.entries) != 10 {
		t.Fatalf("prefetch into a cache of hot chunks: got an entry %v, %d chunks left", e != nil, len(c.entries))
	}
	read(70) // a reader may evict them
	if !cached(70) || c.used > c.budget {
		t.Fatal("a reader could not make room among hot chunks")
	}

	// The prefetch budget is half the cache.
	c2 := newChunkCache(l, 10)
	n := 0
	for i := range 10 {
		if c2.add(i, s, false) != nil {
			n++
		}
	}
	if n != 5 || c2.aheadBytes != 5 {
		t.Fatalf("prefetch took %d chunks (%d bytes) of a 10-chunk cache, want 5", n, c2.aheadBytes)
	}
}

// streamImage reads the whole image of f sequentially, size bytes per read,
// into one reused buffer, checking the bytes without allocating.
func streamImage(t testing.TB, r *chunkReader, f *fakeImage, size int) {
	t.Helper()
	p := make([]byte, size)
	for off := int64(0); off < f.layout.size; off += int64(size) {
		n, err := r.ReadAt(p, off)
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
		for k, b := range p[:n] {
			if b != patternByte(off+int64(k)) {
				t.Fatalf("wrong byte at %d", off+int64(k))
			}
		}
	}
}

// TestCacheBuffersBoundedByBudget streams an image eight times the cache
// through it, with prefetch, in reads smaller and larger than a chunk: the
// chunk buffers ever allocated stay within the budget, and a second pass
// allocates none.
func TestCacheBuffersBoundedByBudget(t *testing.T) {
	const chunk, budgetChunks = 4096, 64
	for _, read := range []int{1000, chunk, 5 * chunk} {
		f := newFakeImage(t, chunk, 8*budgetChunks*chunk)
		r := newTestReader(t, f, 2, budgetChunks*chunk)
		streamImage(t, r, f, read)
		st := r.stats()
		if st.allocs > budgetChunks || st.peakBufs > budgetChunks {
			t.Errorf("read %d: %d buffers allocated, %d at once, for a budget of %d",
				read, st.allocs, st.peakBufs, budgetChunks)
		}
		streamImage(t, r, f, read)
		if again := r.stats().allocs - st.allocs; again != 0 {
			t.Errorf("read %d: the second pass allocated %d buffers", read, again)
		}
		checkInvariants(t, r)
	}
}

// TestCacheResize shrinks and grows the budget of a full cache: shrinking
// gives the buffers back at once, reads stay correct, and a stream through
// the smaller cache never holds more than the new budget.
func TestCacheResize(t *testing.T) {
	const chunk, big, small = 4096, 64, 16
	f := newFakeImage(t, chunk, 4*big*chunk)
	r := newTestReader(t, f, 2, big*chunk)
	streamImage(t, r, f, 3*chunk)
	waitFor(t, r, "the prefetch to drain", func() bool { return r.cache.aheadBytes == 0 })
	if m := r.memory(); m < big/2*chunk || m > big*chunk {
		t.Fatalf("after a stream through a %d-chunk cache it holds %d chunks", big, m/chunk)
	}

	r.setBudget(small * chunk)
	if m, used := r.memory(), r.cache.used; m > small*chunk || used > small*chunk {
		t.Fatalf("after shrinking to %d chunks the cache holds %d buffers, %d chunks cached", small, m/chunk, used/chunk)
	}
	streamImage(t, r, f, 3*chunk)
	if peak, limit := r.memory(), int64(small)*chunk; peak > limit {
		t.Errorf("streaming through the shrunk cache left %d buffers, want at most %d", peak/chunk, limit/chunk)
	}
	checkInvariants(t, r)

	r.setBudget(big * chunk)
	streamImage(t, r, f, 3*chunk)
	waitFor(t, r, "the prefetch to drain", func() bool { return r.cache.aheadBytes == 0 })
	if m := r.memory(); m <= small*chunk {
		t.Errorf("after growing back to %d chunks the cache holds only %d", big, m/chunk)
	}
	checkInvariants(t, r)
}

// TestCacheResizeUnderLoad changes the budget over and over while readers
// stream and jump through the image (run it with -race): every byte stays
// right, the bookkeeping stays consistent, and once the readers are done
// the cache holds no more than its last budget.
func TestCacheResizeUnderLoad(t *testing.T) {
	const chunk = 4096
	f := newFakeImage(t, chunk, 1000*chunk)
	r := newTestReader(t, f, 3, 64*chunk)
	stop := make(chan struct{})
	var resizer sync.WaitGroup
	resizer.Go(func() {
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			r.setBudget(int64(4+k%61) * chunk)
			time.Sleep(100 * time.Microsecond)
		}
	})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			p := make([]byte, 1+rng.IntN(3*chunk))
			off := rng.Int64N(f.layout.size)
			for range 300 {
				off += int64(len(p))
				if off >= f.layout.size || rng.IntN(20) == 0 {
					off = rng.Int64N(f.layout.size)
				}
				n, err := r.ReadAt(p, off)
				if (err != nil && err != io.EOF) || !bytes.Equal(p[:n], f.want(off, n)) {
					t.Errorf("reader %d: ReadAt(%d bytes at %d) = %d, %v, or wrong bytes", g, len(p), off, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	resizer.Wait()
	r.setBudget(8 * chunk)
	r.mu.Lock()
	ahead, aheadLimit := r.cache.aheadBytes, r.cache.aheadLimit
	r.mu.Unlock()
	if ahead > aheadLimit {
		t.Errorf("after shrinking, %d bytes prefetched for a prefetch budget of %d", ahead, aheadLimit)
	}
	waitFor(t, r, "the workers to finish", func() bool {
		for _, e := range r.cache.entries {
			if e.refs > 0 || e.state == stateLoading {
				return false
			}
		}
		return true
	})
	r.setBudget(8 * chunk) // entries that were loading at the first call are evictable now
	checkInvariants(t, r)
	if m := r.memory(); m > 8*chunk {
		t.Errorf("idle after the load, the cache holds %d buffers for a budget of 8", m/chunk)
	}
}

// TestCacheBoundedByBudgetUnderConcurrentReaders: 32 readers of large
// reads, sequential and random, through a cache of four chunks (and of
// half a chunk, which holds one), never make the cache own more buffers
// than its budget holds, nor allocate more on the heap than that and the
// bookkeeping, and they do not deadlock waiting for buffers; every byte is
// right. Before pinned buffers counted, each reader could take a batch of
// chunks beyond the budget.
func TestCacheBoundedByBudgetUnderConcurrentReaders(t *testing.T) {
	const chunk = 256 << 10
	for _, tc := range []struct {
		budget  int64
		buffers int
	}{{4 * chunk, 4}, {chunk / 2, 1}} {
		f := newFakeImage(t, chunk, 64*chunk+4096)
		cfg := f.config()
		cfg.CacheSize = tc.budget
		cfg.Workers = 4
		r := newChunkReader(cfg)
		const readers = 32
		bufs := make([][]byte, readers)
		for g := range bufs {
			bufs[g] = make([]byte, 3*chunk+g*1000)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var wg sync.WaitGroup
		for g := range readers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 3))
				p := bufs[g]
				off := rng.Int64N(f.layout.size)
				for range 20 {
					if off += int64(len(p)); g%2 == 1 || off >= f.layout.size {
						off = rng.Int64N(f.layout.size)
					}
					n, err := r.ReadAt(p, off)
					if err != nil && err != io.EOF {
						t.Errorf("reader %d: ReadAt(%d bytes at %d): %v", g, len(p), off, err)
						return
					}
					for k, b := range p[:n] { // checked without allocating
						if b != patternByte(off+int64(k)) {
							t.Errorf("reader %d: wrong byte at %d", g, off+int64(k))
							return
						}
					}
				}
			})
		}
		wg.Wait()
		runtime.ReadMemStats(&after)
		r.Close()
		st := r.stats()
		const slack = 2 << 20 // entries, streams, goroutines' bookkeeping
		heap := after.TotalAlloc - before.TotalAlloc
		t.Logf("budget %d KiB: %d buffers at most, %d allocated, heap allocations %d KiB", tc.budget>>10, st.peakBufs, st.allocs, heap>>10)
		if st.peakBufs > tc.buffers || st.allocs > int64(tc.buffers) {
			t.Errorf("budget %d: the cache owned %d buffers at once (%d allocated), budget holds %d", tc.budget, st.peakBufs, st.allocs, tc.buffers)
		}
		if limit := uint64(tc.buffers*chunk + slack); heap > limit {
			t.Errorf("budget %d: %d bytes allocated on the heap, want at most %d", tc.budget, heap, limit)
		}
	}
}

// TestReadAtOnceIsNotAReRead: chunks read again and again through
// ReadAtOnce (a file system reader's metadata, kept parsed) never reach
// the main queue: however often they are read, they stay in their own
// queue, at most its share of the cache, and a scan that fills the cache
// twice over evicts neither them nor the chunks read as often through
// ReadAt, which went to main.
func TestReadAtOnceIsNotAReRead(t *testing.T) {
	const chunk, cached = 1024, 64
	f := newFakeImage(t, chunk, 1000*chunk)
	cfg := f.config()
	cfg.CacheSize = cached * chunk
	cfg.Workers = 1
	r := newChunkReader(cfg)
	defer r.Close()

	p := make([]byte, 100)
	read := func(i int, once bool) {
		t.Helper()
		if _, err := r.read(p, f.layout.chunkOffset(i)+10, once); err != nil {
			t.Fatal(err)
		}
	}
	var meta []int
	for i := range 12 { // more than the once queue holds
		meta = append(meta, 2*i)
	}
	data := []int{1, 3, 5, 7}
	for range 3 {
		for _, i := range meta {
			read(i, true)
		}
		for _, i := range data {
			read(i, false)
		}
	}
	for i := 100; i < 100+2*cached; i++ { // a scan that fills the cache twice over
		read(i, false)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	kept, limit := 0, int(r.cache.onceLimit/chunk)
	for _, i := range meta {
		if e := r.cache.entries[i]; e != nil {
			kept++
			if e.q != &r.cache.onceQ {
				t.Errorf("chunk %d, read only through ReadAtOnce, left its queue", i)
			}
		}
	}
	if kept != limit {
		t.Errorf("%d of the %d chunks read through ReadAtOnce kept, want the once queue's %d", kept, len(meta), limit)
	}
	for _, i := range data {
		if e := r.cache.entries[i]; e == nil || e.q != &r.cache.main {
			t.Errorf("chunk %d, read as often through ReadAt, is not in the main queue after the scan", i)
		}
	}
}

// TestReadAtOnceQueue: chunks added by ReadAtOnce take no more than a
// sixteenth of a cache with room to spare, or of an image smaller than the
// cache, and a sequential run of them prefetches nothing; as many chunks
// read through ReadAt, by one worker (so nothing is prefetched), all stay.
func TestReadAtOnceQueue(t *testing.T) {
	const chunk, cached, read = 1024, 320, 50
	for _, tc := range []struct {
		once           bool
		chunks, wantIn int // image size; entries cached after the reads
	}{
		{true, 1000, cached / 16}, // a sixteenth of the cache
		{true, 160, 160 / 16},     // a sixteenth of an image smaller than the cache
		{true, 40, onceMin},       // at least onceMin
		{false, 1000, read},       // ReadAt keeps everything
	} {
		f := newFakeImage(t, chunk, int64(tc.chunks)*chunk)
		cfg := f.config()
		cfg.CacheSize = cached * chunk
		cfg.Workers = 1
		if tc.once {
			cfg.Workers = 2
		}
		r := newChunkReader(cfg)
		p := make([]byte, chunk)
		for i := range min(read, tc.chunks) {
			if _, err := r.read(p, f.layout.chunkOffset(i), tc.once); err != nil {
				t.Fatal(err)
			}
		}
		r.mu.Lock()
		n, ahead := len(r.cache.entries), r.cache.st.prefetched
		r.mu.Unlock()
		r.Close()
		if n != tc.wantIn || ahead != 0 {
			t.Errorf("once=%v, %d-chunk image, %d-chunk cache: %d chunks cached and %d prefetched after reading %d; want %d and none",
				tc.once, tc.chunks, cached, n, ahead, min(read, tc.chunks), tc.wantIn)
		}
	}
}
