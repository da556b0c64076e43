package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

// check compares every block read with the file want (the same bytes
// outside the mount).
func (r *randomRun) check(who, want string) error {
	f, err := os.Open(want)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for i, off := range r.offs {
		if _, err := f.ReadAt(buf, off); err != nil {
			return err
		}
		if !bytes.Equal(buf, r.data[i]) {
			return fmt.Errorf("%s: WRONG BYTES in the 4 KiB at offset %d", who, off)
		}
	}
	return nil
}

// A randomTarget is a file random reads go to: a file in a mount (the raw
// node, or a file of the tree), the same bytes outside it to check the
// reads against, and the image file the server reads.
type randomTarget struct {
	fs    fsys
	file  string // in the mount; "" = the raw node
	want  string
	image string
}

// path is the target's file in m.
func (t randomTarget) path(m *mount) (string, error) {
	if t.file == "" {
		return onlyFile(m.dir)
	}
	return filepath.Join(m.dir, t.file), nil
}

// batch reads the target in m from readers goroutines, perReader reads
// each, checks every block and returns the run.
func (t randomTarget) batch(m *mount, readers, perReader int, seed uint64) (*randomRun, error) {
	path, err := t.path(m)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(t.want)
	if err != nil {
		return nil, err
	}
	run, err := randomReads(path, info.Size(), readers, perReader, seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.fs.name, err)
	}
	return run, run.check(t.fs.name, t.want)
}

