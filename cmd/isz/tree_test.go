package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/exitcode"
	"time"

	"golang.org/x/sys/unix"
)

// srcFile describes one entry of a fixture source tree.
type srcFile struct {
	path    string
	mode    fs.FileMode // permission bits (and fs.ModeDir / fs.ModeSymlink for the type)
	content string      // file content, or symlink target
	link    string      // for a hard link: the path it links to
}

var longName = strings.Repeat("long-name-", 21) + "end.txt" // 217 bytes, past Joliet's 64 and near NAME_MAX

// fixtureFiles is the source tree most tests share: modes, an empty file,
// long and non-ASCII names, relative, absolute and dangling symlinks, a
// hard link, a nested read-only directory and a file large enough to span
// several ISZ chunks.
var fixtureFiles = []srcFile{
	{path: "README.txt", mode: 0o644, content: "hello from the fixture\n"},
	{path: "empty", mode: 0o600, content: ""},
	{path: "bin", mode: fs.ModeDir | 0o755},
	{path: "bin/tool", mode: 0o755, content: "#!/bin/sh\necho tool\n"},
	{path: "bin/setuid", mode: fs.ModeSetuid | 0o755, content: "suid\n"},
	{path: "docs", mode: fs.ModeDir | 0o750},
	{path: "docs/" + longName, mode: 0o644, content: "long\n"},
	{path: "docs/naïve café ☕.txt", mode: 0o644, content: "unicode\n"},
	{path: "docs/deep", mode: fs.ModeDir | 0o755},
	{path: "docs/deep/er", mode: fs.ModeDir | 0o555},
	{path: "docs/deep/er/file", mode: 0o444, content: "read only\n"},
	{path: "data", mode: fs.ModeDir | 0o700},
	{path: "data/big.bin", mode: 0o640}, // content generated: bigContent
	{path: "data/hardlink.bin", mode: 0o640, link: "data/big.bin"},
	{path: "data/random.bin", mode: 0o644}, // content generated: randomContent
	{path: "link-rel", mode: fs.ModeSymlink, content: "docs/deep/er/file"},
	{path: "link-dir", mode: fs.ModeSymlink, content: "docs/deep"},
	{path: "link-abs", mode: fs.ModeSymlink, content: "/etc/passwd"},
	{path: "link-up", mode: fs.ModeSymlink, content: "../../outside"},
	{path: "link-long", mode: fs.ModeSymlink, content: strings.Repeat("a/", 150) + "target"},
	{path: "loop-a", mode: fs.ModeSymlink, content: "loop-b"},
	{path: "loop-b", mode: fs.ModeSymlink, content: "./loop-a"},
}

// bigContent is 600 KiB of compressible but not constant data (several
// 128 KiB chunks), then 256 KiB of zeros (whole zero chunks).
func bigContent() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 600<<10; i++ {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), i%97+1))
		b.WriteString(time.Duration(i).String())
	}
	b.Truncate(600 << 10)
	b.Write(make([]byte, 256<<10))
	return b.Bytes()
}

// randomContent is 768 KiB that does not compress, so that ISZ images of
// the fixture are large enough to split.
func randomContent() []byte {
	b := make([]byte, 768<<10)
	rand.NewChaCha8([32]byte{'i', 's', 'z'}).Read(b)
	return b
}

// fixtureTime is the modification time of every fixture entry; the ISO
// records whole seconds.
var fixtureTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

