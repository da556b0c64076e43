package udfview

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/testutil"
)

// This file builds fixtures at test time: a source tree written by the test
// (testutil.WriteTree), an image made from it by a real UDF writer (mkudffs
// and udfclient, pycdlib, genisoimage), and comparisons of what this package
// reads with the source tree and with 7-Zip's listing.

// node describes one file of a source tree.
type node = testutil.SrcNode

// baseTree is what every writer can record: directories, files of several
// sizes (empty, one block, many blocks), a deep path and non-ASCII names,
// one outside the BMP.
func baseTree() []node {
	return []node{
		{Path: "data/empty"},
		{Path: "data/small.txt", Data: []byte("hello, world\n")},
		{Path: "data/sector.bin", Data: testutil.Pseudo(1, 2048)},
		{Path: "data/big.bin", Data: testutil.Pseudo(2, 300_000)},
		{Path: "data/mode-0600", Data: []byte("private"), Perm: 0o600},
		{Path: "names/Ünïcödé ✓ 日本語", Data: []byte("utf8")},
		{Path: "names/emoji 😀 𝄞", Data: []byte("astral")},
		{Path: "names/with space;1", Data: []byte("x")},
		{Path: "names/UPPER.TXT", Data: []byte("u")},
		{Path: "names/upper.txt", Data: []byte("l")},
		{Path: "a/b/c/d/e/f/g/h/i/j/k/deep.txt", Data: []byte("deep")},
		{Path: "emptydir", Mode: fs.ModeDir},
	}
}

// linkTree adds symlinks and hard links for the writers that record them.
func linkTree() []node {
	return append(baseTree(),
		node{Path: "data/hard.bin", LinkTo: "data/big.bin"},
		node{Path: "links/rel", Mode: fs.ModeSymlink, Target: "../data/small.txt"},
		node{Path: "links/abs", Mode: fs.ModeSymlink, Target: "/data/small.txt"},
		node{Path: "links/dir", Mode: fs.ModeSymlink, Target: "../data"},
	)
}

// mkudffs formats an image of blocks blocks with mkudffs.
func mkudffs(t testing.TB, img, media, rev string, bs, blocks int) {
	t.Helper()
	testutil.Run(t, "", "mkudffs", "--media-type="+media, "--udfrev="+rev, fmt.Sprint("--blocksize=", bs), "--label=UDFTEST", img, fmt.Sprint(blocks))
}

// udfclientPut copies the top-level entries of src into the image with
// udfclient (interactive: it is fed commands on stdin). udfclient lists
// the logical volume as a directory of "/" first; the files go into it.
func udfclientPut(t testing.TB, img string, bs int, src string) {
	t.Helper()
	ls := testutil.Run(t, "ls\n", "udfclient", "-b", fmt.Sprint(bs), img)
	var vol string
	sc := bufio.NewScanner(strings.NewReader(ls))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 5 && strings.HasPrefix(f[0], "d") && strings.Contains(f[len(f)-1], ":") {
			vol = f[len(f)-1]
			break
		}
	}
	if vol == "" {
		t.Fatalf("udfclient lists no volume:\n%s", ls)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, `"`+e.Name()+`"`)
	}
	out := testutil.Run(t, fmt.Sprintf("cd %s\nlcd %s\nmput %s\nquit\n", vol, src, strings.Join(names, " ")), "udfclient", "-W", "-b", fmt.Sprint(bs), img)
	for _, bad := range []string{"No space left", "couldn't", "Can't", "full ?"} {
		if i := strings.Index(out, bad); i >= 0 {
			t.Fatalf("udfclient failed (%s): %s", bad, out[max(0, i-150):min(len(out), i+150)])
		}
	}
}

// openImage opens an image file for the duration of the test.
func openImage(t testing.TB, path string) *Image {
	t.Helper()
	f, size := testutil.OpenFile(t, path)
	im, err := Open(f, size, nil)
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	return im
}

// profile says what a writer records, so compareTree knows what to expect.
type profile struct {
	mtime     bool   // source mtimes are recorded (to the second)
	perms     bool   // source permissions are recorded
	symlinks  bool   // symlinks are recorded as symlinks (else: see followed)
	followed  bool   // symlinks are recorded as copies of their targets (else as empty files)
	hardlinks bool   // hard links are recorded as names of one ICB
	extra     string // a top-level entry of the image not in the source
}

