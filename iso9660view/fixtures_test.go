package iso9660view

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/iszmount/iszmount/internal/testutil"
)

// richTree is a source tree exercising what Rock Ridge can record.
func richTree() []node {
	long100 := strings.Repeat("n", 100)
	long240 := "long-" + strings.Repeat("é", 110) + ".txt" // 229 bytes of UTF-8
	// A long symlink target that still resolves: many "./" components force
	// SL entries into continuation areas (libisofs allows 1024 bytes).
	longTarget := "../" + strings.Repeat("./", 490) + "data/big.bin"
	return []node{
		{Path: "data", Mode: fs.ModeDir},
		{Path: "data/empty1"},
		{Path: "data/empty2"},
		{Path: "data/small.txt", Data: []byte("hello, world\n")},
		{Path: "data/sector.bin", Data: testutil.Pseudo(1, 2048)},
		{Path: "data/big.bin", Data: testutil.Pseudo(2, 70_000)},
		{Path: "data/hardlink.bin", LinkTo: "data/big.bin"},
		{Path: "other/hard2.bin", LinkTo: "data/big.bin"},
		{Path: "data/mode-4755", Data: []byte("suid"), Perm: 0o4755},
		{Path: "data/mode-0600", Data: []byte("private"), Perm: 0o600},
		{Path: "sticky", Mode: fs.ModeDir, Perm: 0o1777},
		{Path: "names/" + long100, Data: []byte("100")},
		{Path: "names/" + long240, Data: []byte("240")},
		{Path: "names/Ünïcödé ✓ 日本語", Data: []byte("utf8")},
		{Path: "names/with space and ;semicolon", Data: []byte("x")},
		{Path: "names/trailing.", Data: []byte("dot")},
		{Path: "names/UPPER.TXT", Data: []byte("u")},
		{Path: "names/upper.txt", Data: []byte("l")},
		{Path: "links/rel", Mode: fs.ModeSymlink, Target: "../data/small.txt"},
		{Path: "links/abs", Mode: fs.ModeSymlink, Target: "/data/small.txt"},
		{Path: "links/dir", Mode: fs.ModeSymlink, Target: "../data"},
		{Path: "links/long", Mode: fs.ModeSymlink, Target: longTarget},
		{Path: "links/chain", Mode: fs.ModeSymlink, Target: "rel"},
		{Path: "dev/fifo", Mode: fs.ModeNamedPipe},
		{Path: "dev/null", Mode: fs.ModeDevice | fs.ModeCharDevice, RdevMaj: 1, RdevMin: 3},
		{Path: "dev/blk", Mode: fs.ModeDevice, RdevMaj: 8, RdevMin: 300},
		{Path: "a/b/c/d/e/f/g/h/i/j/k/deep.txt", Data: []byte("deep")},
	}
}

// fixture builds a source tree and an image of it with tool and args (see
// mkimage).
func fixture(t *testing.T, nodes []node, tool string, args ...string) (img, src string) {
	t.Helper()
	dir := t.TempDir()
	src = filepath.Join(dir, "src")
	testutil.WriteTree(t, src, nodes)
	return mkimage(t, dir, src, tool, args...), src
}

