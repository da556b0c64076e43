package test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestConcurrentReaders runs 32 readers for a bounded time against the
// -race build: half read the raw node, half read files of the tree, all at
// random offsets and lengths, and every byte is checked. Readers drop the
// file's page cache now and then so the requests keep reaching the daemon.
// The daemon runs with -f so that a race report would show in its output.
func TestConcurrentReaders(t *testing.T) {
	const readers = 32
	duration := 3 * time.Second
	im := fx.image("zlib")
	raw := mountForeground(t, binRac, im.path, "mode=raw", "cache=1M")
	tree := mountForeground(t, binRac, im.path, "cache=1M")

	type target struct {
		path string
		data []byte
	}
	targets := []target{{filepath.Join(raw.dir, "zlib.iso"), fx.isoData}}
	filepath.WalkDir(fx.src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err == nil && len(data) > 0 {
				rel, _ := filepath.Rel(fx.src, p)
				targets = append(targets, target{filepath.Join(tree.dir, rel), data})
			}
		}
		return nil
	})

	var wg sync.WaitGroup
	errs := make(chan error, readers)
	var total [readers]int64
	stop := time.Now().Add(duration)
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			buf := make([]byte, 1<<20)
			for i := 0; time.Now().Before(stop); i++ {
				tg := targets[0]
				if g%2 == 1 {
					tg = targets[1+rng.IntN(len(targets)-1)]
				}
				if err := checkRead(tg.path, tg.data, buf, rng, i%8 == 0); err != nil {
					errs <- fmt.Errorf("reader %d: %w", g, err)
					return
				}
				total[g]++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int64
	for _, c := range total {
		n += c
	}
	t.Logf("%d checked reads by %d readers in %v", n, readers, duration)
	for _, m := range []*mnt{raw, tree} {
		if strings.Contains(m.logText(), "DATA RACE") {
			t.Errorf("the race detector found a race in the daemon:\n%s", m.logText())
		}
	}
}

// checkRead reads a random range of the file at path and compares it with
// want; with drop, it first evicts the file from the page cache.
func checkRead(path string, want, buf []byte, rng *rand.Rand, drop bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if drop {
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	}
	off := rng.Int64N(int64(len(want)))
	n := 1 + rng.IntN(len(buf))
	if rng.IntN(4) == 0 {
		n = 1 + rng.IntN(4096) // small reads too
	}
	got, err := f.ReadAt(buf[:n], off)
	if got < n && off+int64(got) != int64(len(want)) {
		return fmt.Errorf("%s: read %d at %d: %d bytes, %v", path, n, off, got, err)
	}
	if !bytes.Equal(buf[:got], want[off:off+int64(got)]) {
		return fmt.Errorf("%s: read %d at %d: wrong bytes", path, n, off)
	}
	return nil
}