// compareTree checks the image against the source tree: the same paths,
// types, sizes, contents, and what the writer's profile promises.
func compareTree(t *testing.T, im *Image, src string, p profile) {
	t.Helper()
	seen := map[string]bool{}
	srcIno := map[uint64]uint64{} // source inode -> image inode
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		seen[rel] = true
		st, err := os.Lstat(path)
		if err != nil {
			return err
		}
		e, err := im.Lookup(rel)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		mode := st.Mode()
		if mode&fs.ModeSymlink != 0 && !p.symlinks {
			if !p.followed {
				if !e.Mode().IsRegular() || e.Size() != 0 {
					t.Errorf("%s: %v size %d, want an empty file for a symlink", rel, e.Mode(), e.Size())
				}
				return nil
			}
			if st, err = os.Stat(path); err != nil {
				return err
			}
			mode = st.Mode()
		}
		if e.Mode().Type() != mode.Type() {
			t.Errorf("%s: type %v, want %v", rel, e.Mode().Type(), mode.Type())
			return nil
		}
		if p.perms && e.Mode().Perm() != mode.Perm() && mode&fs.ModeSymlink == 0 {
			t.Errorf("%s: perm %v, want %v", rel, e.Mode().Perm(), mode.Perm())
		}
		if p.mtime && !e.ModTime().Equal(st.ModTime().Truncate(time.Second)) {
			t.Errorf("%s: mtime %v, want %v", rel, e.ModTime(), st.ModTime())
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			want, _ := os.Readlink(path)
			if e.Target() != want {
				t.Errorf("%s: target %q, want %q", rel, e.Target(), want)
			}
		case mode.IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if got := readEntry(t, e); sha256.Sum256(got) != sha256.Sum256(data) {
				t.Errorf("%s: %d bytes differ from the source's %d", rel, len(got), len(data))
			}
			sys := st.Sys().(*syscall.Stat_t)
			if p.hardlinks {
				if ino, ok := srcIno[sys.Ino]; ok && ino != e.Inode() {
					t.Errorf("%s: inode %d, want %d as its hard link", rel, e.Inode(), ino)
				}
				srcIno[sys.Ino] = e.Inode()
				if e.Nlink() != uint32(sys.Nlink) {
					t.Errorf("%s: nlink %d, want %d", rel, e.Nlink(), sys.Nlink)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fs.WalkDir(im, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if path == p.extra && p.extra != "" {
			return fs.SkipDir
		}
		if path != "." && !seen[path] {
			t.Errorf("%s: in the image, not in the source", path)
		}
		return nil
	})
}

// readEntry reads a regular file's whole contents.
func readEntry(t testing.TB, e *Entry) []byte {
	t.Helper()
	r, err := e.Open()
	if err != nil {
		t.Fatalf("%s: %v", e.Path(), err)
	}
	buf := make([]byte, e.Size())
	if n, err := r.ReadAt(buf, 0); n != len(buf) || (err != nil && err != io.EOF) {
		t.Fatalf("%s: read %d of %d: %v", e.Path(), n, len(buf), err)
	}
	return buf
}

// sevenZip lists the image with 7-Zip's UDF handler (`7zz l -slt -tudf`)
// and returns path -> size ("" for directories), or ok false if 7-Zip
// cannot open the image.
func sevenZip(t testing.TB, img string) (files map[string]string, ok bool) {
	t.Helper()
	cmd := exec.Command("7zz", "l", "-slt", "-tudf", img)
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil {
		if strings.Contains(out, "Cannot open the file as [Udf] archive") {
			return nil, false
		}
		t.Fatalf("7zz: %v\n%s", err, out)
	}
	_, body, ok := strings.Cut(out, "\n----------\n")
	if !ok {
		body = "" // no entries
	}
	got := map[string]string{}
	var path string
	var folder bool
	for _, line := range strings.Split(body, "\n") {
		k, v, _ := strings.Cut(line, " = ")
		switch k {
		case "Path":
			path = v
		case "Folder":
			folder = v == "+"
		case "Size":
			if folder {
				v = ""
			}
			got[path] = v
		}
	}
	return got, true
}

// sevenZipReads says whether 7-Zip 26's UDF handler opens a volume: it
// refuses block sizes other than 512 and 2048, and every partition map but
// type 1 ("Unsupported feature"), so sparable and VAT volumes have no
// second reader here.
func sevenZipReads(info VolumeInfo) bool {
	return (info.BlockSize == 512 || info.BlockSize == 2048) && slices.Equal(info.PartitionMaps, []string{"physical"})
}

// compareSevenZip checks that 7-Zip sees the same paths and sizes, or
// that it cannot open the image if sevenZipReads says so.
func compareSevenZip(t *testing.T, im *Image, img string) {
	t.Helper()
	want, ok := sevenZip(t, img)
	if ok != sevenZipReads(im.Info()) {
		t.Fatalf("7-Zip opens the image: %v, expected %v", ok, sevenZipReads(im.Info()))
	}
	if !ok {
		return
	}
	got := map[string]string{}
	fs.WalkDir(im, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == "." {
			return err
		}
		info, _ := d.Info()
		size := fmt.Sprint(info.Size())
		if d.IsDir() {
			size = ""
		}
		got[path] = size
		return nil
	})
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
		t.Errorf("udfview and 7-Zip differ:\n udfview %v\n 7-Zip   %v", sorted(got), sorted(want))
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// fixtures caches images built once per test binary run, by name; two
// fixtures may be built at once (udfclient spends most of its time asleep).
var fixtures struct {
	sync.Mutex
	made map[string]*builtFixture
}

type builtFixture struct {
	once sync.Once
	path string
}

// fixture returns the image called name, building it with build(dir) the
// first time (dir is a fresh directory that lives until the end of the
// run; build returns the image path).
func fixture(t testing.TB, name string, build func(dir string) string) string {
	t.Helper()
	fixtures.Lock()
	if fixtures.made == nil {
		fixtures.made = map[string]*builtFixture{}
	}
	f, ok := fixtures.made[name]
	if !ok {
		f = new(builtFixture)
		fixtures.made[name] = f
	}
	fixtures.Unlock()
	f.once.Do(func() {
		dir := filepath.Join(fixtureRoot, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f.path = build(dir)
	})
	if f.path == "" {
		t.Fatalf("fixture %s failed to build", name)
	}
	return f.path
}

var fixtureRoot string

func TestMain(m *testing.M) {
	var err error
	fixtureRoot, err = os.MkdirTemp("", "udfview-fixtures-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(fixtureRoot)
	os.Exit(code)
}
