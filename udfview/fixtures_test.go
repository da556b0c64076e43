package udfview

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/iszmount/iszmount/internal/testutil"
)

// testFS runs fstest.TestFS over every file of the image.
func testFS(t *testing.T, im *Image) {
	t.Helper()
	var all []string
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != "." {
			all = append(all, p)
		}
		return err
	})
	if err := fstest.TestFS(im, all...); err != nil {
		t.Error(err)
	}
}

var (
	revisions = []string{"1.02", "1.50", "2.00", "2.01", "2.50", "2.60"}
	mediaMaps = map[string]string{ // media type -> partition maps mkudffs makes
		"hd":    "[physical]",
		"dvdrw": "[sparable]",
		"dvdr":  "[physical virtual]",
		"cdr":   "[physical virtual]",
		"bdr":   "[physical virtual]",
	}
)

// TestMkudffs opens a freshly formatted volume of every media type,
// revision and block size mkudffs accepts (it refuses some combinations,
// e.g. revisions above 2.01 on rewritable media) and checks what Open reads
// from the descriptors against what was asked for.
func TestMkudffs(t *testing.T) {
	dir := t.TempDir()
	made := 0
	for media, maps := range mediaMaps {
		for _, rev := range revisions {
			for _, bs := range []int{512, 1024, 2048, 4096} {
				img := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.udf", media, rev, bs))
				cmd := exec.Command("mkudffs", "--media-type="+media, "--udfrev="+rev, fmt.Sprint("--blocksize=", bs), "--label=UDFTEST", img, fmt.Sprint(8<<20/bs))
				if out, err := cmd.CombinedOutput(); err != nil {
					if !bytes.Contains(out, []byte("not currently supported")) && !bytes.Contains(out, []byte("not supported")) && !bytes.Contains(out, []byte("Error")) {
						t.Errorf("mkudffs %s: %v\n%s", img, err, out)
					}
					continue
				}
				made++
				t.Run(filepath.Base(img), func(t *testing.T) {
					im := openImage(t, img)
					info := im.Info()
					wantRev := strings.Replace(rev, ".", ".", 1)
					if info.BlockSize != bs || info.RevisionString() != wantRev || fmt.Sprint(info.PartitionMaps) != maps || info.Label() != "UDFTEST" {
						t.Errorf("info %+v, want block size %d, revision %s, maps %s", info, bs, wantRev, maps)
					}
					if info.NSR != map[bool]string{true: "NSR02", false: "NSR03"}[rev < "2.00"] {
						t.Errorf("NSR %q for revision %s", info.NSR, rev)
					}
					if info.VAT != strings.Contains(maps, "virtual") {
						t.Errorf("VAT %v with maps %s", info.VAT, maps)
					}
					kids, err := im.Root().ReadDir()
					if err != nil || len(kids) != 0 {
						t.Errorf("root of a new volume: %v %v", kids, err)
					}
					if !im.Root().IsDir() || im.Root().Nlink() != 2 {
						t.Errorf("root %v nlink %d", im.Root().Mode(), im.Root().Nlink())
					}
					testFS(t, im)
					compareSevenZip(t, im, img)
				})
			}
		}
	}
	if made < 40 {
		t.Errorf("mkudffs made only %d volumes", made)
	}
}

// udfclientFixture is a volume formatted by mkudffs and filled with
// baseTree by udfclient. udfclient writes names as 8-bit CS0 byte for byte
// (UTF-8 comes out as Latin-1 mojibake, in 7-Zip too), fails on symlinks
// and compares names without case (it refuses UPPER.TXT beside upper.txt,
// saying "No space left"), so its tree is ASCII, without symlinks and
// without the pair.
func udfclientFixture(t testing.TB, media, rev string, bs int) (img, src string) {
	name := fmt.Sprintf("udfclient-%s-%s-%d", media, rev, bs)
	img = fixture(t, name, func(dir string) string {
		src := filepath.Join(dir, "src")
		ascii := slices.DeleteFunc(baseTree(), func(n node) bool { return !isASCII(n.Path) || n.Path == "names/UPPER.TXT" })
		testutil.WriteTree(t, src, ascii)
		img := filepath.Join(dir, "image.udf")
		mkudffs(t, img, media, rev, bs, 81920) // udfclient finds smaller volumes full
		udfclientPut(t, img, bs, src)
		return img
	})
	return img, filepath.Join(filepath.Dir(img), "src")
}

