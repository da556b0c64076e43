package main

import (
	"fmt"
	"slices"
	"strings"
)

// The two views of one UDF bridge disc, as the report names them.
const (
	udfView = "iszmount tree, UDF view (fs=udf)"
	isoView = "iszmount tree, ISO 9660 view (fs=iso9660)"
)

// udfFS are the tools of measurement 8: iszmount's UDF and ISO 9660 views
// of the same ISZ (same bytes, same chunks: only the reader differs) and
// squashfuse_ll on the tree's squashfs.
func (b *bencher) udfFS() []fsys {
	var out []fsys
	if !b.c.peersOnly {
		udf := b.iszmountFS(udfView, b.in.udf, "mode=tree,fs=udf")
		udf.shown = genisoimageUDFName
		out = append(out, udf, b.iszmountFS(isoView, b.in.udf, "mode=tree,fs=iso9660"))
	}
	return append(out, b.squashfuseLL("squashfuse_ll", b.in.treeSqfs))
}

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

// udfViewOps is measurement 8: find, ls -lR and reading every file through
// the UDF view, against the ISO 9660 view of the same image and against
// squashfuse_ll, cold and warm; and each server's memory per entry once a
// cold `ls -lR` has looked up the whole tree.
func (b *bencher) udfViewOps() error {
	ops := slices.DeleteFunc(b.treeOpsList(), func(op treeOp) bool { return op.name == "du -s" })
	tools := b.udfFS()
	cold, warm, mem, err := b.runTreeOps(ops, tools)
	if err != nil {
		return err
	}

	t := b.in.tree
	sec := b.r.section("8. UDF view",
		fmt.Sprintf("One UDF bridge disc of the tree (`genisoimage -udf -R -J -joliet-long`, ISO %s, its file data shared by both trees), as a zlib ISZ with 128 KiB chunks, mounted twice: `-o fs=udf` and `-o fs=iso9660` (Rock Ridge), so the bytes and chunks are the same and only the reader differs; squashfuse_ll on the tree's squashfs for scale. Cold and warm as in measurement 2. Each view was checked against the source (%d entries, the sha256 of %d files including the largest); genisoimage writes symlinks into its UDF tree as empty files and `:*?\\;` in names as `_`.",
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
	sec.note(fmt.Sprintf("Memory: the servers' resident set around the cold `ls -lR` runs above (a fresh mount, an empty page cache; `ls -lR` looks up all %d entries), the median of %d runs. \"Growth\" is the peak less the RSS right after mounting. iszmount's RSS includes its chunk cache (the decoded chunks the walk read), bounded by the cache budget.", t.entries(), b.c.reps))
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
			b.r.target(fmt.Sprintf("UDF view, `%s` %s, vs squashfuse_ll", op.name, phase.name), speedup(udf, phase.res["squashfuse_ll"][op.name].median()), 1.0)
		}
	}
	b.r.limit("UDF view, peak RSS per entry after a cold `ls -lR`, vs the ISO 9660 view's (bytes)",
		float64(walk[udfView].peak)/entries, float64(walk[isoView].peak)/entries, "B")
	return nil
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