func TestXorrisoRockRidgeJoliet(t *testing.T) {
	img, src := fixture(t, richTree(), "xorriso", "-as", "mkisofs", "-R", "-J", "-joliet-long", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	info := im.Info()
	if !info.RockRidge || !info.Joliet || info.JolietLevel != 3 || info.Names != "rockridge" || info.RockRidgeVersion != "1.09" {
		t.Errorf("Info = %+v, want Rock Ridge and Joliet, Rock Ridge names", info)
	}
	compareTree(t, im, src, compareOpts{posix: true, hardlinks: true})
	if err := fstest.TestFS(im, "data/small.txt", "links/long", "names/"+strings.Repeat("n", 100)); err != nil {
		t.Error(err)
	}
}

// The Joliet tree of the same image has the same files without the POSIX
// extras: no symlinks, devices or fifos (xorriso leaves them out), default
// modes.
func TestXorrisoJolietView(t *testing.T) {
	nodes := []node{
		{Path: "data/small.txt", Data: []byte("hello\n")},
		{Path: "data/big.bin", Data: testutil.Pseudo(3, 70_000)},
		{Path: "Mixed Case/Ünïcödé name.txt", Data: []byte("j")},
		{Path: "link", Mode: fs.ModeSymlink, Target: "data/small.txt"},
	}
	img, src := fixture(t, nodes, "xorriso", "-as", "mkisofs", "-R", "-J", "-o", "$OUT", "$SRC")
	im := openImage(t, img, &Options{NoRock: true})
	if got := im.Info().Names; got != "joliet" {
		t.Fatalf("Names = %q, want joliet", got)
	}
	if _, err := im.Lookup("link"); err == nil {
		t.Error("the Joliet tree shows the symlink")
	}
	for _, p := range []string{"data/small.txt", "data/big.bin", "Mixed Case/Ünïcödé name.txt"} {
		e, err := im.Lookup(p)
		if err != nil {
			t.Fatal(err)
		}
		if e.Mode() != 0o444 || e.HasOwner() {
			t.Errorf("%s: mode %v owner %v, want 0444 and no owner", p, e.Mode(), e.HasOwner())
		}
		got, err := fs.ReadFile(im, p)
		if err != nil {
			t.Fatal(err)
		}
		if want := readSrc(t, src, p); !bytes.Equal(got, want) {
			t.Errorf("%s: contents differ", p)
		}
	}
	if err := fstest.TestFS(im, "data/small.txt"); err != nil {
		t.Error(err)
	}
}

// genisoimage with Rock Ridge only, and directories deep enough that the
// ISO 9660 tree needs relocation (mkisofs moves directories below level 8
// into rr_moved and leaves CL/PL/RE pointers): the tree must come back in
// its original shape.
func TestGenisoimageRockRidgeRelocation(t *testing.T) {
	// genisoimage opens fifos as files and blocks on them, and spins forever
	// on symlink targets over about 255 bytes: leave the fifo out and give
	// it a shorter long target (still more than a record holds).
	nodes := slices.DeleteFunc(richTree(), func(n node) bool { return n.Mode&fs.ModeNamedPipe != 0 })
	for i := range nodes {
		if nodes[i].Path == "links/long" {
			nodes[i].Target = "../" + strings.Repeat("./", 120) + "data/big.bin"
		}
	}
	nodes = append(nodes,
		node{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/r11/r12/leaf.txt", Data: []byte("leaf")},
		node{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/other/x.bin", Data: testutil.Pseudo(4, 5000)},
		node{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/r11/r12/r13/r14/r15/r16/r17/r18/r19/r20/end", Data: []byte("end")},
	)
	img, src := fixture(t, nodes, "genisoimage", "-quiet", "-R", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	if info := im.Info(); !info.RockRidge || info.Joliet {
		t.Errorf("Info = %+v, want Rock Ridge only", info)
	}
	compareTree(t, im, src, compareOpts{posix: true, hardlinks: true})
	if err := fstest.TestFS(im, "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/r11/r12/leaf.txt"); err != nil {
		t.Error(err)
	}
	// Without Rock Ridge the relocated directories are where mkisofs put
	// them.
	plain := openImage(t, img, &Options{NoRock: true})
	if _, err := plain.Lookup("RR_MOVED"); err != nil {
		t.Errorf("ISO 9660 view: %v", err)
	}
}

// genisoimage with Joliet only: Joliet names, default modes.
func TestGenisoimageJolietOnly(t *testing.T) {
	nodes := []node{
		{Path: "Documents/Read Me.txt", Data: []byte("joliet")},
		{Path: "Documents/Ünïcödé ✓.txt", Data: []byte("unicode")},
		{Path: "Documents/a-name-of-exactly-sixty-four-characters-for-joliet-abcd.txt", Data: []byte("64")},
		{Path: "big/blob.bin", Data: testutil.Pseudo(5, 100_000+17)},
		{Path: "big/empty"},
	}
	img, src := fixture(t, nodes, "genisoimage", "-quiet", "-J", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	if info := im.Info(); info.RockRidge || !info.Joliet || info.Names != "joliet" {
		t.Errorf("Info = %+v, want Joliet names", info)
	}
	compareTree(t, im, src, compareOpts{})
	if err := fstest.TestFS(im, "big/blob.bin"); err != nil {
		t.Error(err)
	}
}

// genisoimage without extensions, ISO level 1: upper-case 8.3 names, with
// the ";1" version and an empty extension's dot removed.
func TestGenisoimagePlainLevel1(t *testing.T) {
	nodes := []node{
		{Path: "readme.txt", Data: []byte("plain")},
		{Path: "makefile", Data: []byte("all:\n")},
		{Path: "docs/guide.doc", Data: testutil.Pseudo(6, 10_000)},
		{Path: "docs/sub/deep/data.bin", Data: testutil.Pseudo(7, 4097)},
	}
	img, src := fixture(t, nodes, "genisoimage", "-quiet", "-iso-level", "1", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	if info := im.Info(); info.RockRidge || info.Joliet || info.Names != "iso9660" {
		t.Errorf("Info = %+v, want plain ISO 9660 names", info)
	}
	compareTree(t, im, src, compareOpts{mapPath: strings.ToUpper})
	if err := fstest.TestFS(im, "README.TXT", "MAKEFILE", "DOCS/SUB/DEEP/DATA.BIN"); err != nil {
		t.Error(err)
	}
}

// xorriso writing RRIP 1.12 (PX with serial numbers, ER "IEEE_1282").
func TestXorrisoRRIP112(t *testing.T) {
	img, src := fixture(t, richTree(), "xorriso", "-compliance", "new_rr", "-as", "mkisofs", "-R", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	if v := im.Info().RockRidgeVersion; v != "1.12" {
		t.Errorf("RockRidgeVersion = %q, want 1.12", v)
	}
	compareTree(t, im, src, compareOpts{posix: true, hardlinks: true})
	if err := fstest.TestFS(im, "data/small.txt"); err != nil {
		t.Error(err)
	}
}

// genisoimage -iso-level 4 writes an ISO 9660:1999 enhanced tree with long
// plain names, used when there is neither Rock Ridge nor Joliet; files
// with the hidden (existence) flag are listed like the others.
func TestGenisoimageEnhancedHidden(t *testing.T) {
	nodes := []node{
		{Path: "a rather long name, with commas.txt", Data: []byte("enhanced")},
		{Path: "sub/hidden.txt", Data: []byte("hidden")},
	}
	img, src := fixture(t, nodes, "genisoimage", "-quiet", "-iso-level", "4", "-hidden", "sub/hidden.txt", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	if info := im.Info(); !info.Enhanced || info.Names != "iso9660:1999" {
		t.Errorf("Info = %+v, want the ISO 9660:1999 tree", info)
	}
	compareTree(t, im, src, compareOpts{})
	if err := fstest.TestFS(im, "sub/hidden.txt"); err != nil {
		t.Error(err)
	}
}

// TestTinyDirCache reads the rich tree through a listing cache that keeps
// a single listing, so that every directory is parsed again and again
// (and every hard-link count is made over re-parsed directories): the tree
// still matches its source and passes fstest.TestFS.
func TestTinyDirCache(t *testing.T) {
	img, src := fixture(t, richTree(), "xorriso", "-as", "mkisofs", "-R", "-J", "-joliet-long", "-o", "$OUT", "$SRC")
	im := openImage(t, img, &Options{DirCache: 1})
	compareTree(t, im, src, compareOpts{posix: true, hardlinks: true})
	one, all := testutil.DumpTree(im.Root(), 1<<20, nil), testutil.DumpTree(openImage(t, img, nil).Root(), 1<<20, nil)
	if one != all || strings.Contains(all, "MISMATCH") {
		t.Errorf("a one-listing cache shows\n%s\nfor\n%s", one, all)
	}
	if err := fstest.TestFS(im, "data/small.txt", "links/long", "names/"+strings.Repeat("n", 100)); err != nil {
		t.Error(err)
	}
	kept, err := im.Root().children()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := im.listings.Used(), int64(len(kept))*entryBytes; got < want || got > 2*want {
		t.Errorf("the cache holds %d bytes; want the root's listing alone, %d bytes and its names", got, want)
	}
}
