package iso9660view

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// Benchmarks. Each opens a fresh Image per iteration (directories are
// cached per Image), reading from an image file in the page cache, and
// reports a baseline of the raw reads the same work needs, so the numbers
// compare with each other on any machine:
//
//	go test -run XXX -bench . -benchmem ./iso9660view/

// BenchmarkListBigDir is `isz ls -l` of a 50,000-file directory: open,
// look the directory up, list it and stat every entry.
func BenchmarkListBigDir(b *testing.B) {
	img, _ := bigDirFixture(b)
	f, size := testutil.OpenFile(b, img)
	b.Run("iso9660view", func(b *testing.B) {
		testutil.BenchListDir(b, func() (*Image, error) { return Open(f, size, nil) }, "big", bigDirFiles)
	})
	// Baseline: reading the directory's bytes, nothing else.
	b.Run("raw-read", func(b *testing.B) {
		im, _ := Open(f, size, nil)
		d, _ := im.Lookup("big")
		x := d.ext[0]
		buf := make([]byte, dirReadSize)
		for b.Loop() {
			for off := int64(0); off < x.length; off += dirReadSize {
				f.ReadAt(buf[:min(dirReadSize, x.length-off)], x.start+off)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bigDirFiles), "ns/entry")
	})
	// Looking names up in a listed directory.
	b.Run("lookup-cached", func(b *testing.B) {
		im, _ := Open(f, size, nil)
		d, _ := im.Lookup("big")
		d.ReadDir()
		i := 0
		for b.Loop() {
			if _, err := d.Lookup(bigDirName(i % bigDirFiles)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// benchTree is a tree of 100 directories of 20 files (8-40 KiB, 48 MB in
// all), made once.
func benchTree(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iso9660view-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		var nodes []node
		for d := 0; d < 100; d++ {
			for i := 0; i < 20; i++ {
				nodes = append(nodes, node{Path: fmt.Sprintf("dir%03d/file%02d.bin", d, i), Data: testutil.Pseudo(uint64(d*100+i), 8<<10+(d*20+i)%33*1024)})
			}
		}
		testutil.WriteTree(b, filepath.Join(dir, "src"), nodes)
		mkimage(b, dir, filepath.Join(dir, "src"), "xorriso", "-as", "mkisofs", "-R", "-J", "-o", "$OUT", "$SRC")
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "image.iso")
}

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// BenchmarkWalkTree walks the whole tree with fs.WalkDir, stat'ing every
// entry: on a fresh image each time, with the default listing cache and
// with one that keeps a single listing (each path resolved from the root
// parses the root again: the cost of a cache too small for the walk), and
// over one image again and again (every listing a cache hit).
//
//	go test -run XXX -bench WalkTree ./iso9660view/
func BenchmarkWalkTree(b *testing.B) {
	f, size := testutil.OpenFile(b, benchTree(b))
	walk := func(b *testing.B, im *Image) {
		n := 0
		fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				b.Fatal(err)
			}
			d.Info()
			n++
			return nil
		})
		if n != 1+100+2000 {
			b.Fatalf("walked %d entries", n)
		}
	}
	open := func(b *testing.B, cache int64) *Image {
		im, err := Open(f, size, &Options{DirCache: cache})
		if err != nil {
			b.Fatal(err)
		}
		return im
	}
	b.Run("fresh", func(b *testing.B) {
		for b.Loop() {
			walk(b, open(b, 0))
		}
	})
	b.Run("fresh-one-listing", func(b *testing.B) {
		for b.Loop() {
			walk(b, open(b, 1))
		}
	})
	b.Run("warm", func(b *testing.B) {
		im := open(b, 0)
		walk(b, im)
		for b.Loop() {
			walk(b, im)
		}
	})
}

// BenchmarkReadAll reads every file; the baseline reads the same bytes
// of the image sequentially.
func BenchmarkReadAll(b *testing.B) {
	f, size := testutil.OpenFile(b, benchTree(b))
	im, _ := Open(f, size, nil)
	var total int64
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		if fi, _ := d.Info(); fi.Mode().IsRegular() {
			total += fi.Size()
		}
		return nil
	})
	b.Run("iso9660view", func(b *testing.B) {
		b.SetBytes(total)
		buf := make([]byte, 128<<10)
		for b.Loop() {
			im, _ := Open(f, size, nil)
			fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					b.Fatal(err)
				}
				if !d.Type().IsRegular() {
					return nil
				}
				fh, err := im.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, fh, buf); err != nil {
					b.Fatal(err)
				}
				fh.Close()
				return nil
			})
		}
	})
	b.Run("raw-read", func(b *testing.B) {
		b.SetBytes(total)
		buf := make([]byte, 128<<10)
		for b.Loop() {
			for off := int64(0); off < total; off += int64(len(buf)) {
				f.ReadAt(buf, off)
			}
		}
	})
}

// BenchmarkEntryMemory reports the heap the parsed 50,000-file directory
// keeps, in bytes per entry (HeapAlloc after GC, with the listing held,
// minus HeapAlloc after GC before parsing): the cost a mount pays for
// every entry it has listed, since it keeps every parsed directory.
//
//	go test -run XXX -bench EntryMemory ./iso9660view/
func BenchmarkEntryMemory(b *testing.B) {
	img, _ := bigDirFixture(b)
	f, size := testutil.OpenFile(b, img)
	var perEntry float64
	for b.Loop() {
		perEntry = testutil.RetainedPerEntry(b, func() (*Image, error) { return Open(f, size, nil) }, "big", bigDirFiles)
	}
	b.ReportMetric(perEntry, "B/entry")
}
