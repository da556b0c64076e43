package test

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/isz"
)

// The UDF fixtures: discs made by real UDF writers from a source tree,
// each compressed into an ISZ image, then mounted in tree mode (fs=auto and
// fs=udf), listed with isz ls -R and extracted with isz extract --files, and
// every time compared with the source tree.

// udfFile is one entry of a UDF source tree.
type udfFile struct {
	path   string
	data   string      // a regular file's contents
	perm   fs.FileMode // 0: 0644
	dir    bool
	target string // a symlink's target
	linkTo string // a hard link to this earlier path
}

// udfSourceFiles is what every writer records: sizes around a block,
// nesting, spaces and non-ASCII names, a private mode, an empty directory.
var udfSourceFiles = []udfFile{
	{path: "README.txt", data: "UDF end-to-end fixture\n"},
	{path: "data/empty"},
	{path: "data/one", data: "x"},
	{path: "data/block", data: strings.Repeat("0123456789abcdef", 128)},
	{path: "data/block+1", data: strings.Repeat("fedcba9876543210", 128) + "!"},
	{path: "data/many-blocks", data: strings.Repeat("UDF read across extents and chunks. ", 9000)},
	{path: "data/private", data: "0600\n", perm: 0o600},
	{path: "deep/a/b/c/d/e/file", data: "deep\n"},
	{path: "names/with space.txt", data: "space\n"},
	{path: "names/naïve café.txt", data: "latin-1\n"},
	{path: "emptydir", dir: true},
}

// udfLinkFiles are the symlinks and hard links, for the writers that
// record them; astral is a name outside the BMP (a UTF-16 surrogate pair).
var udfLinkFiles = []udfFile{
	{path: "data/hard", linkTo: "data/many-blocks"},
	{path: "deep/hard2", linkTo: "data/many-blocks"},
	{path: "links/rel", target: "../data/one"},
	{path: "links/abs", target: "/data/block"},
	{path: "links/dir", target: "../deep/a"},
	{path: "links/dangling", target: "no/such/file"},
	{path: "names/日本語 😀", data: "astral\n"},
}

// udfTime is every source entry's mtime: whole seconds, as UDF writers
// record at least.
var udfTime = time.Date(2019, 7, 20, 20, 17, 40, 0, time.UTC)

