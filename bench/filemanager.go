package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// headScan reads the first 4 KiB of every regular file under dir, as a file
// manager does to sniff types and make thumbnails, and returns the number
// of files read.
func headScan(dir string) (int, error) {
	buf := make([]byte, 4096)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.ReadFull(f, buf)
		f.Close()
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return fmt.Errorf("%s: %w", p, err)
		}
		n++
		return nil
	})
	return n, err
}

// progress is a copy's timeline: bytes done after each read.
type progress struct {
	start time.Time
	t     []time.Duration
	bytes []int64
}

func (p *progress) add(n int) {
	var total int64
	if len(p.bytes) > 0 {
		total = p.bytes[len(p.bytes)-1]
	}
	p.t = append(p.t, time.Since(p.start))
	p.bytes = append(p.bytes, total+int64(n))
}

// at returns the bytes done by elapsed time w.
func (p *progress) at(w time.Duration) int64 {
	i := sort.Search(len(p.t), func(i int) bool { return p.t[i] > w })
	if i == 0 {
		return 0
	}
	return p.bytes[i-1]
}

func (p *progress) duration() time.Duration {
	if len(p.t) == 0 {
		return 0
	}
	return p.t[len(p.t)-1]
}

// copyFiles reads the files one after another, like `cp -r` of a folder
// of big files, and returns its timeline.
func copyFiles(paths []string) (*progress, error) {
	p := &progress{start: time.Now()}
	for _, f := range paths {
		if err := readAll(f, p.add); err != nil {
			return p, err
		}
	}
	return p, nil
}

// copySet is the largest files of the tree, largest first, until they add up
// to a third of it (at most 512 MiB): the "large sequential copy".
func (b *bencher) copySet() ([]string, int64) {
	t := b.in.tree
	idx := make([]int, len(t.Paths))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return t.Sizes[idx[x]] > t.Sizes[idx[y]] })
	goal := min(t.Bytes/3, 512<<20)
	var out []string
	var sum int64
	for _, i := range idx {
		if sum >= goal {
			break
		}
		out = append(out, t.Paths[i])
		sum += t.Sizes[i]
	}
	return out, sum
}

// fileManager is measurement 3: the head scan alone, the big copy alone,
// and both at once, each cold. The copy's throughput while the scan runs is
// compared with its throughput alone over the same stretch of time, so the
// prefetch ramp-up at the start weighs the same in both.
func (b *bencher) fileManager() error {
	var tools []fsys
	if !b.c.peersOnly {
		tools = append(tools, b.iszmountFS("iszmount tree (zlib)", b.in.iszZlib, "mode=tree"))
	}
	tools = append(tools, b.squashfuseLL("squashfuse_ll", b.in.treeSqfs))
	set, setBytes := b.copySet()

	type result struct {
		scanAlone, scanLoaded series
		copyAlone             series // whole copy, alone
		ratio                 []float64
	}
	res := map[string]*result{}
	for _, f := range tools {
		res[f.name] = &result{}
	}
	abs := func(dir string) []string {
		out := make([]string, len(set))
		for i, p := range set {
			out[i] = filepath.Join(dir, p)
		}
		return out
	}
	checkCount := func(n int) error {
		if n != b.in.tree.Files {
			return fmt.Errorf("head scan read %d files, the tree has %d", n, b.in.tree.Files)
		}
		return nil
	}
	cold := func(f fsys, fn func(m *mount) error) error {
		return b.with(f, func(m *mount) error {
			if err := dropCaches(); err != nil {
				return err
			}
			return fn(m)
		})
	}

	for rep := range b.c.reps {
		for _, f := range tools {
			r := res[f.name]
			var alone *progress
			err := cold(f, func(m *mount) error {
				start := time.Now()
				n, err := headScan(m.dir)
				if err == nil {
					err = checkCount(n)
				}
				r.scanAlone = append(r.scanAlone, time.Since(start))
				return err
			})
			if err == nil {
				err = cold(f, func(m *mount) error {
					var err error
					alone, err = copyFiles(abs(m.dir))
					r.copyAlone = append(r.copyAlone, alone.duration())
					return err
				})
			}
			if err == nil {
				err = cold(f, func(m *mount) error {
					// The scan starts first; the copy joins once the scan is
					// a quarter of the way through (by its time alone), so
					// it meets a scan in full swing.
					var wg sync.WaitGroup
					var scan time.Duration
					var n int
					var serr error
					start := time.Now()
					wg.Add(1)
					go func() {
						defer wg.Done()
						n, serr = headScan(m.dir)
						scan = time.Since(start)
					}()
					time.Sleep(r.scanAlone[rep] / 4)
					loaded, cerr := copyFiles(abs(m.dir))
					copyStart := loaded.start.Sub(start)
					wg.Wait()
					if serr == nil {
						serr = checkCount(n)
					}
					if err := errors.Join(serr, cerr); err != nil {
						return err
					}
					r.scanLoaded = append(r.scanLoaded, scan)
					// Compare the copy with itself alone over the stretch
					// during which the scan ran.
					w := min(scan-copyStart, loaded.duration(), alone.duration())
					if w <= 0 {
						return fmt.Errorf("the head scan (%s) ended before the copy started", fmtDur(scan))
					}
					// A stretch that ends before the copy alone finished its
					// first read compares with nothing (a cold first read can
					// take longer than a short scan): widen it to that read.
					w = max(w, alone.t[0])
					ratio := float64(loaded.at(w)) / float64(max(1, alone.at(w)))
					r.ratio = append(r.ratio, ratio)
					logf("   %d/%d %-22s scan %s alone, %s with the copy; copy %.0f MB/s alone, %.0f MB/s during the scan (first %s): %.2f",
						rep+1, b.c.reps, f.name, fmtDur(r.scanAlone[rep]), fmtDur(scan),
						rate(alone.at(w), w), rate(loaded.at(w), w), fmtDur(w), ratio)
					return nil
				})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
		}
	}

	sec := b.r.section("3. File-manager pattern",
		fmt.Sprintf("A head scan reads the first 4 KiB of each of the %d files (thumbnails, type sniffing), alone and while a copy reads the %d largest files (%s) front to back. All runs cold. The copy starts once the scan is a quarter through; its throughput while the scan runs is compared with its throughput alone over the same stretch from its start (the whole copy when the scan outlasts it).",
			b.in.tree.Files, len(set), mib(setBytes)))
	sec.table("Tool", "Head scan alone", "Head scan during copy", "Copy alone", "Copy MB/s alone", "Copy throughput kept during scan")
	for _, f := range tools {
		r := res[f.name]
		sec.row(f.name, r.scanAlone.timeCell(), r.scanLoaded.timeCell(), r.copyAlone.timeCell(),
			fmt.Sprintf("%.0f", rate(setBytes, r.copyAlone.median())), ratioCell(r.ratio))
	}
	if !b.c.peersOnly {
		b.r.atLeast("Copy throughput kept during the head scan", 100*medianFloat(res[tools[0].name].ratio), 75, "%")
	}
	return nil
}

func medianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := make(series, len(v))
	for i, x := range v {
		s[i] = time.Duration(x * 1e9)
	}
	return float64(s.median()) / 1e9
}

// ratioCell prints ratios as "median (min–max)" percentages.
func ratioCell(v []float64) string {
	if len(v) == 0 {
		return "n/a"
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%.0f%% (%.0f–%.0f%%)", 100*medianFloat(v), 100*lo, 100*hi)
}
