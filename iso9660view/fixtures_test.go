package iso9660view

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
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
		{path: "data/big.bin", data: pseudo(2, 300_000)},
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

// fixture builds a source tree and an image of it with tool and args
// (the source directory is appended to args).
func fixture(t *testing.T, nodes []node, tool string, args ...string) (img, src string) {
	t.Helper()
	dir := t.TempDir()
	src = filepath.Join(dir, "src")
	writeTree(t, src, nodes)
	return mkimage(t, dir, tool, append(args, src)...), src
}

func TestXorrisoRockRidgeJoliet(t *testing.T) {
	img, src := fixture(t, richTree(), "xorriso", "-as", "mkisofs", "-R", "-J", "-joliet-long")
	im := openImage(t, img, nil)
	info := im.Info()
	if !info.RockRidge || !info.Joliet || info.Names != "rockridge" {
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
	img, src := fixture(t, nodes, "xorriso", "-as", "mkisofs", "-R", "-J")
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
