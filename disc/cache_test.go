package disc

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// manyDirsSource writes a tree of 40 directories, some nested 12 deep (so
// genisoimage relocates them, Rock Ridge CL and rr_moved), holding files,
// hard links and symlinks.
func manyDirsSource(t *testing.T) string {
	t.Helper()
	var nodes []testutil.SrcNode
	for d := range 30 {
		for f := range 12 {
			nodes = append(nodes, testutil.SrcNode{Path: fmt.Sprintf("d%02d/f%02d.txt", d, f), Data: fmt.Appendf(nil, "file %d of %d\n", f, d)})
		}
	}
	nodes = append(nodes,
		testutil.SrcNode{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/leaf.txt", Data: []byte("leaf\n")},
		testutil.SrcNode{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/other/leaf.txt", Data: []byte("other leaf\n")})
	for i, link := range []string{"d00/hard", "d05/hard", "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/hard"} {
		nodes = append(nodes,
			testutil.SrcNode{Path: link, LinkTo: "d01/f01.txt"},
			testutil.SrcNode{Path: link + ".sym", Mode: fs.ModeSymlink, Target: strings.Repeat("../", i+1) + "d02"})
	}
	src := t.TempDir()
	testutil.WriteTree(t, src, nodes)
	return src
}

// contents hashes a regular file's contents.
func contents(t *testing.T, e Entry) string {
	if !e.Mode().IsRegular() {
		return "-"
	}
	r, err := e.Open()
	if err != nil {
		return err.Error()
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, e.Size())); err != nil {
		t.Errorf("%s: %v", e.Path(), err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// resolve finds an entry again from the root by its indexes, as a mount
// that keeps only (parent, index) does.
func resolve(root Entry, idx []int) (Entry, error) {
	e := root
	for _, i := range idx {
		var err error
		if e, err = e.Child(i); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// TestDirCacheBoundChangesNothing walks the trees of real writers' images
// with a cache that keeps one listing at a time and with one that keeps
// them all: every entry, its index, inode, link count and contents are the
// same, and every entry is found again by its indexes from the root.
func TestDirCacheBoundChangesNothing(t *testing.T) {
	src := manyDirsSource(t)
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen.iso")
	xor := filepath.Join(dir, "xor.iso")
	build(t, gen, "genisoimage", "-quiet", "-udf", "-R", "-o", gen, src)
	build(t, xor, "xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", xor, src)
	for _, tc := range []struct {
		img  string
		opts Options
	}{
		{gen, Options{FS: ISO9660}},               // Rock Ridge, relocated directories
		{gen, Options{FS: ISO9660, NoRock: true}}, // plain ISO 9660 names, hard links by shared data
		{gen, Options{FS: UDF}},                   // UDF
		{xor, Options{FS: ISO9660}},               // xorriso's Rock Ridge
		{xor, Options{FS: ISO9660, NoRock: true}}, // Joliet
	} {
		name := fmt.Sprintf("%s/%s/norock=%v", filepath.Base(tc.img), tc.opts.FS, tc.opts.NoRock)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			big, tiny := tc.opts, tc.opts
			big.DirCache, tiny.DirCache = 1<<30, 1
			dump := func(tr *Tree) []string {
				d := testutil.DumpTree(tr.Root(), 1<<20, func(e Entry) string { return "data=" + contents(t, e) })
				if strings.Contains(d, "MISMATCH") {
					t.Errorf("the tree disagrees with its listings:\n%s", d)
				}
				return strings.Split(strings.TrimSuffix(d, "\n"), "\n")
			}
			want := dump(openTree(t, f, &big))
			tr := openTree(t, f, &tiny)
			got := dump(tr)
			if len(want) < 400 {
				t.Fatalf("only %d entries", len(want))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("a one-listing cache changes the tree:\n%s", diffLines(want, got))
			}
			// Every entry again, by its indexes, in a fresh tree.
			tr = openTree(t, f, &tiny)
			for _, line := range want {
				var idx []int
				list, _, _ := strings.Cut(strings.Trim(line, "["), "]")
				for _, s := range strings.Fields(list) {
					var i int
					fmt.Sscan(s, &i)
					idx = append(idx, i)
				}
				e, err := resolve(tr.Root(), idx)
				if err != nil || !strings.Contains(line, fmt.Sprintf("] /%s %v %d ino=%d ", e.Path(), e.Mode(), e.Size(), e.Inode())) {
					t.Errorf("%v resolves to %v, %v; want %s", idx, e, err, line)
				}
			}
		})
	}
}

// diffLines shows the first lines where two dumps differ.
func diffLines(want, got []string) string {
	var b strings.Builder
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			fmt.Fprintf(&b, "want %s\n got %s\n", w, g)
			if b.Len() > 2000 {
				break
			}
		}
	}
	return b.String()
}
