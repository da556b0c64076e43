package discfs

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
)

// cachedDir is a directory as a reader has it: a Dir, and a parser that
// builds new entries for the same n records each time it is called,
// counting them against the cache's Budget as a reader does.
type cachedDir struct {
	d      Dir[*node]
	n      int
	final  bool // its errors are format errors, kept by Load
	parses atomic.Int32
	places map[*node]int // index given by SetChildren, under placeMu
}

var placeMu sync.Mutex

func (cd *cachedDir) load(c *Cache[*node]) (*Listing[*node], error) {
	return cd.d.Load(c, func(l *Listing[*node]) error {
		cd.parses.Add(1)
		kids := make([]*node, 0, cd.n)
		for i := range cd.n {
			if err := l.Take(1); err != nil {
				return err
			}
			// Records in "disc order", not sorted: SetChildren sorts.
			kids = append(kids, &node{name: fmt.Sprintf("f%03d", (i*7)%cd.n), mode: fs.FileMode(i % 2 * int(fs.ModeDir))})
		}
		SetChildren(l, kids, func(k *node, i int) {
			placeMu.Lock()
			defer placeMu.Unlock()
			if cd.places == nil {
				cd.places = make(map[*node]int)
			}
			cd.places[k] = i
		})
		return nil
	}, func(error) bool { return cd.final })
}

func (cd *cachedDir) must(t testing.TB, c *Cache[*node]) *Listing[*node] {
	t.Helper()
	l, err := cd.load(c)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCacheDropsLeastRecentlyUsed(t *testing.T) {
	// Listings of 10 entries of 4-byte names (16 bytes in the allocator)
	// at 100 bytes an entry cost 1160 bytes; 3 fit in 3500.
	c := &Cache[*node]{Limit: 3500, EntryBytes: 100}
	dirs := make([]*cachedDir, 5)
	for i := range dirs {
		dirs[i] = &cachedDir{n: 10}
	}
	for _, d := range dirs[:3] {
		d.must(t, c)
	}
	dirs[0].must(t, c) // 0 is now the most recently used: 1 is dropped next
	dirs[3].must(t, c)
	if got := c.Used(); got != 3*1160 {
		t.Errorf("Used = %d, want %d", got, 3*1160)
	}
	want := []int32{1, 1, 1, 1, 0}
	for i, d := range dirs {
		if got := d.parses.Load(); got != want[i] {
			t.Errorf("dir %d parsed %d times, want %d", i, got, want[i])
		}
	}
	dirs[0].must(t, c) // still kept
	dirs[2].must(t, c) // still kept
	dirs[1].must(t, c) // dropped: parsed again, dropping 3
	dirs[3].must(t, c) // parsed again
	want = []int32{1, 2, 1, 2, 0}
	for i, d := range dirs {
		if got := d.parses.Load(); got != want[i] {
			t.Errorf("dir %d parsed %d times, want %d", i, got, want[i])
		}
	}
}

func TestCacheReparseIsIdentical(t *testing.T) {
	c := &Cache[*node]{Limit: 1, EntryBytes: 100} // keeps only the latest listing
	a, b := &cachedDir{n: 50}, &cachedDir{n: 3}
	first := a.must(t, c)
	b.must(t, c) // drops a
	again := a.must(t, c)
	if a.parses.Load() != 2 {
		t.Fatalf("a parsed %d times, want 2", a.parses.Load())
	}
	// The first listing is whole although dropped, and the new one has
	// new entries with the same names, kinds and indexes.
	if len(first.Children) != 50 || len(again.Children) != 50 || first.NSub != 25 || again.NSub != 25 {
		t.Fatalf("listings of %d (%d dirs) and %d (%d dirs) entries", len(first.Children), first.NSub, len(again.Children), again.NSub)
	}
	for i := range first.Children {
		x, y := first.Children[i], again.Children[i]
		if x == y || x.name != y.name || x.mode != y.mode || a.places[x] != i || a.places[y] != i {
			t.Errorf("entry %d: %q (%v, index %d) then %q (%v, index %d)", i, x.name, x.mode, a.places[x], y.name, y.mode, a.places[y])
		}
		if i > 0 && first.Children[i-1].name >= x.name {
			t.Errorf("not sorted at %d: %q, %q", i, first.Children[i-1].name, x.name)
		}
	}
	if got, err := Child(func() (*Listing[*node], error) { return a.load(c) }, 7); err != nil || got.name != "f007" {
		t.Errorf("Child(7) = %v, %v", got, err)
	}
	for _, i := range []int{-1, 50} {
		if _, err := Child(func() (*Listing[*node], error) { return a.load(c) }, i); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Child(%d): %v, want fs.ErrNotExist", i, err)
		}
	}
}

