package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/exitcode"
	"github.com/iszmount/iszmount/isz"
)

// corruptChunk0 returns a copy of the ISZ image img with a byte of chunk
// 0's data flipped.
func corruptChunk0(t *testing.T, img string) string {
	t.Helper()
	r, err := isz.Open(img, &isz.Options{Inspect: true})
	if err != nil {
		t.Fatal(err)
	}
	off := int(r.Header().DataOffs) + 16
	r.Close()
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	data[off] ^= 0x55
	bad := filepath.Join(t.TempDir(), "bad.isz")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return bad
}

// dirNames returns the names in dir, to check that nothing (no staging
// directory) is left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestExtractFailureKeepsOutput: a failed extraction over an existing
// output (a symlink to a user's file, or a plain file) leaves it exactly as
// it was; without --force it is not touched at all.
func TestExtractFailureKeepsOutput(t *testing.T) {
	iso, want := fixtureISO(t)
	img := filepath.Join(t.TempDir(), "img.isz")
	mustRun(t, "create", iso, img)
	bad := corruptChunk0(t, img)

	dir := t.TempDir()
	userFile := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(userFile, []byte("the user's data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.iso")
	if err := os.Symlink("precious.txt", link); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.iso")
	if err := os.WriteFile(plain, []byte("an older extraction\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if b, err := os.ReadFile(userFile); err != nil || string(b) != "the user's data\n" {
			t.Errorf("%s: the user's file is %q, %v", when, b, err)
		}
		if target, err := os.Readlink(link); err != nil || target != "precious.txt" {
			t.Errorf("%s: the symlink is %q, %v", when, target, err)
		}
		if b, err := os.ReadFile(plain); err != nil || string(b) != "an older extraction\n" {
			t.Errorf("%s: the existing output is %q, %v", when, b, err)
		}
		if names := dirNames(t, dir); len(names) != 3 {
			t.Errorf("%s: the directory holds %q", when, names)
		}
	}
	if r := runISZ(t, "", nil, "extract", img, link); r.code != exitcode.Usage || r.stderr != "isz: extract: "+link+" exists: give --force to replace it\n" {
		t.Errorf("extract over an existing output: exit %d, stderr %q; want one line", r.code, r.stderr)
	}
	wantFail(t, nil, exitcode.Usage, "give --force", "extract", img, plain)
	check("without --force")
	wantFail(t, nil, exitcode.Corrupt, "bad.isz", "extract", "--force", bad, link)
	wantFail(t, nil, exitcode.Corrupt, "bad.isz", "extract", "-f", bad, plain)
	check("after a failed extraction")

	// Success with --force replaces the symlink itself, not its target.
	mustRun(t, "extract", "-f", img, link)
	if fi, err := os.Lstat(link); err != nil || !fi.Mode().IsRegular() || fileSum(t, link) != want {
		t.Errorf("out.iso after a good extraction: %v, %v", fi, err)
	}
	if b, _ := os.ReadFile(userFile); string(b) != "the user's data\n" {
		t.Errorf("the extraction wrote through the symlink: %q", b)
	}
	// Devices are written in place and need no --force.
	mustRun(t, "extract", img, "/dev/null")
}

// TestCreateFullDiskKeepsOutput: a create that runs out of space (a small
// tmpfs) fails and leaves the previous good image and nothing else.
func TestCreateFullDiskKeepsOutput(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("mounting a tmpfs needs root (CI runs as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })

	small := filepath.Join(t.TempDir(), "small.iso")
	if err := os.WriteFile(small, bytes.Repeat([]byte{'a'}, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "disc.isz")
	mustRun(t, "create", small, img)
	before := fileSum(t, img)
	big := filepath.Join(t.TempDir(), "big.iso")
	rnd := randomContent()
	var content []byte
	for len(content) < 2<<20 {
		content = append(content, rnd...)
	}
	if err := os.WriteFile(big, content[:2<<20], 0o644); err != nil {
		t.Fatal(err)
	}
	r := runISZ(t, "", nil, "create", "--force", "-c", "store", big, img)
	if r.code != exitcode.Failure || !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("create on a full disk: exit %d, %q", r.code, r.stderr)
	}
	if fileSum(t, img) != before {
		t.Error("the previous image changed")
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("left behind: %q", names)
	}
}

// TestCreateStaleSegments: the .i01, ... of an earlier split set with the
// same name make create refuse, or with --force go away, so that no reader
// takes them for part of the new image.
func TestCreateStaleSegments(t *testing.T) {
	iso, want := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "d.isz")
	mustRun(t, "create", "--split", "400K", iso, img)
	if len(dirNames(t, dir)) < 2 {
		t.Fatalf("no split set: %q", dirNames(t, dir))
	}
	wantFail(t, nil, exitcode.Usage, "give --force", "create", iso, img)
	if err := os.Remove(img); err != nil {
		t.Fatal(err)
	}
	wantFail(t, nil, exitcode.Usage, "d.i01 is left from an earlier split set", "create", iso, img)
	mustRun(t, "create", "--force", iso, img)
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "d.isz" {
		t.Errorf("after create --force: %q, want only d.isz", names)
	}
	out := filepath.Join(t.TempDir(), "out.iso")
	mustRun(t, "extract", img, out)
	if fileSum(t, out) != want {
		t.Error("the new image extracts to something else")
	}
}

// TestWrongWayRound: an ISZ given to create, and swapped arguments, are
// named as such.
func TestWrongWayRound(t *testing.T) {
	iso, _ := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "img.isz")
	mustRun(t, "create", iso, img)
	wantFail(t, nil, exitcode.Usage, "is already an ISZ image", "create", img, filepath.Join(dir, "x.isz"))
	wantFail(t, nil, exitcode.Usage, "are the arguments swapped?", "create", filepath.Join(dir, "new.isz"), iso)
	wantFail(t, nil, exitcode.Usage, "are the arguments swapped?", "extract", iso, img)
	wantFail(t, nil, exitcode.Usage, "are the arguments swapped?", "extract", filepath.Join(dir, "new.iso"), img)
}