// randomReads is measurement 4: p50 and p99 latency of random 4 KiB reads,
// cold on the raw image with one reader and with eight, and warm with
// eight on the raw image and on the tree's largest file.
func (b *bencher) randomReads() error {
	var tools []randomTarget
	if !b.c.peersOnly {
		tools = append(tools, randomTarget{fs: b.iszmountFS("iszmount raw (zlib)", b.in.iszZlib, "mode=raw"), want: b.in.iso, image: b.in.iszZlib})
	}
	isoName := filepath.Base(b.in.iso)
	tools = append(tools,
		randomTarget{b.squashfuseLL("squashfuse_ll (ISO in squashfs)", b.in.isoSqfs), isoName, b.in.iso, b.in.isoSqfs},
		randomTarget{b.kernelSquashfs("kernel squashfs (ISO in squashfs)", b.in.isoSqfs), isoName, b.in.iso, b.in.isoSqfs},
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
					if err := dropCaches(); err != nil {
						return err
					}
					run, err := t.batch(m, readers, per, uint64(rep+1))
					if err != nil {
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

	sec := b.r.section("4. Random 4 KiB reads",
		fmt.Sprintf("Cold: a fresh mount, page cache dropped, readahead off (`POSIX_FADV_RANDOM`); %d reads from one reader, %d from each of 8 concurrent readers, per repetition; percentiles over all %d repetitions. Every block read was compared with the ISO.",
			b.c.randReads, max(1, b.c.randReads/4), b.c.reps))
	sec.table("Tool, raw image, cold", "1 reader p50", "1 reader p99", "8 readers p50", "8 readers p99", "8 readers, reads/s")
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
	return b.randomWarm(sec, tools[:len(tools)-1])
}

// randomWarm is measurement 4's warm half: 8 readers on mounts that stay
// up for every repetition, with nothing read from the disk, on the raw
// image (the tools given) and on the tree's largest file (iszmount's tree
// mode and squashfuse_ll on the tree's squashfs). Each server's image file
// is read into the page cache once. Each repetition reads a batch of
// random blocks untimed, then the same blocks again ("repeated": the
// server has just read their chunks) and then other blocks ("fresh"), the
// mount's page cache of the file emptied before each timed batch
// (POSIX_FADV_DONTNEED) so that the server answers every read.
func (b *bencher) randomWarm(sec *section, raw []randomTarget) error {
	largest := b.in.tree.Largest[0]
	tools := slices.Clone(raw)
	if !b.c.peersOnly {
		tools = append(tools, randomTarget{b.iszmountFS("iszmount tree (zlib)", b.in.iszZlib, "mode=tree"), largest, filepath.Join(b.in.tree.Dir, largest), b.in.iszZlib})
	}
	tools = append(tools, randomTarget{b.squashfuseLL("squashfuse_ll (tree squashfs)", b.in.treeSqfs), largest, filepath.Join(b.in.tree.Dir, largest), b.in.treeSqfs})
	mounted := make([]*mount, len(tools))
	defer func() {
		for _, m := range mounted {
			if m != nil {
				b.ms.unmount(m)
			}
		}
	}()
	for i, t := range tools {
		m, err := t.fs.mount(b.dir(t.fs.name + " warm"))
		if err != nil {
			return err
		}
		mounted[i] = m
		if _, _, err := b.timeShell(b.c.work, "cat "+q(t.image)+" > /dev/null"); err != nil {
			return err
		}
	}
	const readers = 8
	per := max(1, b.c.randReads/4)
	repeated, fresh := map[string]series{}, map[string]series{}
	timed := func(t randomTarget, m *mount, seed uint64) (*randomRun, error) {
		path, err := t.path(m)
		if err != nil {
			return nil, err
		}
		if err := forgetPages(path); err != nil {
			return nil, err
		}
		return t.batch(m, readers, per, seed)
	}
	for rep := range b.c.reps {
		for i, t := range tools {
			seed := uint64(1000 + rep)
			if _, err := t.batch(mounted[i], readers, per, seed); err != nil {
				return err
			}
			again, err := timed(t, mounted[i], seed)
			if err != nil {
				return err
			}
			other, err := timed(t, mounted[i], seed+1000)
			if err != nil {
				return err
			}
			repeated[t.fs.name] = append(repeated[t.fs.name], again.lat...)
			fresh[t.fs.name] = append(fresh[t.fs.name], other.lat...)
			logf("   warm %d/%d %-34s %d readers: repeated p50 %s p99 %s; fresh p50 %s p99 %s", rep+1, b.c.reps, t.fs.name, readers,
				fmtDur(again.lat.quantile(0.5)), fmtDur(again.lat.quantile(0.99)), fmtDur(other.lat.quantile(0.5)), fmtDur(other.lat.quantile(0.99)))
		}
	}
	info, err := os.Stat(filepath.Join(b.in.tree.Dir, largest))
	if err != nil {
		return err
	}
	sec.table("Tool, warm, 8 readers", "File", "Fresh p50", "Fresh p99", "Fresh p99.9", "Repeated p50", "Repeated p99")
	for _, t := range tools {
		file := "raw image"
		if t.want != b.in.iso {
			file = "largest file of the tree (" + mib(info.Size()) + ")"
		}
		f, r := fresh[t.fs.name], repeated[t.fs.name]
		sec.row(t.fs.name, file, fmtDur(f.quantile(0.5)), fmtDur(f.quantile(0.99)), fmtDur(f.quantile(0.999)), fmtDur(r.quantile(0.5)), fmtDur(r.quantile(0.99)))
	}
	sec.note(fmt.Sprintf("Warm: every mount stays up for all %d repetitions and each server's image file was read into the page cache once, so nothing comes from the disk. Each repetition reads %d random 4 KiB blocks from each of 8 readers untimed, then the same blocks again (\"repeated\": their chunks were just read) and then blocks from another seed (\"fresh\": the server may have to decode them), the mount's page cache of the file emptied (`POSIX_FADV_DONTNEED`) before each timed batch so that the server answers every read. iszmount's chunk cache is %s (%s). Every block was compared with the ISO or the source file. The target is on the fresh reads.", b.c.reps, per, mib(b.c.cache), cacheSource(b.c)))
	if b.c.peersOnly {
		return nil
	}
	for _, name := range []string{"iszmount raw (zlib)", "iszmount tree (zlib)"} {
		b.r.limit("Random 4 KiB reads, warm, 8 readers, fresh blocks, p99, "+name+" (µs)", float64(fresh[name].quantile(0.99))/float64(time.Microsecond), 2000, "µs")
	}
	return nil
}

// forgetPages empties the page cache of one file (clean pages only: a
// read-only mount has no others), leaving the rest of the cache alone.
func forgetPages(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("fadvise %s: %w", path, err)
	}
	return nil
}
