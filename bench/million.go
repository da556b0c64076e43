package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// millionInputs are measurement 10's inputs, built in full mode only: a
// generated tree of a million entries (millionSpec), its ISO, a zlib ISZ
// of the ISO and a gzip squashfs of the tree.
type millionInputs struct {
	tree    *tree
	iso     string // xorriso -as mkisofs -R -J, kept to rebuild the ISZ with a new writer
	isoSize int64
	isz     string
	sqfs    string
	steps   []millionStep // how each was built, in order
}

// A millionStep is one build step of the million-entry inputs: the command
// and the file it made, whose .took says how long it took when it was built.
type millionStep struct{ what, path string }

// buildMillion makes (or reuses) the million-entry inputs under dir. The
// steps run one after the other, not side by side, so each build time is
// the tool's own on this machine.
func buildMillion(ctx context.Context, c *config, a *artifacts, dir string) (*millionInputs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	mi := &millionInputs{iso: p("tree.iso"), isz: p("tree-zlib.isz"), sqfs: p("tree.sqfs")}
	srcKey := millionSpec.key()
	isoKey := srcKey + " | xorriso -as mkisofs -R -J -joliet-long"
	steps := []struct {
		millionStep
		key   string
		build func(tmp string) error
	}{
		{millionStep{"generating the tree (Go, 4 writers)", p("src")}, srcKey, func(tmp string) error {
			t, err := generateTree(millionSpec, tmp)
			if err != nil {
				return err
			}
			return t.save(p("src.json"))
		}},
		{millionStep{"`xorriso -as mkisofs -R -J -joliet-long` of the tree", mi.iso}, isoKey, func(tmp string) error {
			return mkisofs(ctx, tmp, "-V", "ISZMILLION", p("src"))
		}},
		{millionStep{"`isz create -b 128K -c zlib` of the ISO", mi.isz}, isoKey + " | isz create -b 128K -c zlib", func(tmp string) error {
			_, err := run(ctx, "", c.isz, "create", "-b", "128K", "-c", "zlib", mi.iso, tmp)
			return err
		}},
		{millionStep{"`mksquashfs -comp gzip -b 131072` of the tree (all cores)", mi.sqfs}, srcKey + " | mksquashfs -comp gzip -b 131072", func(tmp string) error {
			return mksquashfs(ctx, p("src"), tmp)
		}},
	}
	for _, s := range steps {
		if err := a.make(s.path, s.key, s.build); err != nil {
			return nil, err
		}
		mi.steps = append(mi.steps, s.millionStep)
	}
	t, err := loadTree(p("src.json"), p("src"))
	if err != nil {
		return nil, fmt.Errorf("reading the million-entry tree's description: %w", err)
	}
	mi.tree = t
	info, err := os.Stat(mi.iso)
	if err != nil {
		return nil, err
	}
	mi.isoSize = info.Size()
	return mi, nil
}

// millionCache is the cache budget measurement 10 gives iszmount, whatever
// -cache says: its memory target is this + 64 MiB.
const millionCache = 64 << 20

const millionCacheOpt = "cache=64M"