// TestUdfclient compares volumes filled by udfclient, plain (hd) and
// sparable (dvdrw), at several block sizes and revisions, with their source
// tree and with 7-Zip.
func TestUdfclient(t *testing.T) {
	// udfclient takes 3 s a run (it waits for its cache to settle), so
	// the matrix is sparse: every block size once, every revision mkudffs
	// allows for a DVD-RW once.
	for _, c := range []struct {
		media, rev string
		bs         int
	}{
		{"hd", "2.01", 512}, {"hd", "2.01", 1024}, {"hd", "2.01", 2048}, {"hd", "2.01", 4096},
		{"hd", "1.02", 2048}, {"hd", "1.50", 4096}, {"hd", "2.00", 512},
		{"dvdrw", "1.50", 2048}, {"dvdrw", "2.01", 2048},
	} {
		{
			{
				media, rev, bs := c.media, c.rev, c.bs
				t.Run(fmt.Sprintf("%s-%s-%d", media, rev, bs), func(t *testing.T) {
					t.Parallel() // udfclient mostly sleeps
					img, src := udfclientFixture(t, media, rev, bs)
					im := openImage(t, img)
					compareTree(t, im, src, profile{perms: true})
					compareSevenZip(t, im, img)
					testFS(t, im)
					info := im.Info()
					if !info.HasCounts || info.Files < 5 || info.Dirs < 5 {
						t.Errorf("integrity counts %+v", info)
					}
				})
			}
		}
	}
}

// pycdlibFixture makes a UDF 2.60 image with testdata/mkpycdlib.py.
func pycdlibFixture(t testing.TB, mode string, big int64) (img, src string) {
	img = fixture(t, "pycdlib-"+mode, func(dir string) string {
		src := filepath.Join(dir, "src")
		testutil.WriteTree(t, src, linkTree())
		img := filepath.Join(dir, "image.iso")
		args := []string{"testdata/mkpycdlib.py", mode, src, img}
		if big > 0 {
			args = append(args, fmt.Sprint(big))
		}
		testutil.Run(t, "", "/usr/bin/python3", args...)
		return img
	})
	return img, filepath.Join(filepath.Dir(img), "src")
}

// TestPycdlibBridge reads pycdlib's UDF 2.60 side of a bridge disc:
// symlinks and hard links (one ICB named twice, with a link count of 1 in
// its file entry: the count comes from the tree).
func TestPycdlibBridge(t *testing.T) {
	img, src := pycdlibFixture(t, "bridge", 0)
	im := openImage(t, img)
	compareTree(t, im, src, profile{symlinks: true, hardlinks: true})
	testFS(t, im)
	// pycdlib records the day of the month as the month (its UDFTimestamp
	// sets day = tm_mon): seeing that proves the raw fields are decoded.
	e, _ := im.Lookup("data/small.txt")
	if mt := e.ModTime(); mt.IsZero() || mt.Day() != int(mt.Month()) && mt.Add(14*60*60e9).Day() != int(mt.Month()) && mt.Add(-14*60*60e9).Day() != int(mt.Month()) {
		t.Errorf("pycdlib mtime %v", mt)
	}
	// pycdlib records no owner.
	if e.HasOwner() || e.UID() != 0 {
		t.Errorf("owner %d/%d %v", e.UID(), e.GID(), e.HasOwner())
	}
	if b, err := fs.ReadFile(im, "links/dir/small.txt"); err != nil || string(b) != "hello, world\n" {
		t.Errorf("through a directory symlink: %q %v", b, err)
	}
}

// bigSize is the size of the sparse file of the Windows-like disc: over
// 4 GiB, so pycdlib has to split it.
const bigSize = 4<<30 + 123_456_789

// TestPycdlibWindows reads a Windows-like disc: its ISO 9660 side holds
// only README.TXT, UDF holds the files, and a file over 4 GiB (written
// sparse: zeros and a marker at its end). pycdlib records a file over
// 4 GiB - 2 KiB as two file identifiers of the same name, each with its own
// file entry (a pycdlib quirk, not a UDF multi-extent file); the reader
// shows both, the second renamed "~2", and the marker ends the second.
// 7-Zip's UDF handler refuses pycdlib's images ("unsupported feature") and
// its default handler lists only README.TXT: the test asserts both, so a
// change in either shows.
func TestPycdlibWindows(t *testing.T) {
	img, src := pycdlibFixture(t, "windows", bigSize)
	im := openImage(t, img)
	a, err := im.Lookup("big/sparse.bin")
	if err != nil {
		t.Fatal(err)
	}
	b, err := im.Lookup("big/sparse.bin~2")
	if err != nil {
		t.Fatal(err)
	}
	if a.Size()+b.Size() != bigSize || a.Size() < 4<<30-4096 {
		t.Errorf("big halves %d + %d, want %d", a.Size(), b.Size(), int64(bigSize))
	}
	r, err := b.Open()
	if err != nil {
		t.Fatal(err)
	}
	tail := make([]byte, 16)
	if _, err := r.ReadAt(tail, b.Size()-16); err != nil || string(tail) != "END-OF-BIG-FILE\n" {
		t.Errorf("end of the big file: %q %v", tail, err)
	}
	ra, _ := a.Open()
	if _, err := ra.ReadAt(tail, a.Size()-16); err != nil || !bytes.Equal(tail, make([]byte, 16)) {
		t.Errorf("end of the first half: %q %v", tail, err)
	}
	// The rest matches the source tree, symlinks and hard links included.
	compareTree(t, im, src, profile{symlinks: true, hardlinks: true, extra: "big"})
	if out, err := exec.Command("7zz", "l", "-tudf", img).CombinedOutput(); err == nil || !bytes.Contains(out, []byte("Unsupported feature")) {
		t.Errorf("7-Zip's UDF handler now reads pycdlib images; compare with it:\n%s", out)
	}
	if out := testutil.Run(t, "", "7zz", "l", "-slt", img); !strings.Contains(out, "Path = README.TXT") || strings.Contains(out, "small.txt") {
		t.Errorf("7-Zip's default listing:\n%s", out)
	}
	kids, _ := im.Root().ReadDir()
	var names []string
	for _, k := range kids {
		names = append(names, k.Name())
	}
	if !slices.Equal(names, []string{"a", "big", "data", "emptydir", "links", "names"}) {
		t.Errorf("root %v", names)
	}
}

