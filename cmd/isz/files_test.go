package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deepTree is a fixture of nested directories, each holding files, a
// symlink and the next level, plus read-only directories: what makes
// per-component path resolution costly and what a descriptor cache must
// get right.
func deepTree(depth, perDir int) []srcFile {
	var files []srcFile
	dir := ""
	for d := range depth {
		dir = filepath.Join(dir, fmt.Sprintf("level-%02d", d))
		mode := fs.FileMode(0o755)
		if d%4 == 3 {
			mode = 0o555
		}
		files = append(files, srcFile{path: dir, mode: fs.ModeDir | mode})
		for i := range perDir {
			files = append(files, srcFile{path: filepath.Join(dir, fmt.Sprintf("file-%d.txt", i)),
				mode: 0o644 - fs.FileMode(i%2)*0o040, content: strings.Repeat(dir, i+1)})
		}
		files = append(files, srcFile{path: filepath.Join(dir, "up"), mode: fs.ModeSymlink, content: ".."})
		side := filepath.Join(dir, "side")
		files = append(files, srcFile{path: side, mode: fs.ModeDir | 0o750},
			srcFile{path: filepath.Join(side, "f"), mode: 0o600, content: side})
	}
	return files
}

// TestExtractFilesSyscalls counts the system calls extract --files makes
// (strace) on a tree 16 directories deep: a constant number per entry,
// whatever its depth, and no symlink checks. The old os.Root version made
// an openat per path component per operation (54,781 openat and 11,595
// failed readlinkat for 5,419 entries of the bench tree).
func TestExtractFilesSyscalls(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatal("strace is needed (apt-get install strace)")
	}
	files := deepTree(16, 4)
	src := makeSourceTree(t, files)
	iso := makeISO(t, src)
	dest := filepath.Join(t.TempDir(), "out")
	trace := filepath.Join(t.TempDir(), "trace")
	calls := "openat,mkdirat,symlinkat,linkat,renameat,unlinkat,newfstatat,readlinkat,fchmod,fchmodat,utimensat,close"
	cmd := exec.Command("strace", "-f", "-qq", "-o", trace, "-e", "trace="+calls, iszBin, "extract", "-j2", iso, "--files", dest)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	compareTrees(t, snapshot(t, src), snapshot(t, dest))

	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		// "PID  name(args) = result" or, for a call another thread
		// interrupted, "PID  name(args <unfinished ...>" and later
		// "PID  <... name resumed>...": counted once, by its start.
		_, rest, _ := strings.Cut(line, " ")
		if name, _, ok := strings.Cut(strings.TrimSpace(rest), "("); ok && !strings.Contains(name, " ") {
			count[name]++
		}
	}
	entries := len(files)
	t.Logf("%d entries: %v", entries, count)
	// Startup and opening the image take a few dozen calls; each entry
	// takes at most: openat, close, linkat, utimensat (a file: made
	// unnamed and linked, with no rename, since the run made every
	// directory below DESTDIR);
	// mkdirat, openat, fchmod, utimensat, close (a directory); symlinkat,
	// utimensat (a symlink).
	const slack = 60
	limits := map[string]int{
		"openat": entries + slack, "close": entries + slack, "utimensat": entries + slack,
		"mkdirat": entries, "renameat": 0, "linkat": entries, "fchmod": entries,
		"readlinkat": 0, "newfstatat": slack, "unlinkat": 0, "fchmodat": 0,
	}
	total := 0
	for name, n := range count {
		total += n
		if limit, ok := limits[name]; ok && n > limit {
			t.Errorf("%d %s calls for %d entries, want at most %d", n, name, entries, limit)
		}
	}
	if limit := 5*entries + slack; total > limit {
		t.Errorf("%d system calls (%v) for %d entries, want at most %d", total, count, entries, limit)
	}
}

// TestExtractFilesFewDescriptors extracts a tree with more directories
// than the descriptor limit lets extract keep open (ulimit -n 64: 16
// directories), so that directories are closed and opened again from
// their parents while files are written in parallel and while the
// read-only ones get their modes at the end; and once more over the
// result, where nothing is fresh.
func TestExtractFilesFewDescriptors(t *testing.T) {
	src := makeSourceTree(t, deepTree(40, 2))
	img := filepath.Join(t.TempDir(), "deep.isz")
	mustRun(t, "create", makeISO(t, src), img)
	dest := filepath.Join(t.TempDir(), "out")
	for range 2 {
		cmd := exec.Command("sh", "-c", `ulimit -n 64 && exec "$@"`, "sh", iszBin, "extract", "-j4", img, "--files", dest)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		compareTrees(t, snapshot(t, src), snapshot(t, dest))
	}
}
