package udfview

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// bigDirFiles is the size of the big directory fixture.
const bigDirFiles = 50_000

func bigDirName(i int) string { return fmt.Sprintf("file-%05d-with-a-longer-name.txt", i) }

// bigDirFixture is a genisoimage -udf image whose directory "big" holds
// 50,000 files (every 1000th holds its own name, the others are empty).
func bigDirFixture(t testing.TB) string {
	return fixture(t, "bigdir", func(dir string) string {
		src := filepath.Join(dir, "src")
		if err := os.MkdirAll(filepath.Join(src, "big"), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range bigDirFiles {
			var data []byte
			if i%1000 == 0 {
				data = []byte(bigDirName(i))
			}
			if err := os.WriteFile(filepath.Join(src, "big", bigDirName(i)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		img := filepath.Join(dir, "big.iso")
		testutil.Run(t, "", "genisoimage", "-quiet", "-udf", "-iso-level", "4", "-o", img, src) // level 4: no 8.3 name mangling, which is quadratic
		return img
	})
}

// TestBigDir lists the 50,000-file directory: every name once, sorted,
// contents where there are some.
func TestBigDir(t *testing.T) {
	im := openImage(t, bigDirFixture(t))
	d, err := im.Lookup("big")
	if err != nil {
		t.Fatal(err)
	}
	kids, err := d.ReadDir()
	if err != nil || len(kids) != bigDirFiles {
		t.Fatalf("%d entries, %v", len(kids), err)
	}
	for i, k := range kids {
		if k.Name() != bigDirName(i) {
			t.Fatalf("entry %d is %q", i, k.Name())
		}
		if i%1000 == 0 {
			if got := string(readEntry(t, k)); got != bigDirName(i) {
				t.Errorf("%s holds %q", k.Name(), got)
			}
		} else if k.Size() != 0 {
			t.Errorf("%s: size %d", k.Name(), k.Size())
		}
	}
}

// TestListingWindow reads the 50,000-file directory's identifiers (over
// 2 MiB of them) in windows: what the walk allocates stays within one
// window, however large the directory.
func TestListingWindow(t *testing.T) {
	im := openImage(t, bigDirFixture(t))
	d, err := im.Lookup("big")
	if err != nil {
		t.Fatal(err)
	}
	fe, err := im.readICB(d.icb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fe.size < 2<<20 {
		t.Fatalf("the directory holds %d bytes, want over 2 MiB to span windows", fe.size)
	}
	win := make([]byte, fidWindow)
	n := 0
	err = im.forEachFID(fe, win, func(f fid) error {
		if f.chars&fidParent != 0 {
			return nil
		}
		if got := decodeCS0(f.name); got != bigDirName(n) {
			return fmt.Errorf("identifier %d is %q, want %q", n, got, bigDirName(n))
		}
		n++
		return nil
	})
	if err != nil || n != bigDirFiles {
		t.Fatalf("%d identifiers, %v", n, err)
	}
	allocated, _ := testutil.HeapDuring(func() {
		err = im.forEachFID(fe, win, func(fid) error { return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if limit := uint64(fidWindow + 16<<10); allocated > limit {
		t.Errorf("walking a %d-byte directory allocated %d bytes, want at most %d (one window)", fe.size, allocated, limit)
	}
}

// TestDeepTree reads a chain of 300 nested directories, and refuses
// nesting beyond maxDepth with a typed error.
func TestDeepTree(t *testing.T) {
	build := func(depth int) *Image {
		b := newBuilder("plain", 512)
		leaf := &hfile{name: cs8("leaf"), fileType: ftFile, perm: udfPerm(0o644), data: []byte("bottom")}
		cur := leaf
		for i := depth; i > 0; i-- {
			cur = &hfile{name: cs8(fmt.Sprint("d", i)), fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{cur}}
		}
		return openBytes(t, b.build(t, &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{cur}}))
	}
	var parts []string
	for i := 1; i <= 300; i++ {
		parts = append(parts, fmt.Sprint("d", i))
	}
	im := build(300)
	if b, err := fs.ReadFile(im, strings.Join(parts, "/")+"/leaf"); err != nil || string(b) != "bottom" {
		t.Errorf("deep leaf: %q %v", b, err)
	}
	im = build(maxDepth + 5)
	if first := exercise(t, imBytes(t, im)); first == nil {
		t.Error("nesting beyond maxDepth read without error")
	}
}

// imBytes returns the bytes of an image opened by openBytes.
func imBytes(t testing.TB, im *Image) []byte {
	buf := make([]byte, im.size)
	if _, err := im.r.ReadAt(buf, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return buf
}

// TestConcurrent lists and reads one image from many goroutines at once
// (run under -race): the lazily parsed directories are shared.
func TestConcurrent(t *testing.T) {
	_, img, want := handImage(t, "metadata", 2048)
	im := openBytes(t, img)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p, w := range want {
				e, err := im.Lookup(p)
				if err != nil {
					t.Errorf("goroutine %d: %s: %v", g, p, err)
					return
				}
				if !strings.HasPrefix(w, e.Mode().String()) {
					t.Errorf("%s: %v, want %s", p, e.Mode(), w)
				}
				_ = e.Nlink()
				if e.Mode().IsRegular() {
					readEntry(t, e)
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkListBigDir is `isz ls -l` of the 50,000-file directory: open,
// look the directory up, list it and stat every entry. The raw-read
// baseline reads the same directory's bytes and one block per entry (the
// file entry a listing must read), nothing else, so the ratio is the
// parsing overhead on any machine:
//
//	go test -run XXX -bench ListBigDir ./udfview/
func BenchmarkListBigDir(b *testing.B) {
	path := bigDirFixture(b)
	f, size := testutil.OpenFile(b, path)
	b.Run("udfview", func(b *testing.B) {
		testutil.BenchListDir(b, func() (*Image, error) { return Open(f, size, nil) }, "big", bigDirFiles)
	})
	b.Run("raw-read", func(b *testing.B) {
		im, _ := Open(f, size, nil)
		d, _ := im.Lookup("big")
		fe, _ := im.readICB(d.icb, nil)
		kids, _ := d.children()
		buf := make([]byte, im.bs)
		for b.Loop() {
			if _, err := im.readAll(fe); err != nil {
				b.Fatal(err)
			}
			for _, k := range kids {
				if _, err := im.readBlock(buf, k.icb, false); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bigDirFiles), "ns/entry")
	})
}

// BenchmarkEntryMemory reports the heap the parsed 50,000-file directory
// keeps, in bytes per entry (HeapAlloc after GC with the listing held,
// minus before parsing): the cost a mount pays for every entry it has
// listed. Compare with iso9660view's BenchmarkEntryMemory on the same tree.
//
//	go test -run XXX -bench EntryMemory ./udfview/
func BenchmarkEntryMemory(b *testing.B) {
	path := bigDirFixture(b)
	f, size := testutil.OpenFile(b, path)
	var perEntry float64
	for b.Loop() {
		perEntry = testutil.RetainedPerEntry(b, func() (*Image, error) { return Open(f, size, nil) }, "big", bigDirFiles)
	}
	b.ReportMetric(perEntry, "B/entry")
}

// TestEntryMemory lists the 50,000-file directory: what it keeps per entry
// stays small, since the listing cache keeps up to Options.DirCache of
// them, and the cache's estimate of it (entryBytes and the names) is near
// the heap's count.
func TestEntryMemory(t *testing.T) {
	im := openImage(t, bigDirFixture(t))
	d, err := im.Lookup("big")
	if err != nil {
		t.Fatal(err)
	}
	before := im.listings.Used() // the root's
	var kids []*Entry
	_, retained := testutil.HeapDuring(func() { kids, err = d.children() })
	if err != nil || len(kids) != bigDirFiles {
		t.Fatalf("%d entries, %v", len(kids), err)
	}
	n := uint64(bigDirFiles)
	estimate := uint64(im.listings.Used() - before)
	t.Logf("%d bytes kept per entry, %d estimated", retained/n, estimate/n)
	// Measured: 200 (the Entry 144, its slot 8, its 33-byte name 48).
	if retained/n > 210 {
		t.Errorf("%d bytes kept per entry, want at most 210", retained/n)
	}
	if estimate < retained*9/10 || estimate > retained*11/10 {
		t.Errorf("the listing cache counts %d bytes per entry, the heap %d", estimate/n, retained/n)
	}
}
