package iso9660view

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/iszmount/iszmount/internal/testutil"
)

// zisofs: xorriso compresses files with -set_filter_r --zisofs; reading
// them gives the original bytes and the uncompressed size.
func TestXorrisoZisofs(t *testing.T) {
	text := bytes.Repeat([]byte("zisofs compresses this line well. "), 40_000) // 1.3 MB: many 32 KiB blocks
	sparse := make([]byte, 200_000)                                            // all-zero blocks are stored as nothing
	copy(sparse[100_000:], "island")
	nodes := []node{
		{Path: "text.txt", Data: text},
		{Path: "sparse.bin", Data: sparse},
		{Path: "random.bin", Data: testutil.Pseudo(8, 50_000)}, // incompressible: xorriso may store it plainly
		{Path: "tiny.txt", Data: []byte("tiny")},
		{Path: "dir/more.txt", Data: bytes.Repeat([]byte("more "), 9000)},
	}
	img, src := fixture(t, nodes, "xorriso", "-outdev", "$OUT", "-map", "$SRC", "/", "-set_filter_r", "--zisofs", "/", "--", "-commit")
	im := openImage(t, img, nil)
	compareTree(t, im, src, compareOpts{posix: true})
	if !im.Info().ZisofsSeen {
		t.Error("ZisofsSeen is false after reading zisofs files")
	}
	e, err := im.Lookup("text.txt")
	if err != nil {
		t.Fatal(err)
	}
	if e.zisofs() == nil {
		t.Fatal("text.txt is not zisofs-compressed; the fixture does not test zisofs")
	}
	if e.dataSize() >= int64(len(text))/4 {
		t.Errorf("text.txt stores %d bytes for %d: not compressed", e.dataSize(), len(text))
	}
	r, _ := e.Open()
	if err := iotest.TestReader(io.NewSectionReader(r, 0, e.Size()), text); err != nil {
		t.Error(err)
	}
	if err := fstest.TestFS(im, "text.txt", "sparse.bin", "dir/more.txt"); err != nil {
		t.Error(err)
	}
}

// El Torito: a BIOS no-emulation entry and an EFI entry; the catalog
// entries point at the boot files' data.
func TestXorrisoElTorito(t *testing.T) {
	nodes := []node{
		{Path: "boot/bios.img", Data: testutil.Pseudo(9, 2048)},
		{Path: "boot/efi.img", Data: testutil.Pseudo(10, 100_000)},
		{Path: "readme", Data: []byte("bootable")},
	}
	img, src := fixture(t, nodes, "xorriso", "-as", "mkisofs", "-R", "-J",
		"-b", "boot/bios.img", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
		"-eltorito-alt-boot", "-e", "boot/efi.img", "-no-emul-boot", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	boot, err := im.BootCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(boot) != 2 {
		t.Fatalf("boot catalog has %d entries (%+v), want 2", len(boot), boot)
	}
	if b := boot[0]; b.Platform != PlatformX86 || !b.Bootable || b.Media != MediaNoEmulation || b.SectorCount != 4 {
		t.Errorf("BIOS entry = %+v", b)
	}
	if b := boot[1]; b.Platform != PlatformEFI || !b.Bootable || b.Media != MediaNoEmulation {
		t.Errorf("EFI entry = %+v", b)
	}
	for i, name := range []string{"boot/bios.img", "boot/efi.img"} {
		e, err := im.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(e.ext[0].start / sectorSize); boot[i].Block != want {
			t.Errorf("entry %d points at block %d, %s is at %d", i, boot[i].Block, name, want)
		}
		br, err := im.BootImage(boot[i])
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(br)
		file, _ := fs.ReadFile(im, name)
		n := min(len(got), len(file))
		if n == 0 || !bytes.Equal(got[:n], file[:n]) {
			t.Errorf("boot image %d does not match %s", i, name)
		}
	}
	if got := im.Info().Boot; len(got) != 2 {
		t.Errorf("Info().Boot has %d entries", len(got))
	}
	// xorriso adds the catalog as a file; everything else is the source.
	if _, err := im.Lookup("boot.catalog"); err != nil {
		t.Error(err)
	}
	// -boot-info-table patched bios.img inside the image: compare the rest.
	want, _ := os.ReadFile(filepath.Join(src, "readme"))
	if got, err := fs.ReadFile(im, "readme"); err != nil || !bytes.Equal(got, want) {
		t.Errorf("readme = %q, %v", got, err)
	}
}

// A directory of 50,000 files, mostly empty (empty files must still be
// distinct inodes), read once.
func TestBigDirectory(t *testing.T) {
	img, src := bigDirFixture(t)
	im := openImage(t, img, nil)
	kids, err := im.Root().Lookup("big")
	if err != nil {
		t.Fatal(err)
	}
	list, err := kids.ReadDir()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != bigDirFiles {
		t.Fatalf("%d entries, want %d", len(list), bigDirFiles)
	}
	inodes := make(map[uint64]string, len(list))
	for i, e := range list {
		if want := bigDirName(i); e.Name() != want {
			t.Fatalf("entry %d is %q, want %q", i, e.Name(), want)
		}
		if prev, dup := inodes[e.Inode()]; dup {
			t.Fatalf("%s and %s share inode %d", prev, e.Name(), e.Inode())
		}
		inodes[e.Inode()] = e.Name()
	}
	compareTree(t, im, src, compareOpts{posix: true, hardlinks: true})
}

const bigDirFiles = 50_000

// bigDirName names file i; the names differ in their first eight
// characters so that mkisofs finds unique 8.3 names without its quadratic
// search.
func bigDirName(i int) string { return fmt.Sprintf("f%05d-with-a-longer-name.txt", i) }

// bigDirFixture makes (once per test binary) an image with a directory of
// 50,000 files; every 1000th has contents. genisoimage makes it in about a
// second; xorriso needs a minute (it inserts names into sorted lists).
func bigDirFixture(t testing.TB) (img, src string) {
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iso9660view-big")
		if err != nil {
			bigErr = err
			return
		}
		bigDir = dir
		src := filepath.Join(dir, "src")
		if err := os.MkdirAll(filepath.Join(src, "big"), 0o755); err != nil {
			bigErr = err
			return
		}
		for i := 0; i < bigDirFiles; i++ {
			var data []byte
			if i%1000 == 0 {
				data = []byte(bigDirName(i))
			}
			if err := os.WriteFile(filepath.Join(src, "big", bigDirName(i)), data, 0o644); err != nil {
				bigErr = err
				return
			}
		}
		out, err := exec.Command("genisoimage", "-quiet", "-R", "-J", "-joliet-long", "-o", filepath.Join(dir, "big.iso"), src).CombinedOutput()
		if err != nil {
			bigErr = fmt.Errorf("genisoimage: %v\n%s", err, out)
		}
	})
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	return filepath.Join(bigDir, "big.iso"), filepath.Join(bigDir, "src")
}