// writeUDFSource writes files under root, then sets every mtime.
func writeUDFSource(root string, files []udfFile) error {
	for _, f := range files {
		p := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		var err error
		switch {
		case f.dir:
			err = os.Mkdir(p, 0o755)
		case f.target != "":
			err = os.Symlink(f.target, p)
		case f.linkTo != "":
			err = os.Link(filepath.Join(root, f.linkTo), p)
		default:
			perm := cmp.Or(f.perm, 0o644)
			if err = os.WriteFile(p, []byte(f.data), perm); err == nil {
				err = os.Chmod(p, perm) // whatever the umask
			}
		}
		if err != nil {
			return err
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(udfTime.UnixNano()), unix.NsecToTimespec(udfTime.UnixNano())}
	var paths []string
	filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	for i := len(paths) - 1; i >= 0; i-- { // children before their directory
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, paths[i], ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	return nil
}

// udfFixture is one disc: its source tree, what its writer records, and
// the ISZ image made of it.
type udfFixture struct {
	name  string
	files []udfFile
	rec   recorded
	make  func(src, img string) error // writes the disc image img of src
	big   bool                        // the Windows-like disc: big/ holds a file over 4 GiB

	src, isz string
	err      error
}

// bigSize is the size of the Windows-like disc's sparse file: over 4 GiB,
// so that pycdlib splits it into two files (sparse.bin and, renamed by the
// reader, sparse.bin~2, which ends with a marker).
const bigSize = 4<<30 + 123_456_789

// mkpycdlib is udfview's pycdlib writer script (UDF 2.60 bridge discs).
const mkpycdlib = "../udfview/testdata/mkpycdlib.py"

func runTool(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %q: %v\n%s", name, args, err, out)
	}
	return nil
}

// mkudffsUDFClient formats a volume with mkudffs and fills it with
// udfclient (which lists the volume as a directory of "/": it cds into it
// first).
func mkudffsUDFClient(media, rev string, bs int) func(src, img string) error {
	return func(src, img string) error {
		if err := runTool("mkudffs", "--media-type="+media, "--udfrev="+rev, fmt.Sprint("--blocksize=", bs),
			"--label=UDFE2E", img, "81920"); err != nil { // udfclient finds smaller volumes full
			return err
		}
		ls, err := udfclient(bs, img, "ls\n")
		if err != nil {
			return err
		}
		var vol string
		for sc := bufio.NewScanner(strings.NewReader(ls)); sc.Scan() && vol == ""; {
			if f := strings.Fields(sc.Text()); len(f) >= 5 && strings.HasPrefix(f[0], "d") && strings.Contains(f[len(f)-1], ":") {
				vol = f[len(f)-1]
			}
		}
		if vol == "" {
			return fmt.Errorf("udfclient lists no volume:\n%s", ls)
		}
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range ents {
			names = append(names, `"`+e.Name()+`"`)
		}
		out, err := udfclient(bs, img, fmt.Sprintf("cd %s\nlcd %s\nmput %s\nquit\n", vol, src, strings.Join(names, " ")), "-W")
		if err == nil && (strings.Contains(out, "No space left") || strings.Contains(out, "couldn't")) {
			err = fmt.Errorf("udfclient:\n%s", out)
		}
		return err
	}
}

func udfclient(bs int, img, script string, flags ...string) (string, error) {
	cmd := exec.Command("udfclient", append(flags, "-b", fmt.Sprint(bs), img)...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("udfclient: %v\n%s", err, out)
	}
	return string(out), nil
}

// without drops the entries of files that a writer cannot record.
func without(files []udfFile, drop func(udfFile) bool) []udfFile {
	return slices.DeleteFunc(slices.Clone(files), drop)
}

// asciiOnly: udfclient writes names as 8-bit CS0 byte for byte.
func asciiOnly(f udfFile) bool {
	for _, r := range f.path {
		if r > 0x7e {
			return true
		}
	}
	return false
}

var (
	udfOnce     sync.Once
	udfFixtures []*udfFixture
)

// makeUDFFixtures builds every UDF fixture once per run, in parallel: the
// writers mostly sleep (udfclient waits for its cache to settle).
func makeUDFFixtures(t *testing.T) []*udfFixture {
	udfOnce.Do(func() {
		all := append(udfSourceFiles[:len(udfSourceFiles):len(udfSourceFiles)], udfLinkFiles...)
		pycdlib := func(mode string, big int64) func(src, img string) error {
			return func(src, img string) error {
				args := []string{mkpycdlib, mode, src, img}
				if big > 0 {
					args = append(args, fmt.Sprint(big))
				}
				return runTool("/usr/bin/python3", args...)
			}
		}
		udfFixtures = []*udfFixture{
			// UDF 1.02 bridge disc without Rock Ridge: auto picks UDF.
			// genisoimage records mtimes but not modes (0444, 0555),
			// nor symlinks, hard links or names outside the BMP.
			{name: "genisoimage", files: udfSourceFiles, rec: recorded{mtime: true},
				make: func(src, img string) error {
					return runTool("genisoimage", "-quiet", "-udf", "-V", "UDFE2E", "-o", img, src)
				}},
			// pycdlib's UDF 2.60 bridge disc: symlinks and hard links;
			// no modes, and mtimes with the day recorded as the month.
			{name: "pycdlib-bridge", files: all, rec: recorded{links: true}, make: pycdlib("bridge", 0)},
			// The Windows-like disc: ISO 9660 holds only README.TXT.
			{name: "pycdlib-windows", files: all, rec: recorded{links: true, extra: "big"}, make: pycdlib("windows", bigSize), big: true},
			// mkudffs + udfclient: plain and sparable volumes, block
			// sizes 512, 2048 and 4096, modes recorded.
			{name: "udfclient-hd-2.01-512", files: without(udfSourceFiles, asciiOnly), rec: recorded{perms: true}, make: mkudffsUDFClient("hd", "2.01", 512)},
			{name: "udfclient-dvdrw-1.50-2048", files: without(udfSourceFiles, asciiOnly), rec: recorded{perms: true}, make: mkudffsUDFClient("dvdrw", "1.50", 2048)},
			{name: "udfclient-hd-2.00-4096", files: without(udfSourceFiles, asciiOnly), rec: recorded{perms: true}, make: mkudffsUDFClient("hd", "2.00", 4096)},
		}
		var wg sync.WaitGroup
		for _, f := range udfFixtures {
			wg.Go(func() { f.err = f.build(filepath.Join(work, "udf", f.name)) })
		}
		wg.Wait()
	})
	return udfFixtures
}

// build writes the source tree and the disc under dir, and compresses the
// disc into an ISZ image, reading the disc's holes as zeros without reading
// them (the Windows-like disc is a sparse file of over 4 GiB).
func (f *udfFixture) build(dir string) error {
	f.src = filepath.Join(dir, "src")
	img := filepath.Join(dir, "disc.iso")
	if err := writeUDFSource(f.src, f.files); err != nil {
		return err
	}
	if err := f.make(f.src, img); err != nil {
		return err
	}
	in, err := os.Open(img)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	f.isz = filepath.Join(dir, "disc.isz")
	_, err = isz.Create(context.Background(), f.isz, &holeReader{f: in}, st.Size(),
		&isz.WriterOptions{Codec: isz.CodecZlib, BlockSize: chunkSize, ZeroChunks: true, VSN: 1})
	return err
}

// holeReader reads a sparse file front to back, giving its holes as zeros
// without reading them from the kernel.
type holeReader struct {
	f        *os.File
	off      int64
	dataFrom int64 // start of the next data region (SEEK_DATA), or -1 if none is known yet
	known    bool
}

func (h *holeReader) Read(p []byte) (int, error) {
	if !h.known || h.dataFrom < h.off {
		next, err := h.f.Seek(h.off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) { // no data after off: all hole
			next = 1 << 62
		} else if err != nil {
			return 0, err
		}
		h.dataFrom, h.known = next, true
	}
	if h.off < h.dataFrom { // in a hole
		n := int(min(int64(len(p)), h.dataFrom-h.off))
		clear(p[:n])
		h.off += int64(n)
		return n, nil
	}
	n, err := h.f.ReadAt(p, h.off)
	h.off += int64(n)
	h.known = false // the data region may end anywhere
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// TestUDFDiscs mounts the ISZ image of every UDF fixture in tree mode, with
// fs=auto and fs=udf, and compares it with its source tree; isz ls -R and
// isz extract --files must agree too. The mkudffs volumes have no ISO 9660
// side at all: they mount in tree mode, not raw.
func TestUDFDiscs(t *testing.T) {
	for _, f := range makeUDFFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			if f.err != nil {
				t.Fatal(f.err)
			}
			for _, view := range []string{"fs=auto", "fs=udf"} {
				m := mountDaemon(t, bin, f.isz, view)
				compareRecorded(t, f.src, m.dir, f.rec)
				if f.big {
					checkBigFile(t, m.dir)
					if b, err := os.ReadFile(filepath.Join(m.dir, "README.TXT")); err == nil {
						t.Errorf("%s: the ISO 9660 side's README.TXT is shown (%q), not the UDF tree", view, b)
					}
				}
				m.unmount(t)
			}
			if f.big { // fs=iso9660 shows the other side: only its README.TXT
				m := mountDaemon(t, bin, f.isz, "fs=iso9660")
				if got := names(t, m.dir); !slices.Equal(got, []string{"README.TXT"}) {
					t.Errorf("fs=iso9660 lists %q, want just README.TXT", got)
				}
				m.unmount(t)
			}
			checkIszCommands(t, f)
		})
	}
}

