package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// warmReread is measurement 5: reading the whole raw image again once it is
// in the page cache, against the same bytes in tmpfs (the ceiling: a copy
// from memory) and in squashfuse_ll.
func (b *bencher) warmReread() error {
	tmpfsDir := b.dir("tmpfs")
	tm, err := b.ms.mountKernel("tmpfs", tmpfsDir, "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", b.in.isoSize+64<<20), "tmpfs")
	if err != nil {
		return err
	}
	defer b.ms.unmount(tm)
	inTmpfs := filepath.Join(tmpfsDir, filepath.Base(b.in.iso))
	if _, err := run(b.ctx, "", "cp", b.in.iso, inTmpfs); err != nil {
		return err
	}
	type reader struct{ name, path string }
	readers := []reader{{"tmpfs", inTmpfs}}
	var mounted []*mount
	defer func() {
		for _, m := range mounted {
			b.ms.unmount(m)
		}
	}()
	var tools []fsys
	if !b.c.peersOnly {
		tools = append(tools, b.iszmountFS("iszmount raw (zlib)", b.in.iszZlib, "mode=raw"))
	}
	tools = append(tools, b.squashfuseLL("squashfuse_ll (ISO in squashfs)", b.in.isoSqfs))
	for _, f := range tools {
		m, err := f.mount(b.dir(f.name))
		if err != nil {
			return err
		}
		mounted = append(mounted, m)
		path := filepath.Join(m.dir, filepath.Base(b.in.iso))
		if f.name == "iszmount raw (zlib)" {
			if path, err = onlyFile(m.dir); err != nil {
				return err
			}
		}
		if err := b.checkRanges(f.name, path, 16); err != nil {
			return err
		}
		readers = append(readers, reader{f.name, path})
	}
	for _, r := range readers { // warm up: one untimed read each
		if _, _, err := b.timeShell(b.c.work, "cat "+q(r.path)+" > /dev/null"); err != nil {
			return err
		}
	}
	times := map[string]series{}
	for rep := range b.c.warmReps {
		for _, r := range readers {
			d, _, err := b.timeShell(b.c.work, "cat "+q(r.path)+" > /dev/null")
			if err != nil {
				return err
			}
			times[r.name] = append(times[r.name], d)
			logf("   %d/%d %-32s %s  %.0f MB/s", rep+1, b.c.warmReps, r.name, fmtDur(d), rate(b.in.isoSize, d))
		}
	}
	for _, r := range readers[1:] {
		if err := b.checkFile(r.name, r.path); err != nil {
			return err
		}
	}
	sec := b.r.section("5. Warm re-read of the raw image",
		fmt.Sprintf("`cat FILE > /dev/null` of the whole %s image, already read once on the same mount, against the same file on tmpfs. Afterwards each mount's file was hashed whole and compared with the ISO.", mib(b.in.isoSize)))
	sec.table("Reader", "Time, median (min–max)", "MB/s", "vs tmpfs")
	for _, r := range readers {
		s := times[r.name]
		sec.row(r.name, s.timeCell(), fmt.Sprintf("%.0f", rate(b.in.isoSize, s.median())),
			fmt.Sprintf("%.2f×", speedup(s.median(), times["tmpfs"].median())))
	}
	if !b.c.peersOnly {
		b.r.target("Warm re-read of the raw image vs tmpfs", speedup(times["iszmount raw (zlib)"].median(), times["tmpfs"].median()), 0.7)
	}
	return nil
}

// A readyJob mounts an image one way and returns how long the mount took
// to be usable.
type readyJob struct {
	name  string
	mount func() (time.Duration, error)
}

// polled times f mounted in the foreground: from the start of its command
// until its mount point is in /proc/self/mountinfo (polled every 0.5 ms)
// and its root lists.
func (b *bencher) polled(f fsys) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		var d time.Duration
		err := b.with(f, func(m *mount) error { d = m.ready; return nil })
		return d, err
	}
}