func TestCacheKeepsBudgetForLiveEntries(t *testing.T) {
	// The budget allows 25 entries at once; listings of 10 are parsed
	// 100 times over: each parse drops older listings to make room, and
	// never runs out.
	c := &Cache[*node]{Limit: 1 << 30, EntryBytes: 100}
	c.Budget.Limit = 25
	dirs := []*cachedDir{{n: 10}, {n: 10}, {n: 10}, {n: 10}}
	for i := range 100 {
		if _, err := dirs[i%len(dirs)].load(c); err != nil {
			t.Fatalf("listing %d: %v", i, err)
		}
	}
	if used := c.Budget.used.Load(); used > 25 {
		t.Errorf("%d entries counted, limit 25", used)
	}
	// A directory larger than the budget fails, and gives back what it
	// took: the others still list.
	big := &cachedDir{n: 26}
	if _, err := big.load(c); !errors.Is(err, ErrTooManyEntries) {
		t.Errorf("26 entries under a budget of 25: %v", err)
	}
	if used := c.Budget.used.Load(); used != 0 {
		t.Errorf("%d entries counted after a failed parse emptied the cache", used)
	}
	for _, d := range dirs {
		d.must(t, c)
	}
	if c.Used() != 2*1160 || c.Budget.used.Load() != 20 {
		t.Errorf("kept %d bytes, %d entries; want 2320 and 20", c.Used(), c.Budget.used.Load())
	}
}

func TestCacheBudgetRefusals(t *testing.T) {
	c := &Cache[*node]{EntryBytes: 100}
	c.Budget.Limit = 25
	// A directory larger than the whole budget fails for good: the
	// reader's format error is kept, and not parsed again.
	big := &cachedDir{n: 26, final: true}
	for range 3 {
		if _, err := big.load(c); !errors.Is(err, ErrTooManyEntries) {
			t.Fatalf("26 entries under a budget of 25: %v", err)
		}
	}
	if big.parses.Load() != 1 {
		t.Errorf("the oversized directory was parsed %d times, want 1", big.parses.Load())
	}
	// One that fits alone, while parses running at once hold the room,
	// fails this time only.
	d := &cachedDir{n: 10, final: true}
	c.Budget.Take(20) // another parse in progress
	if _, err := d.load(c); !errors.Is(err, ErrTooManyEntries) {
		t.Fatalf("10 entries with 20 of 25 taken: %v", err)
	}
	c.Budget.Give(20)
	if l, err := d.load(c); err != nil || len(l.Children) != 10 || d.parses.Load() != 2 {
		t.Errorf("once the room is back: %v, %v after %d parses", l, err, d.parses.Load())
	}
}

func TestCacheListingLargerThanLimit(t *testing.T) {
	c := &Cache[*node]{Limit: 1000, EntryBytes: 100}
	small, huge := &cachedDir{n: 2}, &cachedDir{n: 100}
	small.must(t, c)
	l := huge.must(t, c) // 11,600 bytes: kept alone
	if c.Used() != 11600 || small.d.list.Load() != nil {
		t.Errorf("Used = %d, small kept: %v", c.Used(), small.d.list.Load() != nil)
	}
	huge.must(t, c)
	small.must(t, c) // drops huge
	if c.Used() != 232 || huge.parses.Load() != 1 || huge.d.list.Load() != nil {
		t.Errorf("Used = %d, huge parsed %d times", c.Used(), huge.parses.Load())
	}
	if len(l.Children) != 100 {
		t.Errorf("a dropped listing in use holds %d entries, want 100", len(l.Children))
	}
}

func TestCacheConcurrent(t *testing.T) {
	// Run with -race: 8 goroutines list 20 directories through a cache
	// that keeps 3 of them, under a budget of 10 listings: room for the 8
	// parses that may run at once, only if the cache drops what it keeps.
	c := &Cache[*node]{Limit: 3 * 1160, EntryBytes: 100}
	c.Budget.Limit = 100
	dirs := make([]*cachedDir, 20)
	for i := range dirs {
		dirs[i] = &cachedDir{n: 10}
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				d := dirs[(i*(g+3))%len(dirs)]
				l, err := d.load(c)
				if err != nil || len(l.Children) != 10 || l.Children[3].name != "f003" {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of 1600 loads failed", n)
	}
	if c.Used() > c.Limit {
		t.Errorf("Used = %d past the limit %d", c.Used(), c.Limit)
	}
	var parses int32
	for _, d := range dirs {
		parses += d.parses.Load()
	}
	t.Logf("1600 loads of 20 directories, 3 kept: %d parses", parses)
}

// BenchmarkCacheHit is the cost a kept listing adds to every lookup: Load
// of a listing the cache keeps, alone and from all cores at once over 16
// directories, against the bare atomic load of the listing pointer.
//
//	go test -run XXX -bench CacheHit ./internal/discfs/
func BenchmarkCacheHit(b *testing.B) {
	c := &Cache[*node]{EntryBytes: 100}
	dirs := make([]*cachedDir, 16)
	for i := range dirs {
		dirs[i] = &cachedDir{n: 10}
		dirs[i].must(b, c)
	}
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			dirs[0].load(c)
		}
	})
	b.Run("load-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				dirs[i%len(dirs)].load(c)
				i++
			}
		})
	})
	b.Run("atomic-baseline", func(b *testing.B) {
		for b.Loop() {
			dirs[0].d.list.Load()
		}
	})
}