// checkBigFile reads the end of the Windows-like disc's file over 4 GiB.
func checkBigFile(t *testing.T, dir string) {
	t.Helper()
	a, errA := os.Stat(filepath.Join(dir, "big/sparse.bin"))
	fh, errB := os.Open(filepath.Join(dir, "big/sparse.bin~2"))
	if errA != nil || errB != nil {
		t.Fatalf("big file: %v, %v", errA, errB)
	}
	defer fh.Close()
	b, _ := fh.Stat()
	if a.Size()+b.Size() != bigSize || a.Size() < 4<<30-4096 {
		t.Errorf("big file halves %d + %d bytes, want %d in all", a.Size(), b.Size(), int64(bigSize))
	}
	tail := make([]byte, 16)
	if _, err := fh.ReadAt(tail, b.Size()-16); err != nil || string(tail) != "END-OF-BIG-FILE\n" {
		t.Errorf("end of the big file: %q, %v", tail, err)
	}
}

// checkIszCommands compares isz ls -R and isz extract --files with the
// source tree.
func checkIszCommands(t *testing.T, f *udfFixture) {
	t.Helper()
	var want []string
	filepath.WalkDir(f.src, func(p string, _ fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(f.src, p); rel != "." {
			want = append(want, rel)
		}
		return err
	})
	out, err := exec.Command(iszBin, "ls", "-R", f.isz).Output()
	got := slices.DeleteFunc(strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), func(p string) bool {
		return f.rec.extra != "" && (p == f.rec.extra || strings.HasPrefix(p, f.rec.extra+"/"))
	})
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("isz ls -R: %v\n got %q\nwant %q", err, got, want)
	}

	dest := filepath.Join(t.TempDir(), "out")
	args := []string{"extract", f.isz, "--files", dest}
	if f.big { // not the 4 GiB file
		ents, _ := os.ReadDir(f.src)
		for _, e := range ents {
			args = append(args, e.Name())
		}
	}
	if out, err := exec.Command(iszBin, args...).CombinedOutput(); err != nil {
		t.Fatalf("isz %q: %v\n%s", args, err, out)
	}
	rec := f.rec
	rec.extra = ""
	compareRecorded(t, f.src, dest, rec)
}