// daemonJob times `iszmount -o opts img DIR` in its daemon form.
func (b *bencher) daemonJob(name, img, opts string) readyJob {
	return readyJob{name, func() (time.Duration, error) { return b.daemonReady(img, opts) }}
}

// timeReady runs every job reps times, interleaved, each after dropping
// the page cache, and returns their times by name.
func (b *bencher) timeReady(jobs []readyJob, reps int) (map[string]series, error) {
	ready := map[string]series{}
	for rep := range reps {
		for _, j := range inTurn(jobs, rep) {
			if err := dropCaches(); err != nil {
				return nil, err
			}
			d, err := j.mount()
			if err != nil {
				return nil, err
			}
			ready[j.name] = append(ready[j.name], d)
			logf("   %d/%d ready %-60s %s", rep+1, reps, j.name, fmtDur(d))
		}
	}
	return ready, nil
}

// A walkStep is one operation of a walk (see walkMemory): its time and the
// server's resident set once it is over.
type walkStep struct {
	d         time.Duration
	rss, peak int64 // VmRSS and VmHWM after the operation
}

// walkMemory mounts f, empties the page cache, and runs ops one after the
// other on that one mount, each output checked, reading the server's
// memory after each. If t is not nil, a sample of t's files is then
// compared with the source on the same mount.
func (b *bencher) walkMemory(f fsys, ops []treeOp, t *tree) ([]walkStep, error) {
	var steps []walkStep
	err := b.with(f, func(m *mount) error {
		if err := dropCaches(); err != nil {
			return err
		}
		for _, op := range ops {
			d, out, err := b.timeShell(m.dir, op.script)
			if err == nil && op.check != nil {
				err = op.check(out)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			steps = append(steps, walkStep{d: d, rss: m.rss(), peak: m.peakRSS()})
			logf("   %s: %s in %s, RSS %s, peak %s", f.name, op.name, fmtDur(d), mib(m.rss()), mib(m.peakRSS()))
		}
		if t != nil {
			return checkSample(t, f, m.dir)
		}
		return nil
	})
	return steps, err
}

// mountAndMemory is measurement 6: how long a mount takes to be usable
// (cold), and the FUSE servers' peak RSS while the tree is read, on the
// benchmark image and on one four times its size.
func (b *bencher) mountAndMemory() error {
	var jobs []readyJob
	if !b.c.peersOnly {
		opts := "mode=tree" + b.c.cacheOpt
		jobs = append(jobs,
			b.daemonJob("iszmount tree (zlib), daemon: `iszmount IMG DIR` + first readdir", b.in.iszZlib, opts),
			readyJob{"iszmount tree (zlib), foreground", b.polled(b.iszmountFS("iszmount tree (zlib)", b.in.iszZlib, "mode=tree"))},
			b.daemonJob(fmt.Sprintf("iszmount tree, big image (%s), daemon", mib(b.in.bigSize)), b.in.big, opts),
		)
	}
	jobs = append(jobs,
		readyJob{"squashfuse_ll, foreground", b.polled(b.squashfuseLL("squashfuse_ll", b.in.treeSqfs))},
		readyJob{"squashfuse, foreground", b.polled(b.squashfuse("squashfuse", b.in.treeSqfs))},
		readyJob{"kernel squashfs (`mount -o loop`)", b.polled(b.kernelSquashfs("kernel squashfs", b.in.treeSqfs))},
		readyJob{"fuseiso, foreground", b.polled(b.fuseiso("fuseiso (plain ISO)", b.in.iso))},
	)
	ready, err := b.timeReady(jobs, b.c.warmReps)
	if err != nil {
		return err
	}
	sec := b.r.section("6. Mount time and memory",
		"Mount-to-ready: from starting the command until the root directory lists, page cache dropped first. Foreground servers are polled in /proc/self/mountinfo every 0.5 ms; the daemon form is timed until `iszmount` returns (it returns only once the kernel has the mount) plus one readdir.")
	sec.table("Mount", "Ready, median (min–max)")
	for _, j := range jobs {
		sec.row(j.name, ready[j.name].timeCell())
	}

	// Peak RSS of iszmount under the same walk (find, ls -lR, read every
	// file, cold) on the benchmark image and on the big one.
	rss := map[string]int64{}
	images := []struct {
		name, path string
		entries    int
	}{{"benchmark image", b.in.iszZlib, b.in.tree.entries()}, {"big image", b.in.big, 1 + b.c.bigFactor*b.in.tree.entries()}}
	for _, img := range images {
		if b.c.peersOnly {
			break
		}
		steps, err := b.walkMemory(b.iszmountFS("iszmount tree, "+img.name, img.path, "mode=tree"), walkOps(img.entries), nil)
		if err != nil {
			return err
		}
		rss[img.name] = steps[len(steps)-1].peak
	}
	sec.table("Server", "Peak RSS (VmHWM)")
	for _, name := range []string{"iszmount tree (zlib)", "squashfuse_ll", "squashfuse", "fuseiso (plain ISO)"} {
		if v, ok := b.rss[name]; ok {
			sec.row(name+", during measurement 2", mib(v))
		}
	}
	if !b.c.peersOnly {
		sec.row(fmt.Sprintf("iszmount tree, benchmark image (%s ISO), cold find + ls -lR + read every file", mib(b.in.isoSize)), mib(rss["benchmark image"]))
		sec.row(fmt.Sprintf("iszmount tree, big image (%s ISO), the same", mib(b.in.bigSize)), mib(rss["big image"]))
		sec.note(fmt.Sprintf("iszmount's cache budget was %s (%s); the memory target is that + 64 MiB = %s.",
			mib(b.c.cache), cacheSource(b.c), mib(b.c.cache+64<<20)))
		budget := float64(b.c.cache+64<<20) / (1 << 20)
		b.r.limit(fmt.Sprintf("Mount ready, %s image (daemon form, cold)", mib(b.in.isoSize)),
			float64(ready[jobs[0].name].median())/float64(time.Millisecond), 150, "ms")
		b.r.limit(fmt.Sprintf("Peak RSS, %s image", mib(b.in.isoSize)), float64(max(rss["benchmark image"], b.rss["iszmount tree (zlib)"]))/(1<<20), budget, "MiB")
		b.r.limit(fmt.Sprintf("Peak RSS, %s image", mib(b.in.bigSize)), float64(rss["big image"])/(1<<20), budget, "MiB")
	}
	return nil
}

// daemonReady times `iszmount -o opts IMG DIR` without -f (it forks a
// daemon and returns once mounted) plus the first readdir, then unmounts.
func (b *bencher) daemonReady(img, opts string) (time.Duration, error) {
	dir := b.dir("iszmount daemon")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	// Output to a file, not a pipe: the daemon may keep the parent's stderr
	// open, and a pipe would make the wait last as long as the daemon.
	log, err := os.CreateTemp(b.c.work, "iszmount-daemon-*.log")
	if err != nil {
		return 0, err
	}
	defer os.Remove(log.Name())
	defer log.Close()
	cmd := command(b.ctx, b.c.iszmount, "-o", opts, img, dir)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		return 0, fmt.Errorf("iszmount %s %s: %w: %s", img, dir, err, out)
	}
	_, rerr := os.ReadDir(dir)
	d := time.Since(start)
	m, aerr := b.ms.adoptDaemon("iszmount daemon", dir)
	uerr := b.ms.unmount(m)
	if rerr != nil || aerr != nil || uerr != nil {
		return 0, fmt.Errorf("iszmount daemon: readdir %v; finding the daemon %v; unmounting %v", rerr, aerr, uerr)
	}
	return d, nil
}

func cacheSource(c *config) string {
	if c.cacheOpt == "" {
		return "its default on this machine"
	}
	return "-o " + strings.TrimPrefix(c.cacheOpt, ",")
}
