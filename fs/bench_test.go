package fs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkRead reads a 64 MiB source in 1 MiB requests directly (the
// baseline) and through a raw mount with the page cache dropped before each
// pass, so every byte crosses the kernel and go-fuse: the ratio of the two
// MB/s figures is the cost of the FUSE layer alone (no decompression).
func BenchmarkRead(b *testing.B) {
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i)
	}
	src := bytes.NewReader(data)
	buf := make([]byte, 1<<20)
	readAll := func(r interface {
		ReadAt([]byte, int64) (int, error)
	}) {
		for off := int64(0); off < int64(len(data)); off += int64(len(buf)) {
			if _, err := r.ReadAt(buf, off); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("direct", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			readAll(src)
		}
	})
	b.Run("fuse", func(b *testing.B) {
		dir := b.TempDir()
		f := NewRaw("disc.iso", src, time.Now(), nil)
		server, err := f.Mount(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer server.Unmount()
		fh, err := os.Open(filepath.Join(dir, "disc.iso"))
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			unix.Fadvise(int(fh.Fd()), 0, 0, unix.FADV_DONTNEED)
			readAll(fh)
		}
	})
}