// million is measurement 10: a million entries. Mount-to-ready, cold `find`
// and `ls -lR` against squashfuse_ll on a squashfs of the same tree, and
// each server's peak RSS after finding, listing and reading the whole tree
// on one mount.
func (b *bencher) million() error {
	const title = "10. A million entries"
	mi := b.in.million
	if mi == nil || b.c.peersOnly {
		b.r.section(title, "Full mode only (and not with `-peers-only`): not run.")
		logf("   full mode only, and not with -peers-only: skipped")
		return nil
	}
	t := mi.tree
	ours := b.iszmountExactly("iszmount tree (zlib), "+millionCacheOpt, mi.isz, "mode=tree,"+millionCacheOpt)
	peer := b.squashfuseLL("squashfuse_ll", mi.sqfs)
	tools := []fsys{ours, peer}
	walk := walkOps(t.entries())
	ops := []treeOp{opNamed(walk, "find"), opNamed(walk, "ls -lR")}

	const daemon = "iszmount tree, daemon: `iszmount -o mode=tree," + millionCacheOpt + " IMG DIR` + first readdir"
	jobs := []readyJob{
		b.daemonJob(daemon, mi.isz, "mode=tree,"+millionCacheOpt),
		{ours.name + ", foreground", b.polled(ours)},
		{peer.name + ", foreground", b.polled(peer)},
	}
	ready, err := b.timeReady(jobs, b.c.reps)
	if err != nil {
		return err
	}

	cold := timings{}
	mem := map[string]map[string][]rssAround{}
	for _, f := range tools {
		cold[f.name], mem[f.name] = map[string]series{}, map[string][]rssAround{}
	}
	for rep := range b.c.reps {
		for _, op := range ops {
			for _, f := range inTurn(tools, rep) {
				d, r, err := b.coldRun(f, op)
				if err != nil {
					return err
				}
				cold[f.name][op.name] = append(cold[f.name][op.name], d)
				mem[f.name][op.name] = append(mem[f.name][op.name], r)
				logf("   cold %d/%d %-8s %-30s %s, peak RSS %s", rep+1, b.c.reps, op.name, f.name, fmtDur(d), mib(r.peak))
			}
		}
	}

	walks := map[string][]walkStep{}
	for _, f := range tools {
		if walks[f.name], err = b.walkMemory(f, walk, t); err != nil {
			return err
		}
	}

	sec := b.r.section(title, fmt.Sprintf(
		"A tree generated from a seed (`%s`): %d entries (%d directories nested up to %d deep, %d files of %d B to %d KiB, log-uniform, %s in all; file contents are text-like runs mixed with 0-60%% random bytes, names of 3-20 characters). Full mode only. iszmount serves a zlib ISZ (128 KiB chunks) of its ISO, always with `-o %s` (whatever `-cache` says), so its memory target is %s; squashfuse_ll serves a gzip squashfs of the same tree. Both trees were checked: `find` printed every entry, and %d sampled files (the largest included) matched the source.",
		millionSpec.key(), t.entries(), t.Dirs, millionSpec.maxDepth, t.Files, millionSpec.minSize, millionSpec.maxSize>>10, mib(t.Bytes),
		millionCacheOpt, mib(millionCache+64<<20), len(t.sample(100))))
	sec.table("Input", "Size", "Built in (when it was built)")
	sec.row("the tree on disk", mib(t.Bytes)+" of file data", fmtTook(mi.steps[0].path))
	for _, s := range mi.steps[1:] {
		size := "n/a"
		if info, err := os.Stat(s.path); err == nil {
			size = mib(info.Size())
		}
		sec.row(s.what, size, fmtTook(s.path))
	}

	sec.table("Mount (page cache dropped first)", "Ready, median (min–max)")
	for _, j := range jobs {
		sec.row(j.name, ready[j.name].timeCell())
	}

	// coldPeak is the highest peak RSS of any cold run of f.
	coldPeak := func(f fsys) int64 {
		var p int64
		for _, rs := range mem[f.name] {
			for _, r := range rs {
				p = max(p, r.peak)
			}
		}
		return p
	}
	sec.table("Tool (cold: fresh mount, page cache dropped)", "find", "ls -lR", "Peak RSS, find (median)", "Peak RSS, ls -lR (median)", "Peak RSS, highest")
	for _, f := range tools {
		sec.row(f.name, cold[f.name]["find"].timeCell(), cold[f.name]["ls -lR"].timeCell(),
			mib(medianRSS(mem[f.name]["find"]).peak), mib(medianRSS(mem[f.name]["ls -lR"]).peak), mib(coldPeak(f)))
	}

	cols := []string{"One mount, page cache dropped once, then in turn"}
	for _, op := range walk {
		cols = append(cols, op.name+": time, RSS after")
	}
	sec.table(append(cols, "Peak RSS (VmHWM)", "Peak per entry")...)
	for _, f := range tools {
		cells := []string{f.name}
		for _, s := range walks[f.name] {
			cells = append(cells, fmtDur(s.d)+", "+mib(s.rss))
		}
		peak := walks[f.name][len(walks[f.name])-1].peak
		sec.row(append(cells, mib(peak), fmt.Sprintf("%.0f B", float64(peak)/float64(t.entries())))...)
	}
	sec.note(fmt.Sprintf("The walk ran once per tool (the times above it are medians of %d); its `find` is cold, its `ls -lR` finds the kernel's dentries and inodes from that `find` (unless memory pressure dropped them), and \"read every file\" is `tar cf - . | wc -c`. RSS is the FUSE server's VmRSS after each step and its VmHWM at the end; iszmount's includes its chunk cache (up to %s here).", b.c.reps, millionCacheOpt))

	med := func(tool, op string) time.Duration { return cold[tool][op].median() }
	b.r.limit("1M entries: mount ready (daemon form, cold)", float64(ready[daemon].median())/float64(time.Millisecond), 150, "ms")
	for _, op := range ops {
		b.r.target(fmt.Sprintf("1M entries: `%s` cold vs squashfuse_ll", op.name), speedup(med(ours.name, op.name), med(peer.name, op.name)), 1.5)
	}
	peak := func(f fsys) int64 { return max(walks[f.name][len(walks[f.name])-1].peak, coldPeak(f)) }
	b.r.limit(fmt.Sprintf("1M entries: peak RSS, the walk (find + ls -lR + reading every file) and every cold run (`-o %s`; squashfuse_ll: %s)", millionCacheOpt, mib(peak(peer))),
		float64(peak(ours))/(1<<20), float64(millionCache+64<<20)/(1<<20), "MiB")
	return nil
}

// fmtTook prints how long the build of path took, if that was recorded.
func fmtTook(path string) string {
	if d := took(path); d > 0 {
		return fmtDur(d)
	}
	return "not recorded"
}