// makeSourceTree writes files under a new directory and returns it.
func makeSourceTree(t *testing.T, files []srcFile) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	big := bigContent()
	var dirs []srcFile
	for _, f := range files {
		p := filepath.Join(src, f.path)
		var err error
		switch {
		case f.mode&fs.ModeDir != 0:
			err = os.Mkdir(p, 0o755)
			dirs = append(dirs, f)
		case f.mode&fs.ModeSymlink != 0:
			err = os.Symlink(f.content, p)
		case f.link != "":
			err = os.Link(filepath.Join(src, f.link), p)
		default:
			data := []byte(f.content)
			switch f.path {
			case "data/big.bin":
				data = big
			case "data/random.bin":
				data = randomContent()
			}
			if err = os.WriteFile(p, data, 0o600); err == nil {
				err = os.Chmod(p, f.mode)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := setMtime(p, fixtureTime); err != nil {
			t.Fatal(err)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- { // deepest last-created first
		p := filepath.Join(src, dirs[i].path)
		if err := os.Chmod(p, dirs[i].mode.Perm()); err != nil {
			t.Fatal(err)
		}
		if err := setMtime(p, fixtureTime); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// setMtime sets both times of p itself (not of a symlink's target).
func setMtime(p string, mt time.Time) error {
	ts := unix.NsecToTimespec(mt.UnixNano())
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}

// makeISO builds an ISO 9660 image of src with xorriso's mkisofs emulation
// (-R: Rock Ridge with the real modes; -J: Joliet) plus extra options.
func makeISO(t *testing.T, src string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "fixture.iso")
	args := append([]string{"-as", "mkisofs", "-quiet", "-R", "-J", "-joliet-long", "-V", "ISZ_FIXTURE", "-o", out}, extra...)
	args = append(args, src)
	cmd := exec.Command("xorriso", args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xorriso %q: %v\n%s", args, err, msg)
	}
	return out
}

// entryState is what the tests compare between a source tree and what isz
// extracted: type and permissions, size, mtime, content hash or link target.
type entryState struct {
	mode  fs.FileMode
	size  int64
	mtime time.Time
	data  string // sha256 of a file, target of a symlink
}

// snapshot walks root and describes every entry below it by relative path.
func snapshot(t *testing.T, root string) map[string]entryState {
	t.Helper()
	got := map[string]entryState{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := entryState{mode: fi.Mode() & (fs.ModeType | allPerm), mtime: fi.ModTime().UTC()}
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			st.data, st.size = hex.EncodeToString(sum[:]), fi.Size()
		case fi.Mode()&fs.ModeSymlink != 0:
			st.data, err = os.Readlink(p)
			if err != nil {
				return err
			}
		}
		got[filepath.ToSlash(rel)] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// compareTrees fails the test on any difference between two snapshots.
func compareTrees(t *testing.T, want, got map[string]entryState) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s: missing", p)
			continue
		}
		if g != w {
			t.Errorf("%s: got %+v, want %+v", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: extracted but not in the source", p)
		}
	}
}

func sortedKeys(m map[string]entryState) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// imageVariants are the images the tree commands are tested on: the ISO
// itself and ISZ images of it made with different options.
var imageVariants = []struct {
	name string
	opts []string // isz create options; nil for the plain ISO
}{
	{"iso", nil},
	{"isz-zlib", []string{}},
	{"isz-bzip2", []string{"-c", "bzip2", "-b", "64K", "--zero-chunks"}},
	{"isz-split", []string{"--split", "400K"}},
}

// forEachImage builds the fixture ISO of the shared source tree and runs
// fn in a subtest for each image variant.
func forEachImage(t *testing.T, fn func(t *testing.T, src, img string)) {
	src := makeSourceTree(t, fixtureFiles)
	iso := makeISO(t, src)
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			img := iso
			if v.opts != nil {
				img = filepath.Join(t.TempDir(), v.name+".isz")
				mustRun(t, append(append([]string{"create"}, v.opts...), iso, img)...)
			}
			fn(t, src, img)
		})
	}
}

func TestExtractFilesMatchesSource(t *testing.T) {
	forEachImage(t, func(t *testing.T, src, img string) {
		want := snapshot(t, src)
		dest := filepath.Join(t.TempDir(), "out")
		mustRun(t, "extract", "-p", img, "--files", dest)
		got := snapshot(t, dest)
		compareTrees(t, want, got)
		// Without -p the setuid bit is dropped, nothing else changes.
		dest2 := filepath.Join(t.TempDir(), "out")
		mustRun(t, "extract", img, "--files", dest2)
		want2 := maps.Clone(want)
		st := want2["bin/setuid"]
		st.mode &^= fs.ModeSetuid
		want2["bin/setuid"] = st
		compareTrees(t, want2, snapshot(t, dest2))
		// xorriso records the hard link as one shared extent: it is
		// restored as a link, not as two copies.
		a, errA := os.Stat(filepath.Join(dest, "data/big.bin"))
		b, errB := os.Stat(filepath.Join(dest, "data/hardlink.bin"))
		if errA != nil || errB != nil || !os.SameFile(a, b) {
			t.Errorf("data/hardlink.bin is not a hard link of data/big.bin (%v, %v)", errA, errB)
		}
	})
}