// TestGenisoimage reads the UDF 1.02 side of a genisoimage -udf bridge
// disc: it records source mtimes (to the second) and symlinks as empty
// files. It cannot record characters outside the BMP (it drops them) nor
// ";" (it writes "_"), so those names are left out of its tree.
func TestGenisoimage(t *testing.T) {
	img := genisoimageFixture(t)
	src := filepath.Join(filepath.Dir(img), "src")
	im := openImage(t, img)
	compareTree(t, im, src, profile{mtime: true})
	compareSevenZip(t, im, img)
	testFS(t, im)
	if info := im.Info(); info.RevisionString() != "1.02" || info.NSR != "NSR02" {
		t.Errorf("info %+v", info)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestMkudffsOptions opens volumes made with mkudffs's other layout
// options: strategy 4096 ICBs, plain file entries instead of extended ones
// on UDF 2.01, four sparing tables, and the block size mkudffs picks by
// itself (512 for an image file).
func TestMkudffsOptions(t *testing.T) {
	dir := t.TempDir()
	for i, args := range [][]string{
		{"--media-type=hd", "--strategy=4096", "--blocksize=2048"},
		{"--media-type=hd", "--noefe", "--udfrev=2.01", "--blocksize=4096"},
		{"--media-type=dvdrw", "--spartable=4", "--sparspace=64"},
		{"--media-type=hd"},
	} {
		img := filepath.Join(dir, fmt.Sprint(i, ".udf"))
		testutil.Run(t, "", "mkudffs", append(args, "--label=OPTS", img, "20000")...)
		im := openImage(t, img)
		if kids, err := im.Root().ReadDir(); err != nil || len(kids) != 0 || im.Info().Label() != "OPTS" {
			t.Errorf("%v: root %v %v, info %+v", args, kids, err, im.Info())
		}
		testFS(t, im)
	}
}

// genisoimageFixture is the genisoimage -udf bridge disc of baseTree (less
// the names genisoimage cannot write), with its source tree beside it.
func genisoimageFixture(t *testing.T) string {
	return fixture(t, "genisoimage", func(dir string) string {
		src := filepath.Join(dir, "src")
		tree := slices.DeleteFunc(baseTree(), func(n node) bool { return strings.ContainsAny(n.Path, ";😀") })
		testutil.WriteTree(t, src, append(tree, node{Path: "data/link", Mode: fs.ModeSymlink, Target: "small.txt"}))
		img := filepath.Join(dir, "image.iso")
		testutil.Run(t, "", "genisoimage", "-quiet", "-udf", "-R", "-V", "UDFTEST", "-o", img, src)
		return img
	})
}

// TestOpenKeepsReader: a file's reader is made once (a mount opens the
// file for every read, which must not read its file entry each time), and
// reads through it stay right.
func TestOpenKeepsReader(t *testing.T) {
	img := genisoimageFixture(t)
	im := openImage(t, img)
	e, err := im.Lookup("data/small.txt")
	if err != nil {
		t.Fatal(err)
	}
	r1, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	if r1 != r2 {
		t.Error("a second Open made a new reader")
	}
	want, err := os.ReadFile(filepath.Join(filepath.Dir(img), "src", "data", "small.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, e.Size())
	if n, err := r2.ReadAt(got, 0); n != len(want) || (err != nil && err != io.EOF) || !bytes.Equal(got, want) {
		t.Errorf("read %q (%d, %v), want %q", got[:n], n, err, want)
	}
}

// TestTinyDirCache reads pycdlib's bridge disc (symlinks, hard links)
// through a listing cache that keeps a single listing, so that every
// directory is parsed again and again: the tree still matches its source
// and passes fstest.TestFS.
func TestTinyDirCache(t *testing.T) {
	img, src := pycdlibFixture(t, "bridge", 0)
	f, size := testutil.OpenFile(t, img)
	im, err := Open(f, size, &Options{DirCache: 1})
	if err != nil {
		t.Fatal(err)
	}
	compareTree(t, im, src, profile{symlinks: true, hardlinks: true})
	testFS(t, im)
	one, all := testutil.DumpTree(im.Root(), 1<<20, nil), testutil.DumpTree(openImage(t, img).Root(), 1<<20, nil)
	if one != all || strings.Contains(all, "MISMATCH") {
		t.Errorf("a one-listing cache shows\n%s\nfor\n%s", one, all)
	}
	kept, err := im.Root().children()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := im.listings.Used(), int64(len(kept))*entryBytes; got < want || got > 2*want {
		t.Errorf("the cache holds %d bytes; want the root's listing alone, %d bytes and its names", got, want)
	}
}
