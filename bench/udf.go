package main

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// The two views of one UDF bridge disc, as the report names them.
const (
	udfView = "iszmount tree, UDF view (fs=udf)"
	isoView = "iszmount tree, ISO 9660 view (fs=iso9660)"
)

// udfFS are the tools of measurement 8: iszmount's UDF and ISO 9660 views
// of the same ISZ (same bytes, same chunks: only the reader differs) and
// squashfuse_ll on the tree's squashfs. Small mode leaves squashfuse_ll
// out: it took 40% of the measurement's time there, and measurement 2
// runs it on the same tree in the same run.
func (b *bencher) udfFS() []fsys {
	var out []fsys
	if !b.c.peersOnly {
		udf := b.iszmountFS(udfView, b.in.udf, "mode=tree,fs=udf")
		udf.shown = genisoimageUDFName
		out = append(out, udf, b.iszmountFS(isoView, b.in.udf, "mode=tree,fs=iso9660"))
	}
	if b.c.small && !b.c.peersOnly {
		return out
	}
	return append(out, b.squashfuseLL(peerLL, b.in.treeSqfs))
}

const peerLL = "squashfuse_ll"

// genisoimageUDFName is the path genisoimage gives a source path in its
// UDF tree: it writes the characters Windows forbids in names (of those
// the tree can hold) as "_". Its Rock Ridge names are the source's.
func genisoimageUDFName(rel string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:*?\;`, r) {
			return '_'
		}
		return r
	}, rel)
}

// jolietName is the path of a source path in the Joliet tree xorriso
// writes (what 7zz reads): the same characters as "_" as in
// genisoimage's UDF tree. A name over 64 UTF-16 units Joliet shortens,
// and jolietName returns "" for its path: the sample skips it.
func jolietName(rel string) string {
	for _, c := range strings.Split(rel, "/") {
		if len(utf16.Encode([]rune(c))) > 64 {
			return ""
		}
	}
	return genisoimageUDFName(rel)
}

// udfViewOps is measurement 8: find, ls -lR and reading every file through
// the UDF view, against the ISO 9660 view of the same image and against
// squashfuse_ll, cold and warm; and each server's memory per entry once a
// cold `ls -lR` has looked up the whole tree.
func (b *bencher) udfViewOps() error {
	ops := walkOps(b.in.tree.entries())
	tools := b.udfFS()
	cold, warm, mem, err := b.runTreeOps(ops, tools)
	if err != nil {
		return err
	}
	small, err := b.smallCacheRSS(opNamed(ops, "ls -lR"))
	if err != nil {
		return err
	}

	t := b.in.tree
	sec := b.r.section("8. UDF view",
		fmt.Sprintf("One UDF bridge disc of the tree (`genisoimage -udf -R -J -joliet-long`, ISO %s, its file data shared by both trees), as a zlib ISZ with 128 KiB chunks, mounted twice: `-o fs=udf` and `-o fs=iso9660` (Rock Ridge), so the bytes and chunks are the same and only the reader differs; squashfuse_ll on the tree's squashfs for scale (not in small mode). Cold and warm as in measurement 2. Each view was checked against the source (%d entries, the sha256 of %d files including the largest); genisoimage writes symlinks into its UDF tree as empty files and `:*?\\;` in names as `_`.",
			mib(b.in.udfSize), t.entries(), len(t.sample(100))))
	treeTables(sec, ops, tools, cold, warm)

	entries := float64(t.entries())
	perEntry := func(n int64) string { return fmt.Sprintf("%.0f B", float64(n)/entries) }
	walk := map[string]rssAround{}
	sec.table("Server, cold `ls -lR`", "RSS after mount", "Peak RSS (VmHWM)", "RSS after (VmRSS)", "Peak per entry", "Growth per entry")
	for _, f := range tools {
		m := medianRSS(mem[f.name]["ls -lR"])
		walk[f.name] = m
		sec.row(f.name, mib(m.start), mib(m.peak), mib(m.after), perEntry(m.peak), perEntry(m.peak-m.start))
	}
	for _, view := range []string{udfView, isoView} {
		if rs, ok := small[view]; ok {
			m := medianRSS(rs)
			walk[view+smallCache] = m
			sec.row(view+", "+smallCacheOpt, mib(m.start), mib(m.peak), mib(m.after), perEntry(m.peak), perEntry(m.peak-m.start))
		}
	}
	sec.note(fmt.Sprintf("Memory: the servers' resident set around the cold `ls -lR` runs above (a fresh mount, an empty page cache; `ls -lR` looks up all %d entries), the median of %d runs. \"Growth\" is the peak less the RSS right after mounting. iszmount's RSS includes its chunk cache: the decoded chunks the walk read, up to the cache budget (%s, %s). The last two rows hold the whole daemon to 16 MiB (`-o %s`: the chunk cache stays at its 16 MiB floor and the tree takes what it needs), the same cold `ls -lR` run after the others, so that the difference between the views is their trees; the second memory target compares their growth, which leaves out what a mount costs before any lookup.", t.entries(), b.c.reps, mib(b.c.cache), cacheSource(b.c), smallCacheOpt))
	if b.c.peersOnly {
		return nil
	}
	for _, phase := range []struct {
		name string
		res  timings
	}{{"cold", cold}, {"warm", warm}} {
		for _, op := range ops {
			udf := phase.res[udfView][op.name].median()
			b.r.target(fmt.Sprintf("UDF view, `%s` %s, vs ISO 9660 view", op.name, phase.name), speedup(udf, phase.res[isoView][op.name].median()), 0.9)
			if _, ok := phase.res[peerLL]; ok {
				b.r.target(fmt.Sprintf("UDF view, `%s` %s, vs squashfuse_ll", op.name, phase.name), speedup(udf, phase.res[peerLL][op.name].median()), 1.0)
			}
		}
	}
	b.r.limit("UDF view, peak RSS per entry after a cold `ls -lR`, vs the ISO 9660 view's (bytes)",
		float64(walk[udfView].peak)/entries, float64(walk[isoView].peak)/entries, "B")
	growth := func(m rssAround) float64 { return float64(m.peak-m.start) / entries }
	b.r.limit("UDF view, RSS growth per entry in a cold `ls -lR` (peak less RSS after mount), chunk cache held to 16 MiB (`-o "+smallCacheOpt+"`), vs the ISO 9660 view's (bytes)",
		growth(walk[udfView+smallCache]), growth(walk[isoView+smallCache]), "B")
	return nil
}

// smallCacheOpt is a budget under the tree's size, which holds iszmount's
// chunk cache at its 16 MiB floor: the server's memory is then mostly its
// tree.
const (
	smallCacheOpt = "cache=16M"
	smallCache    = " (" + smallCacheOpt + ")"
)

// smallCacheRSS runs op cold on both views with -o smallCacheOpt, b.c.reps
// times, interleaved, and returns the servers' memory around each run.
func (b *bencher) smallCacheRSS(op treeOp) (map[string][]rssAround, error) {
	out := map[string][]rssAround{}
	if b.c.peersOnly {
		return out, nil
	}
	views := map[string]fsys{
		udfView: b.iszmountExactly(udfView+smallCache, b.in.udf, "mode=tree,fs=udf,"+smallCacheOpt),
		isoView: b.iszmountExactly(isoView+smallCache, b.in.udf, "mode=tree,fs=iso9660,"+smallCacheOpt),
	}
	for rep := range b.c.reps {
		for _, view := range inTurn([]string{udfView, isoView}, rep) {
			f := views[view]
			d, r, err := b.coldRun(f, op)
			if err != nil {
				return nil, err
			}
			out[view] = append(out[view], r)
			logf("   cold %d/%d %-16s %-22s %s, peak RSS %s", rep+1, b.c.reps, op.name, f.name, fmtDur(d), mib(r.peak))
		}
	}
	return out, nil
}

func opNamed(ops []treeOp, name string) treeOp {
	i := slices.IndexFunc(ops, func(op treeOp) bool { return op.name == name })
	return ops[i]
}

// medianRSS is the median of each figure of rs (the upper one of an even
// count); zero for none.
func medianRSS(rs []rssAround) rssAround {
	med := func(field func(rssAround) int64) int64 {
		if len(rs) == 0 {
			return 0
		}
		v := make([]int64, len(rs))
		for i, r := range rs {
			v[i] = field(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return rssAround{
		start: med(func(r rssAround) int64 { return r.start }),
		peak:  med(func(r rssAround) int64 { return r.peak }),
		after: med(func(r rssAround) int64 { return r.after }),
	}
}