// Listings agree with bsdtar (libarchive), an independent reader, which
// also undoes Rock Ridge relocation.
func TestAgainstBsdtar(t *testing.T) {
	nodes := slices.DeleteFunc(richTree(), func(n node) bool { return n.Mode&fs.ModeNamedPipe != 0 || n.Path == "links/long" })
	nodes = append(nodes, node{Path: "r1/r2/r3/r4/r5/r6/r7/r8/r9/r10/leaf", Data: []byte("leaf")})
	img, _ := fixture(t, nodes, "genisoimage", "-quiet", "-R", "-J", "-o", "$OUT", "$SRC")
	out, err := exec.Command("bsdtar", "-tf", img).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSuffix(l, "/"); l != "." && l != "" {
			want = append(want, l)
		}
	}
	var got []string
	im := openImage(t, img, nil)
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Error(err)
		} else if p != "." {
			got = append(got, p)
		}
		return nil
	})
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("listing differs from bsdtar's:\nours:   %q\nbsdtar: %q", got, want)
	}
}

// TestNlinkRecorded: with Rock Ridge, a file's link count is its PX
// entry's, so asking for it lists no other directory; the Joliet tree of
// the same disc records none, and its counts come from reading every
// directory once. Both count the two names of a hard link.
func TestNlinkRecorded(t *testing.T) {
	nodes := []node{
		{Path: "a/f", Data: []byte("linked")},
		{Path: "b/g", LinkTo: "a/f"},
		{Path: "c/h", Data: []byte("alone")},
	}
	img, _ := fixture(t, nodes, "xorriso", "-as", "mkisofs", "-R", "-J", "-o", "$OUT", "$SRC")
	for _, tc := range []struct {
		opts  Options
		walks bool
	}{{Options{}, false}, {Options{NoRock: true}, true}} {
		im := openImage(t, img, &tc.opts)
		f, err := im.Lookup("a/f")
		if err != nil {
			t.Fatal(err)
		}
		before := im.listings.Used() // the root and a
		if n := f.Nlink(); n != 2 {
			t.Errorf("%s: a/f has %d links, want 2", im.Info().Names, n)
		}
		if walked := im.listings.Used() > before; walked != tc.walks {
			t.Errorf("%s: Nlink read the other directories: %v, want %v", im.Info().Names, walked, tc.walks)
		}
		if h, _ := im.Lookup("c/h"); h.Nlink() != 1 {
			t.Errorf("%s: c/h has %d links, want 1", im.Info().Names, h.Nlink())
		}
	}
}