func TestExtractFilesSubset(t *testing.T) {
	src := makeSourceTree(t, fixtureFiles)
	iso := makeISO(t, src)
	dest := t.TempDir()
	// Flags after positionals; a PATH through a symlinked directory lands
	// under its real path; a file keeps its place in the tree.
	mustRun(t, "extract", iso, "link-dir/er", "README.txt", "--files", dest)
	got := snapshot(t, dest)
	keys := sortedKeys(got)
	wantKeys := []string{"README.txt", "docs", "docs/deep", "docs/deep/er", "docs/deep/er/file"}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("extracted %q, want %q", keys, wantKeys)
	}
	if m := got["docs/deep/er"].mode; m != fs.ModeDir|0o555 {
		t.Errorf("docs/deep/er mode %v, want dr-xr-xr-x", m)
	}
	wantFail(t, nil, exitcode.NotFound, "no such file in the image", "extract", iso, "--files", dest, "nope/x")
}

// TestExtractFilesNeverWritesOutside puts symlinks pointing out of DESTDIR
// where the image has a directory and a file: the extraction must replace
// them, not write through them.
func TestExtractFilesNeverWritesOutside(t *testing.T) {
	src := makeSourceTree(t, fixtureFiles)
	iso := makeISO(t, src)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	for name, target := range map[string]string{
		"docs":       outside, // a directory in the image
		"README.txt": victim,  // a file in the image
		"bin":        "../" + filepath.Base(outside),
	} {
		if err := os.Symlink(target, filepath.Join(dest, name)); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, "extract", "-p", "--files", dest, iso)

	if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
		t.Errorf("victim outside DESTDIR changed: %q, %v", b, err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("files written outside DESTDIR: %v", ents)
	}
	compareTrees(t, snapshot(t, src), snapshot(t, dest))

	// The symlinks the image itself carries, pointing out of DESTDIR, are
	// restored as symlinks and a second extraction over them writes nothing
	// through them either.
	mustRun(t, "extract", "-p", "--files", dest, iso)
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("files written outside DESTDIR on re-extraction: %v", ents)
	}
	if target, err := os.Readlink(filepath.Join(dest, "link-up")); err != nil || target != "../../outside" {
		t.Errorf("link-up = %q, %v", target, err)
	}
}

