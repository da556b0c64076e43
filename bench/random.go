package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// randomRun is one batch of random 4 KiB reads: the latency of each read and
// where it read, to check the bytes afterwards.
type randomRun struct {
	wall time.Duration // for the whole batch
	lat  series
	offs []int64
	data [][]byte
}

// randomReads issues perReader 4 KiB reads at random 4 KiB-aligned offsets
// from each of readers goroutines, on one file opened once with readahead
// off (POSIX_FADV_RANDOM), as a database or a loop-mounted file system does.
func randomReads(path string, size int64, readers, perReader int, seed uint64) (*randomRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_RANDOM); err != nil {
		return nil, fmt.Errorf("fadvise: %w", err)
	}
	blocks := size / 4096
	runs := make([]randomRun, readers)
	errs := make([]error, readers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			r := &runs[i]
			for range perReader {
				off := rng.Int64N(blocks) * 4096
				buf := make([]byte, 4096)
				start := time.Now()
				n, err := f.ReadAt(buf, off)
				r.lat = append(r.lat, time.Since(start))
				if err != nil || n != len(buf) {
					errs[i] = fmt.Errorf("read at %d: %d bytes, %v", off, n, err)
					return
				}
				r.offs = append(r.offs, off)
				r.data = append(r.data, buf)
			}
		}()
	}
	wg.Wait()
	all := &randomRun{wall: time.Since(start)}
	for i := range runs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all.lat = append(all.lat, runs[i].lat...)
		all.offs = append(all.offs, runs[i].offs...)
		all.data = append(all.data, runs[i].data...)
	}
	return all, nil
}

// check compares every block read with the ISO.
func (r *randomRun) check(who, iso string) error {
	f, err := os.Open(iso)
	if err != nil {
		return err
	}
	defer f.Close()
	want := make([]byte, 4096)
	for i, off := range r.offs {
		if _, err := f.ReadAt(want, off); err != nil {
			return err
		}
		if !bytes.Equal(want, r.data[i]) {
			return fmt.Errorf("%s: WRONG BYTES in the 4 KiB at offset %d", who, off)
		}
	}
	return nil
}

// randomReads is measurement 4: p50 and p99 latency of random 4 KiB reads
// on the raw image, cold, with one reader and with eight.
func (b *bencher) randomReads() error {
	type tool struct {
		fs   fsys
		file string // "" = the raw node
	}
	var tools []tool
	if !b.c.peersOnly {
		tools = append(tools, tool{fs: b.iszmountFS("iszmount raw (zlib)", b.in.iszZlib, "mode=raw")})
	}
	tools = append(tools,
		tool{b.squashfuseLL("squashfuse_ll (ISO in squashfs)", b.in.isoSqfs), filepath.Base(b.in.iso)},
		tool{b.kernelSquashfs("kernel squashfs (ISO in squashfs)", b.in.isoSqfs), filepath.Base(b.in.iso)},
	)
	readerCounts := []int{1, 8}
	lat := map[string]map[int]series{}
	walls := map[string]time.Duration{} // 8 readers, summed over repetitions
	for _, t := range tools {
		lat[t.fs.name] = map[int]series{}
	}
	for rep := range b.c.reps {
		for _, readers := range readerCounts {
			per := b.c.randReads
			if readers > 1 {
				per = max(1, b.c.randReads/4)
			}
			for _, t := range tools {
				err := b.with(t.fs, func(m *mount) error {
					path := filepath.Join(m.dir, t.file)
					if t.file == "" {
						var err error
						if path, err = onlyFile(m.dir); err != nil {
							return err
						}
					}
					if err := dropCaches(); err != nil {
						return err
					}
					run, err := randomReads(path, b.in.isoSize, readers, per, uint64(rep+1))
					if err != nil {
						return err
					}
					if err := run.check(t.fs.name, b.in.iso); err != nil {
						return err
					}
					lat[t.fs.name][readers] = append(lat[t.fs.name][readers], run.lat...)
					if readers > 1 {
						walls[t.fs.name] += run.wall
					}
					logf("   %d/%d %-34s %d reader(s): p50 %s p99 %s", rep+1, b.c.reps, t.fs.name, readers,
						fmtDur(run.lat.quantile(0.5)), fmtDur(run.lat.quantile(0.99)))
					return nil
				})
				if err != nil {
					return fmt.Errorf("%s: %w", t.fs.name, err)
				}
			}
		}
	}

	sec := b.r.section("4. Random 4 KiB reads on the raw image",
		fmt.Sprintf("Cold mount, page cache dropped, readahead off (`POSIX_FADV_RANDOM`); %d reads from one reader, %d from each of 8 concurrent readers, per repetition; percentiles over all %d repetitions. Every block read was compared with the ISO.",
			b.c.randReads, max(1, b.c.randReads/4), b.c.reps))
	sec.table("Tool", "1 reader p50", "1 reader p99", "8 readers p50", "8 readers p99", "8 readers, reads/s")
	for _, t := range tools {
		l1, l8 := lat[t.fs.name][1], lat[t.fs.name][8]
		sec.row(t.fs.name, fmtDur(l1.quantile(0.5)), fmtDur(l1.quantile(0.99)),
			fmtDur(l8.quantile(0.5)), fmtDur(l8.quantile(0.99)),
			fmt.Sprintf("%.0f", float64(len(l8))/walls[t.fs.name].Seconds()))
	}
	if !b.c.peersOnly {
		ours, peer := lat[tools[0].fs.name], lat[tools[1].fs.name]
		sec.note(fmt.Sprintf("iszmount vs squashfuse_ll, latency ratio (>1: iszmount faster): 1 reader p50 %.2f×, p99 %.2f×; 8 readers p50 %.2f×, p99 %.2f×.",
			speedup(ours[1].quantile(0.5), peer[1].quantile(0.5)), speedup(ours[1].quantile(0.99), peer[1].quantile(0.99)),
			speedup(ours[8].quantile(0.5), peer[8].quantile(0.5)), speedup(ours[8].quantile(0.99), peer[8].quantile(0.99))))
	}
	return nil
}