// TestExtractFilesInterrupt interrupts extract --files while it writes a
// large file: the file is not left half-written under its name (nor under
// its temporary one), and the message says how far it got.
func TestExtractFilesInterrupt(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	var big bytes.Buffer
	for i := 0; big.Len() < 32<<20; i++ {
		fmt.Fprintf(&big, "line %d of a large, compressible file %x\n", i, i*i)
	}
	if err := os.WriteFile(filepath.Join(src, "big.txt"), big.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("small\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "big.isz")
	mustRun(t, "create", "-c", "bzip2", makeISO(t, src), img) // slow to decode: time to interrupt

	dest := t.TempDir()
	cmd := exec.Command(iszBin, "extract", "-j1", img, "--files", dest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dest, ".big.txt.isz-partial")
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(partial); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the partial file never appeared")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitcode.Interrupted ||
		!strings.HasPrefix(stderr.String(), "isz: extract: interrupted: 1 of 2 files written to "+dest) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if names := dirNames(t, dest); len(names) != 1 || names[0] != "a.txt" {
		t.Errorf("DESTDIR holds %q, want only the complete a.txt", names)
	}
}

// TestCreateInterrupt interrupts create over an existing image: the
// library's writer stops (isz.Create's context), exit 130, and the old
// image is all that is left.
func TestCreateInterrupt(t *testing.T) {
	dir := t.TempDir()
	zeros := filepath.Join(t.TempDir(), "zeros.iso")
	if err := os.WriteFile(zeros, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(zeros, 1<<30); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "zeros.isz")
	if err := os.WriteFile(img, []byte("the previous image"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(iszBin, "create", "-f", "-j1", "-c", "bzip2", zeros, img)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); len(dirNames(t, dir)) < 2; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the staging directory never appeared")
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitcode.Interrupted || stderr.String() != "isz: create: interrupted\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if b, err := os.ReadFile(img); err != nil || string(b) != "the previous image" {
		t.Errorf("the previous image is now %d bytes, %v", len(b), err)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("left behind: %q", names)
	}
}