func TestLs(t *testing.T) {
	forEachImage(t, func(t *testing.T, src, img string) {
		want := snapshot(t, src)
		// -R lists every path, parents first, sorted within a directory.
		got := strings.Split(strings.TrimSuffix(mustRun(t, "ls", img, "-R"), "\n"), "\n")
		if keys := sortedKeys(want); !slices.Equal(sortedCopy(got), keys) {
			t.Errorf("ls -R:\n%q\nwant\n%q", got, keys)
		}
		for i, p := range got {
			if dir := filepath.Dir(p); dir != "." && !slices.Contains(got[:i], dir) {
				t.Errorf("ls -R lists %s before its directory", p)
			}
		}
		top := mustRun(t, "ls", img)
		if top != "README.txt\nbin\ndata\ndocs\nempty\nlink-abs\nlink-dir\nlink-long\nlink-rel\nlink-up\nloop-a\nloop-b\n" {
			t.Errorf("ls: %q", top)
		}
		if out := mustRun(t, "ls", img, "link-dir/er"); out != "file\n" {
			t.Errorf("ls link-dir/er = %q", out)
		}
		long := mustRun(t, "ls", "-l", img, "bin")
		for _, want := range []string{
			"-rwsr-xr-x ", " 5 2021-03-04 05:06:07 setuid\n",
			"-rwxr-xr-x ", " 20 2021-03-04 05:06:07 tool\n",
		} {
			if !strings.Contains(long, want) {
				t.Errorf("ls -l bin:\n%s\nlacks %q", long, want)
			}
		}
		if out := mustRun(t, "ls", "-l", img, "link-rel"); !strings.HasPrefix(out, "lrwxrwxrwx ") || !strings.HasSuffix(out, " link-rel -> docs/deep/er/file\n") {
			t.Errorf("ls -l link-rel = %q", out)
		}
		wantFail(t, nil, exitcode.NotFound, "no such file in the image", "ls", img, "docs/nope")
	})
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func TestCat(t *testing.T) {
	forEachImage(t, func(t *testing.T, src, img string) {
		big, err := os.ReadFile(filepath.Join(src, "data/big.bin"))
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRun(t, "cat", img, "data/big.bin"); got != string(big) {
			t.Errorf("cat data/big.bin: %d bytes differ from the source's %d", len(got), len(big))
		}
		if got := mustRun(t, "cat", img, "link-rel"); got != "read only\n" {
			t.Errorf("cat link-rel (a symlink) = %q", got)
		}
		if got := mustRun(t, "cat", img, "/link-dir/../../README.txt"); got != "hello from the fixture\n" {
			t.Errorf("cat through a symlink and .. = %q", got)
		}
		if got := mustRun(t, "cat", img, "empty"); got != "" {
			t.Errorf("cat empty = %q", got)
		}
		if got := mustRun(t, "cat", img, "README.txt", "empty", "bin/tool"); got != "hello from the fixture\n#!/bin/sh\necho tool\n" {
			t.Errorf("cat of three files = %q", got)
		}
		r := runISZ(t, "", nil, "cat", img, "README.txt", "nope")
		if r.code != exitcode.NotFound || r.stdout != "" {
			t.Errorf("cat with a missing second PATH: exit %d, stdout %q; want 7 and nothing written", r.code, r.stdout)
		}
		wantFail(t, nil, exitcode.Failure, "not a regular file", "cat", img, "docs")
		wantFail(t, nil, exitcode.NotFound, "no such file in the image", "cat", img, "link-abs")
		wantFail(t, nil, exitcode.NotFound, "no such file in the image", "cat", img, "nope")
		wantFail(t, nil, exitcode.NotFound, "too many levels of symbolic links", "cat", img, "loop-a")
	})
}

func TestTreeCommandsOnNonImage(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.iso")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("junk"), 20000), 0o644); err != nil {
		t.Fatal(err)
	}
	wantFail(t, nil, exitcode.BadImage, "junk.iso", "info", junk)
	wantFail(t, nil, exitcode.BadImage, "junk.iso", "ls", junk)
	wantFail(t, nil, exitcode.BadImage, "junk.iso", "cat", junk, "x")
	wantFail(t, nil, exitcode.BadImage, "not an ISZ image", "verify", junk)
	wantFail(t, nil, exitcode.BadImage, "not an ISZ image", "extract", junk, filepath.Join(t.TempDir(), "out.iso"))
}

