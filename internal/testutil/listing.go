package testutil

import (
	"io/fs"
	"runtime"
	"testing"
	"time"
)

// Dir is what the listing benchmarks need of a reader's directory entry
// (iso9660view's and udfview's *Entry both have it).
type Dir[E any] interface {
	ReadDir() ([]E, error)
	Mode() fs.FileMode
	Size() int64
	ModTime() time.Time
	Nlink() uint32
}

// Image is what the listing benchmarks need of a reader's image.
type Image[E any] interface {
	Lookup(name string) (E, error)
}

// ListDir is `ls -l` of dir: it lists it, failing unless it holds n
// entries, and asks every entry what ls -l shows.
func ListDir[E Dir[E]](tb testing.TB, dir E, n int) {
	tb.Helper()
	kids, err := dir.ReadDir()
	if err != nil || len(kids) != n {
		tb.Fatalf("listed %d entries, want %d: %v", len(kids), n, err)
	}
	for _, k := range kids {
		_, _, _, _ = k.Mode(), k.Size(), k.ModTime(), k.Nlink()
	}
}

// openDir opens a fresh image and looks the directory dir up.
func openDir[I Image[E], E Dir[E]](tb testing.TB, open func() (I, error), dir string) E {
	im, err := open()
	if err != nil {
		tb.Fatal(err)
	}
	d, err := im.Lookup(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// BenchListDir runs ListDir on the directory dir of n entries of a fresh
// image every iteration (open opens one, so the listing is parsed each
// time), and reports ns/entry.
func BenchListDir[I Image[E], E Dir[E]](b *testing.B, open func() (I, error), dir string, n int) {
	b.Helper()
	for b.Loop() {
		ListDir(b, openDir(b, open, dir), n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// RetainedPerEntry opens a fresh image, lists its directory dir of n
// entries with ListDir, and returns the heap the listing keeps per entry:
// what a mount, which keeps every directory it has listed, pays for each
// entry.
func RetainedPerEntry[I Image[E], E Dir[E]](tb testing.TB, open func() (I, error), dir string, n int) float64 {
	var d E
	_, retained := HeapDuring(func() {
		d = openDir(tb, open, dir)
		ListDir(tb, d, n)
	})
	runtime.KeepAlive(d) // and through it the image and the listing
	return float64(retained) / float64(n)
}

// HeapDuring returns the bytes allocated while fn runs, and those still
// live after it (after a collection): what fn keeps, if the caller keeps
// its results alive past the call. It collects twice before fn: the
// first collection only moves what sync.Pools hold (those of images
// earlier tests dropped, too) to their victim caches, where it stays live
// until the second, and the collection after fn would otherwise free it
// and count it against fn.
func HeapDuring(fn func()) (allocated, retained uint64) {
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	allocated = after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	return allocated, after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
}
