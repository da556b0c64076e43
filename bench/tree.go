package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// treeOp is one shell command a user runs on a mounted tree.
type treeOp struct {
	name   string
	script string
	// check validates the command's output (nil: nothing to check).
	check func(out string) error
}

// treeOpsList are measurement 2's operations on the source tree.
func (b *bencher) treeOpsList() []treeOp { return treeOpsFor(b.in.tree.entries()) }

// treeOpsFor are the operations on a tree of want entries (what `find .`
// prints, checked).
func treeOpsFor(want int) []treeOp {
	return []treeOp{
		{"find", "find . | wc -l", func(out string) error {
			if n, _ := strconv.Atoi(strings.TrimSpace(out)); n != want {
				return fmt.Errorf("find printed %s entries, the source has %d", strings.TrimSpace(out), want)
			}
			return nil
		}},
		{"ls -lR", "ls -lR > /dev/null", nil},
		{"du -s", "du -s > /dev/null", nil},
		{"read every file", "tar cf - . | wc -c", nil},
	}
}

// walkOps are the operations of a walk of a whole tree of want entries:
// find, ls -lR and reading every file, one after the other on one mount,
// each run as a user would.
func walkOps(want int) []treeOp {
	return slices.DeleteFunc(treeOpsFor(want), func(op treeOp) bool { return op.name == "du -s" })
}

// treeFS are the tools that browse the tree. Small mode keeps those the
// targets name and the kernel's reference: squashfuse and fuseiso, the
// slowest, took more than half of measurement 2 there, and the small mode
// is to finish in four minutes.
func (b *bencher) treeFS() []fsys {
	var out []fsys
	if !b.c.peersOnly {
		out = append(out, b.iszmountFS("iszmount tree (zlib)", b.in.iszZlib, "mode=tree"))
	}
	out = append(out, b.squashfuseLL("squashfuse_ll", b.in.treeSqfs))
	if !b.c.small {
		out = append(out, b.squashfuse("squashfuse", b.in.treeSqfs))
	}
	out = append(out, b.kernelSquashfs("kernel squashfs", b.in.treeSqfs))
	if !b.c.small {
		out = append(out, b.fuseiso("fuseiso (plain ISO)", b.in.iso))
	}
	return out
}

// treeOps is measurement 2: find, ls -lR, du -s and reading every file,
// cold (fresh mount, page cache dropped) and warm (same mount, after one
// untimed run), on every tool that shows the tree. It also records each
// FUSE server's peak RSS for measurement 6.
func (b *bencher) treeOps() error {
	ops := b.treeOpsList()
	tools := b.treeFS()
	cold, warm, _, err := b.runTreeOps(ops, tools)
	if err != nil {
		return err
	}
	t := b.in.tree
	sec := b.r.section("2. Tree operations",
		fmt.Sprintf("On the tree (%d entries, %s of files). Cold: a fresh mount and an empty page cache for every run; warm: the same mount, after one untimed run. \"Read every file\" is `tar cf - . | wc -c`. Each tool's tree was checked against the source first (entry count, and the sha256 of %d files including the largest).",
			t.entries(), mib(t.Bytes), len(t.sample(100))))
	treeTables(sec, ops, tools, cold, warm)
	if b.c.peersOnly {
		return nil
	}
	const ours, peer = "iszmount tree (zlib)", "squashfuse_ll"
	ratio := func(res timings, op string) float64 {
		return speedup(res[ours][op].median(), res[peer][op].median())
	}
	var ratios []string
	for _, op := range ops {
		ratios = append(ratios, fmt.Sprintf("%s %.2f× cold, %.2f× warm", op.name, ratio(cold, op.name), ratio(warm, op.name)))
	}
	sec.note("iszmount vs squashfuse_ll (speed ratio of medians): " + strings.Join(ratios, "; ") + ".")
	b.r.target("Read every file, cold, vs squashfuse_ll", ratio(cold, "read every file"), 1.3)
	b.r.target("Read every file, warm, vs squashfuse_ll", ratio(warm, "read every file"), 1.3)
	for _, op := range []string{"ls -lR", "find"} {
		b.r.target("`"+op+"` cold vs squashfuse_ll", ratio(cold, op), 1.0)
		b.r.target("`"+op+"` warm vs squashfuse_ll", ratio(warm, op), 1.0)
	}
	return nil
}