// TestUDF: a UDF bridge disc made with Rock Ridge (genisoimage -udf -R) is
// listed from its ISO 9660 side and info says why; with its primary volume
// descriptor knocked out it becomes UDF-only: ls and extract --files read
// the UDF side, and --fs iso9660 finds no file system.
func TestUDF(t *testing.T) {
	src := makeSourceTree(t, fixtureFiles[:3])
	bridge := filepath.Join(t.TempDir(), "bridge.iso")
	if msg, err := exec.Command("genisoimage", "-quiet", "-udf", "-R", "-J", "-o", bridge, src).CombinedOutput(); err != nil {
		t.Fatalf("genisoimage: %v\n%s", err, msg)
	}
	if out := mustRun(t, "info", bridge); !strings.Contains(out, "UDF:               revision 1.02 (NSR02)") ||
		!strings.Contains(out, "Tree shown:        ISO 9660 (--fs auto: the ISO 9660 side carries Rock Ridge") {
		t.Errorf("info of a UDF bridge disc:\n%s", out)
	}
	if out := mustRun(t, "ls", bridge); out != "README.txt\nbin\nempty\n" {
		t.Errorf("ls of the bridge disc = %q", out)
	}
	data, err := os.ReadFile(bridge)
	if err != nil {
		t.Fatal(err)
	}
	const pvd = 16 * 2048
	if data[pvd] != 1 || string(data[pvd+1:pvd+6]) != "CD001" {
		t.Fatalf("sector 16 is not the primary volume descriptor")
	}
	data[pvd] = 3 // a volume partition descriptor: ignored by readers
	udfOnly := filepath.Join(t.TempDir(), "udfonly.iso")
	if err := os.WriteFile(udfOnly, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "info", udfOnly); !strings.Contains(out, "UDF only: no ISO 9660 volume") ||
		!strings.Contains(out, "Tree shown:        UDF (--fs auto: UDF 1.02 volume; no ISO 9660 side)") {
		t.Errorf("info of a UDF-only disc:\n%s", out)
	}
	var doc struct {
		FileSystem string         `json:"file_system"`
		View       string         `json:"view"`
		Reason     string         `json:"view_reason"`
		UDF        map[string]any `json:"udf"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "info", "--json", udfOnly)), &doc); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range doc.UDF {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if got := strings.Join(keys, ","); got != "block_size,created,dirs,file_set_created,file_set_id,files,label,logical_volume_id,max_write_revision,metadata_mirror,min_read_revision,min_write_revision,nsr,partition_maps,recorded,reserve_vds,revision,vat,volume_id,volume_set_id" {
		t.Errorf("info --json udf fields %s", got)
	}
	if doc.FileSystem != "udf-only" || doc.View != "udf" || doc.Reason != "UDF 1.02 volume; no ISO 9660 side" ||
		doc.UDF["revision"] != "1.02" || doc.UDF["nsr"] != "NSR02" || doc.UDF["block_size"] != float64(2048) ||
		fmt.Sprint(doc.UDF["partition_maps"]) != "[physical]" || doc.UDF["vat"] != false {
		t.Errorf("info --json of a UDF-only disc: %+v", doc)
	}
	if out := mustRun(t, "info", "--fs", "iso9660", udfOnly); strings.Contains(out, "Tree shown") {
		t.Errorf("info --fs iso9660 of a UDF-only disc names a tree:\n%s", out)
	}
	if out := mustRun(t, "ls", udfOnly); out != "README.txt\nbin\nempty\n" {
		t.Errorf("ls of the UDF-only disc = %q", out)
	}
	want, err := os.ReadFile(filepath.Join(src, "README.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, "cat", udfOnly, "README.txt"); got != string(want) { // genisoimage's UDF side records no POSIX modes
		t.Errorf("cat README.txt from the UDF side = %q, want %q", got, want)
	}
	wantFail(t, nil, exitcode.BadImage, "UDF-only", "ls", "--fs", "iso9660", udfOnly)
	wantFail(t, nil, exitcode.Usage, "want auto, iso9660, udf", "ls", "--fs", "hfs", udfOnly)
}

// TestExtractFilesHostileNames patches the Rock Ridge and ISO 9660 names
// of an xorriso image into "../../xx" and ".." plus NULs. The intended
// behaviour: the reader turns them into harmless names (no "/", no NUL,
// never "." or ".."), so extract succeeds and both files land inside
// DESTDIR, each in its own directory, with their contents.
func TestExtractFilesHostileNames(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	for p, content := range map[string]string{"sub/DOTDOTXX": "evil\n", "DOTDOTYY": "evil2\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	iso := makeISO(t, src)
	data, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{"DOTDOTXX": "../../xx", "DOTDOTYY": "..\x00\x00\x00\x00\x00\x00"} {
		if bytes.Count(data, []byte(from)) < 2 { // the ISO 9660 name and the Rock Ridge NM
			t.Fatalf("%s not found in the image", from)
		}
		data = bytes.ReplaceAll(data, []byte(from), []byte(to))
	}
	hostile := filepath.Join(t.TempDir(), "hostile.iso")
	if err := os.WriteFile(hostile, data, 0o644); err != nil {
		t.Fatal(err)
	}

	top := t.TempDir()
	dest := filepath.Join(top, "a", "b")
	mustRun(t, "extract", hostile, "--files", dest)
	contents := map[string]string{} // directory inside DESTDIR -> content
	err = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		if rel == ".." || strings.HasPrefix(rel, "../") {
			t.Errorf("%s written outside DESTDIR", p)
		}
		name := filepath.Base(rel)
		if name == "." || name == ".." || strings.ContainsAny(name, "\x00/") {
			t.Errorf("unsafe name %q", name)
		}
		b, err := os.ReadFile(p)
		contents[filepath.Dir(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(contents) != 2 || contents["sub"] != "evil\n" || contents["."] != "evil2\n" {
		t.Errorf("extracted %q, want evil2 at the top of DESTDIR and evil in sub", contents)
	}
}

// TestDirectoryLoop points a subdirectory's extent back at the root (a
// plain ISO 9660 image, patched): ls -R and extract --files report the
// loop, skip it, list or extract everything else and end with "bad image"
// instead of walking forever or giving up on the whole tree.
func TestDirectoryLoop(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(filepath.Join(src, "sub", "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "zzz"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "zzz", "after.txt"), []byte("after the loop\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	iso := filepath.Join(t.TempDir(), "plain.iso")
	if msg, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-o", iso, src).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	// findRecord returns the offset of the directory record named name in
	// the directory at sector lba (ISO 9660 §9.1: length, extent LBA both
	// endian at 2 and 6, name length at 32, name at 33).
	findRecord := func(lba uint32, name string) int {
		for i := int(lba) * 2048; data[i] != 0; i += int(data[i]) {
			if string(data[i+33:i+33+int(data[i+32])]) == name {
				return i
			}
		}
		t.Fatalf("no %s in the directory at sector %d", name, lba)
		return 0
	}
	rootLBA := binary.LittleEndian.Uint32(data[16*2048+156+2:])
	sub := findRecord(rootLBA, "SUB")
	inner := findRecord(binary.LittleEndian.Uint32(data[sub+2:]), "INNER")
	binary.LittleEndian.PutUint32(data[inner+2:], rootLBA)
	binary.BigEndian.PutUint32(data[inner+6:], rootLBA)
	looped := filepath.Join(t.TempDir(), "loop.iso")
	if err := os.WriteFile(looped, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wantFail(t, nil, exitcode.BadImage, "sub/inner: malformed directory tree: the directory is also \"/\"", "ls", "-R", looped)
	r := runISZ(t, "", nil, "ls", "-R", looped)
	if !strings.Contains(r.stdout, "zzz/after.txt") || !strings.Contains(r.stderr, "1 directory could not be read and was skipped") {
		t.Errorf("ls -R did not go on after the loop: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	dest := t.TempDir()
	wantFail(t, nil, exitcode.BadImage, "sub/inner: malformed directory tree: the directory is also \"/\"", "extract", looped, "--files", dest)
	if b, err := os.ReadFile(filepath.Join(dest, "zzz", "after.txt")); err != nil || string(b) != "after the loop\n" {
		t.Errorf("extract --files did not go on after the loop: %q, %v", b, err)
	}
}

// TestZisofs: files that xorriso stored zisofs-compressed come out decoded,
// through cat and extract --files, from the ISO and from an ISZ of it.
func TestZisofs(t *testing.T) {
	src := makeSourceTree(t, fixtureFiles)
	iso := filepath.Join(t.TempDir(), "zisofs.iso")
	cmd := exec.Command("xorriso", "-outdev", iso, "-map", src, "/", "-set_filter_r", "--zisofs", "/", "--", "-commit")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, msg)
	}
	img := filepath.Join(t.TempDir(), "zisofs.isz")
	mustRun(t, "create", iso, img)
	big, err := os.ReadFile(filepath.Join(src, "data/big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, image := range []string{iso, img} {
		if got := mustRun(t, "cat", image, "data/big.bin"); got != string(big) {
			t.Errorf("%s: cat of a zisofs file gives %d bytes, not the source's %d", image, len(got), len(big))
		}
		dest := t.TempDir()
		mustRun(t, "extract", "-p", image, "--files", dest)
		compareTrees(t, snapshot(t, src), snapshot(t, dest))
	}
	if out := mustRun(t, "ls", "-l", iso, "data"); !strings.Contains(out, fmt.Sprintf(" %d ", len(big))) {
		t.Errorf("ls -l shows the stored size, not the decoded one:\n%s", out)
	}
}

// TestResolve checks path resolution inside the image, in process: "."
// and empty components, ".." (never above the root, and physical: after a
// symlink it climbs from the target), relative and absolute symlinks in
// the middle and at the end, loops and paths through files.
func TestResolve(t *testing.T) {
	iso := makeISO(t, makeSourceTree(t, fixtureFiles))
	tr, err := openTree(iso, &treeFlags{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tests := []struct {
		path       string
		followLast bool
		want       string // real path; "!" + text for an error containing text
	}{
		{"", false, ""},
		{".", false, ""},
		{"/", false, ""},
		{"..", false, ""},
		{"/../..", false, ""},
		{"docs//deep/./er/", false, "docs/deep/er"},
		{"docs/deep/../deep/er/file", false, "docs/deep/er/file"},
		{"link-dir", false, "link-dir"},
		{"link-dir", true, "docs/deep"},
		{"link-dir/er/file", false, "docs/deep/er/file"},
		{"link-dir/..", false, "docs"},
		{"link-dir/../../README.txt", false, "README.txt"},
		{"link-rel", false, "link-rel"},
		{"link-rel", true, "docs/deep/er/file"},
		{"link-long", true, "!no such file"},
		{"link-abs", false, "link-abs"},
		{"link-abs", true, "!no such file"}, // /etc/passwd inside the image
		{"link-up", true, "!no such file"},  // ../../outside climbs to the root, then nothing
		{"loop-a", false, "loop-a"},
		{"loop-a", true, "!too many levels of symbolic links"},
		{"loop-a/x", false, "!too many levels of symbolic links"},
		{"README.txt/x", false, "!not a directory"},
		{"nope", false, "!no such file"},
		{"docs/nope/..", false, "!no such file"},
	}
	for _, tt := range tests {
		e, err := tr.find(tt.path, tt.followLast)
		real := ""
		if err == nil {
			real = e.Path()
		}
		if strings.HasPrefix(tt.want, "!") {
			if err == nil || !strings.Contains(err.Error(), tt.want[1:]) || exitcode.Of(err) != exitcode.NotFound {
				t.Errorf("find(%q, %v) = %q, %v; want an error containing %q (exit 7)", tt.path, tt.followLast, real, err, tt.want[1:])
			}
			continue
		}
		if err != nil || real != tt.want {
			t.Errorf("find(%q, %v) = %q, %v; want %q", tt.path, tt.followLast, real, err, tt.want)
			continue
		}
		if name := path.Base("/" + tt.want); tt.want != "" && e.Name() != name {
			t.Errorf("find(%q, %v) entry is named %q, want %q", tt.path, tt.followLast, e.Name(), name)
		}
	}
}

// TestSpecialFiles: ls -l shows a device's numbers; extract --files makes
// the FIFO and skips the device with a warning (exit 0).
func TestSpecialFiles(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(src, "fifo"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(src, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err) // the tests run as root (CI does)
	}
	for name, mode := range map[string]fs.FileMode{"fifo": 0o640, "null": 0o666} { // whatever the umask
		if err := os.Chmod(filepath.Join(src, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	iso := makeISO(t, src)
	out := mustRun(t, "ls", "-l", iso)
	if !strings.Contains(out, "prw-r----- ") || !strings.Contains(out, "crw-rw-rw- ") || !strings.Contains(out, " 1, 3 ") {
		t.Errorf("ls -l:\n%s", out)
	}
	dest := t.TempDir()
	r := runISZ(t, "", nil, "extract", iso, "--files", dest)
	if r.code != 0 || r.stderr != "isz: extract: null: skipped crw-rw-rw- (devices and sockets are not extracted)\n" {
		t.Errorf("extract: exit %d, stderr %q", r.code, r.stderr)
	}
	fi, err := os.Lstat(filepath.Join(dest, "fifo"))
	if err != nil || fi.Mode() != fs.ModeNamedPipe|0o640 {
		t.Errorf("fifo: %v, %v", fi, err)
	}
	if _, err := os.Lstat(filepath.Join(dest, "null")); !os.IsNotExist(err) {
		t.Errorf("the device node was created: %v", err)
	}
}
