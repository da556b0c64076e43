package iso9660view

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// pseudo returns n bytes of deterministic, poorly compressible data.
func pseudo(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// richTree is a source tree exercising what Rock Ridge can record.
func richTree() []node {
	long100 := strings.Repeat("n", 100)
	long240 := "long-" + strings.Repeat("é", 110) + ".txt" // 229 bytes of UTF-8
	// A long symlink target that still resolves: many "./" components force
	// SL entries into continuation areas (libisofs allows 1024 bytes).
	longTarget := "../" + strings.Repeat("./", 490) + "data/big.bin"
	return []node{
		{path: "data", mode: fs.ModeDir},
		{path: "data/empty1"},
		{path: "data/empty2"},
		{path: "data/small.txt", data: []byte("hello, world\n")},
		{path: "data/sector.bin", data: pseudo(1, 2048)},
		{path: "data/big.bin", data: pseudo(2, 70_000)},
		{path: "data/hardlink.bin", linkTo: "data/big.bin"},
		{path: "other/hard2.bin", linkTo: "data/big.bin"},
		{path: "data/mode-4755", data: []byte("suid"), perm: 0o4755},
		{path: "data/mode-0600", data: []byte("private"), perm: 0o600},
		{path: "sticky", mode: fs.ModeDir, perm: 0o1777},
		{path: "names/" + long100, data: []byte("100")},
		{path: "names/" + long240, data: []byte("240")},
		{path: "names/Ünïcödé ✓ 日本語", data: []byte("utf8")},
		{path: "names/with space and ;semicolon", data: []byte("x")},
		{path: "names/trailing.", data: []byte("dot")},
		{path: "names/UPPER.TXT", data: []byte("u")},
		{path: "names/upper.txt", data: []byte("l")},
		{path: "links/rel", mode: fs.ModeSymlink, target: "../data/small.txt"},
		{path: "links/abs", mode: fs.ModeSymlink, target: "/data/small.txt"},
		{path: "links/dir", mode: fs.ModeSymlink, target: "../data"},
		{path: "links/long", mode: fs.ModeSymlink, target: longTarget},
		{path: "links/chain", mode: fs.ModeSymlink, target: "rel"},
		{path: "dev/fifo", mode: fs.ModeNamedPipe},
		{path: "dev/null", mode: fs.ModeDevice | fs.ModeCharDevice, rdevMaj: 1, rdevMin: 3},
		{path: "dev/blk", mode: fs.ModeDevice, rdevMaj: 8, rdevMin: 300},
		{path: "a/b/c/d/e/f/g/h/i/j/k/deep.txt", data: []byte("deep")},
	}
}

// fixture builds a source tree and an image of it with tool and args (see
// mkimage).
func fixture(t *testing.T, nodes []node, tool string, args ...string) (img, src string) {
	t.Helper()
	dir := t.TempDir()
	src = filepath.Join(dir, "src")
	writeTree(t, src, nodes)
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
		{path: "data/small.txt", data: []byte("hello\n")},
		{path: "data/big.bin", data: pseudo(3, 70_000)},
		{path: "Mixed Case/Ünïcödé name.txt", data: []byte("j")},
		{path: "link", mode: fs.ModeSymlink, target: "data/small.txt"},
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
	nodes := slices.DeleteFunc(richTree(), func(n node) bool { return n.mode&fs.ModeNamedPipe != 0 })
	for i := range nodes {
		if nodes[i].path == "links/long" {
			nodes[i].target = "../" + strings.Repeat("./", 120) + "data/big.bin"
		}
	}
	nodes = append(nodes,
		node{path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/r11/r12/leaf.txt", data: []byte("leaf")},
		node{path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/other/x.bin", data: pseudo(4, 5000)},
		node{path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/r11/r12/r13/r14/r15/r16/r17/r18/r19/r20/end", data: []byte("end")},
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
		{path: "Documents/Read Me.txt", data: []byte("joliet")},
		{path: "Documents/Ünïcödé ✓.txt", data: []byte("unicode")},
		{path: "Documents/a-name-of-exactly-sixty-four-characters-for-joliet-abcd.txt", data: []byte("64")},
		{path: "big/blob.bin", data: pseudo(5, 100_000+17)},
		{path: "big/empty"},
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
		{path: "readme.txt", data: []byte("plain")},
		{path: "makefile", data: []byte("all:\n")},
		{path: "docs/guide.doc", data: pseudo(6, 10_000)},
		{path: "docs/sub/deep/data.bin", data: pseudo(7, 4097)},
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
		{path: "a rather long name, with commas.txt", data: []byte("enhanced")},
		{path: "sub/hidden.txt", data: []byte("hidden")},
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