// timings holds the wall times of tree operations: by tool, then by
// operation.
type timings map[string]map[string]series

// runTreeOps times every operation on every tool, cold (a fresh mount and
// an empty page cache for each run) and warm (all tools mounted at once,
// after one untimed run), the repetitions interleaved across tools. Each
// output is checked, and each tool's tree is checked against the source
// before its warm runs. The servers' peak RSS goes to b.rss; mem holds
// their memory around each cold run, by tool and operation.
func (b *bencher) runTreeOps(ops []treeOp, tools []fsys) (cold, warm timings, mem map[string]map[string][]rssAround, err error) {
	cold, warm, mem = timings{}, timings{}, map[string]map[string][]rssAround{}
	if b.rss == nil {
		b.rss = map[string]int64{}
	}
	for _, f := range tools {
		cold[f.name], warm[f.name], mem[f.name] = map[string]series{}, map[string]series{}, map[string][]rssAround{}
	}
	record := func(m *mount) { b.rss[m.tool] = max(b.rss[m.tool], m.peakRSS()) }

	for rep := range b.c.reps {
		for _, op := range ops {
			for _, f := range inTurn(tools, rep) {
				d, r, err := b.coldRun(f, op)
				if err != nil {
					return nil, nil, nil, err
				}
				cold[f.name][op.name] = append(cold[f.name][op.name], d)
				mem[f.name][op.name] = append(mem[f.name][op.name], r)
				b.rss[f.name] = max(b.rss[f.name], r.peak)
				logf("   cold %d/%d %-16s %-22s %s", rep+1, b.c.reps, op.name, f.name, fmtDur(d))
			}
		}
	}

	// Warm: everything mounted at once, so the repetitions interleave.
	var mounted []*mount
	defer func() {
		for _, m := range mounted {
			b.ms.unmount(m)
		}
	}()
	for _, f := range tools {
		m, err := f.mount(b.dir(f.name))
		if err != nil {
			return nil, nil, nil, err
		}
		mounted = append(mounted, m)
		if err := b.checkTree(f, m.dir); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, op := range ops {
		for _, m := range mounted {
			if _, _, err := b.timeShell(m.dir, op.script); err != nil {
				return nil, nil, nil, err
			}
		}
		for rep := range b.c.warmReps {
			for _, m := range inTurn(mounted, rep) {
				d, out, err := b.timeShell(m.dir, op.script)
				if err == nil && op.check != nil {
					err = op.check(out)
				}
				if err != nil {
					return nil, nil, nil, fmt.Errorf("%s: %w", m.tool, err)
				}
				warm[m.tool][op.name] = append(warm[m.tool][op.name], d)
				logf("   warm %d/%d %-16s %-22s %s", rep+1, b.c.warmReps, op.name, m.tool, fmtDur(d))
			}
		}
	}
	for _, m := range mounted {
		record(m)
	}
	return cold, warm, mem, nil
}

// treeTables adds a cold and a warm table of the timings to sec: one row
// per tool, one column per operation.
func treeTables(sec *section, ops []treeOp, tools []fsys, cold, warm timings) {
	for _, phase := range []struct {
		name string
		res  timings
	}{{"cold", cold}, {"warm", warm}} {
		cols := []string{"Tool (" + phase.name + ")"}
		for _, op := range ops {
			cols = append(cols, op.name)
		}
		sec.table(cols...)
		for _, f := range tools {
			cells := []string{f.name}
			for _, op := range ops {
				cells = append(cells, phase.res[f.name][op.name].timeCell())
			}
			sec.row(cells...)
		}
	}
}

// coldRun mounts f, empties the page cache, runs op (its output checked)
// and unmounts; it returns op's wall time and the server's memory around it.
func (b *bencher) coldRun(f fsys, op treeOp) (d time.Duration, r rssAround, err error) {
	err = b.with(f, func(m *mount) error {
		if err := dropCaches(); err != nil {
			return err
		}
		r.start = m.rss()
		var out string
		d, out, err = b.timeShell(m.dir, op.script)
		if err == nil && op.check != nil {
			err = op.check(out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		r.peak, r.after = m.peakRSS(), m.rss()
		return nil
	})
	return d, r, err
}

// rssAround is a server's resident set when a run starts, its peak, and
// what it is once the run is over.
type rssAround struct{ start, peak, after int64 }
