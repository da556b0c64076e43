package test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/isz"
)

// copyImage copies a single-file fixture image into the test's directory,
// so that a test may damage it.
func copyImage(t *testing.T, name string) string {
	t.Helper()
	im := fx.image(name)
	if len(im.files) != 1 {
		t.Fatalf("%s has %d files", name, len(im.files))
	}
	data, err := os.ReadFile(im.path)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(im.path))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readRaw reads the raw node in steps of step bytes and returns the offsets
// of the reads that failed with EIO; every other read must return the ISO's
// bytes. Any other error fails the test.
func readRaw(t *testing.T, name string, step int) (failed []int64) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, step)
	for off := int64(0); off < int64(len(fx.isoData)); off += int64(step) {
		n, err := f.ReadAt(buf, off)
		switch {
		case errors.Is(err, syscall.EIO):
			failed = append(failed, off)
		case err != nil && err != io.EOF:
			t.Fatalf("read at %d: %v", off, err)
		case !bytes.Equal(buf[:n], fx.isoData[off:off+int64(n)]):
			t.Fatalf("read at %d: wrong bytes", off)
		}
	}
	return failed
}

// TestCorruptChunk damages one compressed chunk: reads of that chunk fail
// with EIO, every other byte is right, one error line names the chunk and
// its image offset, and the daemon stays up.
func TestCorruptChunk(t *testing.T) {
	p := copyImage(t, "zlib")
	r, err := isz.Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := -1
	for i := r.NumChunks() / 2; i < r.NumChunks(); i++ {
		if r.Chunk(i).Type == isz.ChunkZlib && r.Chunk(i).Stored > 64 {
			bad = i
			break
		}
	}
	if bad < 0 {
		t.Fatal("no compressed chunk in the second half of the image")
	}
	c := r.Chunk(bad)
	at := int64(r.Header().DataOffs) + c.StreamOff + c.Stored/2
	r.Close()
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef}, at); err != nil {
		t.Fatal(err)
	}
	f.Close()

	m := mountDaemon(t, bin, p, "mode=raw")
	failed := readRaw(t, filepath.Join(m.dir, "zlib.iso"), 4096)
	if len(failed) == 0 {
		t.Fatalf("no read failed after corrupting chunk %d", bad)
	}
	for _, off := range failed {
		if off/chunkSize != int64(bad) {
			t.Errorf("read at %d (chunk %d) failed; only chunk %d is corrupt", off, off/chunkSize, bad)
		}
	}
	// Read it again: still EIO (no zeros cached), still one error line.
	readRaw(t, filepath.Join(m.dir, "zlib.iso"), 4096)
	if !alive(m.pid) {
		t.Fatal("the daemon died")
	}
	log := m.logText()
	// The chunk error names itself, as text or (slog.LogValuer) attributes.
	want := regexp.MustCompile(`chunk[ =]` + strconv.Itoa(bad) + `\b.*image[ _]offset[ =]` + strconv.FormatInt(int64(bad)*chunkSize, 10) + `\b`)
	if strings.Count(log, "level=ERROR") != 1 || !want.MatchString(log) {
		t.Errorf("want one error line matching %s; log:\n%s", want, log)
	}
}

// TestTruncatedImage truncates the image under a live mount: the reads that
// need the missing part fail with EIO, the rest still work, nothing crashes.
func TestTruncatedImage(t *testing.T) {
	p := copyImage(t, "zlib")
	m := mountDaemon(t, bin, p, "mode=raw")
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	failed := readRaw(t, filepath.Join(m.dir, "zlib.iso"), 64<<10)
	if len(failed) == 0 {
		t.Error("no read failed after truncating the image to half its size")
	}
	if len(failed) > 0 && failed[0] < int64(len(fx.isoData))/4 {
		t.Errorf("a read at %d failed; the first quarter of the image is intact", failed[0])
	}
	if !alive(m.pid) {
		t.Fatal("the daemon died")
	}
	if _, err := os.ReadDir(m.dir); err != nil {
		t.Errorf("the mount stopped answering: %v", err)
	}
}

// TestDeletedImage deletes the image under a live mount: the daemon holds it
// open, so everything still reads correctly.
func TestDeletedImage(t *testing.T) {
	p := copyImage(t, "bzip2")
	m := mountDaemon(t, bin, p)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	compareTree(t, fx.src, m.dir)
	if !alive(m.pid) {
		t.Fatal("the daemon died")
	}
}

// TestSigtermBusy sends SIGTERM while a file is open: the mount point is
// detached at once, the open file keeps working, and the daemon exits with
// status 0 when the file is closed.
func TestSigtermBusy(t *testing.T) {
	m := mountDaemon(t, bin, fx.image("zlib").path)
	f, err := os.Open(filepath.Join(m.dir, "big/random.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := os.ReadFile(filepath.Join(fx.src, "big/random.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(m.pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the mount point to be detached", func() bool { _, ok := mountAt(m.dir); return !ok })
	if !alive(m.pid) {
		t.Fatal("the daemon exited while a file was still open")
	}
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("reading the open file after detaching: %d bytes, %v", len(got), err)
	}
	f.Close()
	ws, ok := reap(m.pid, 10*time.Second)
	if !ok {
		t.Fatal("the daemon is still running after the last file was closed")
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("daemon wait status %v, want exit 0", ws)
	}
	if !strings.Contains(m.logText(), "detached") {
		t.Errorf("no notice about the lazy unmount in the log:\n%s", m.logText())
	}
}

// TestSigterm: SIGTERM on an idle mount unmounts and exits 0.
func TestSigterm(t *testing.T) {
	m := mountDaemon(t, bin, fx.iso)
	syscall.Kill(m.pid, syscall.SIGTERM)
	ws, ok := reap(m.pid, 10*time.Second)
	if !ok || !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("after SIGTERM: exited %v, status %v", ok, ws)
	}
	if _, ok := mountAt(m.dir); ok {
		t.Error("still mounted")
	}
}

// TestIdle: idle= unmounts once the mount has not been used for that long,
// but not while a file is open.
func TestIdle(t *testing.T) {
	m := mountDaemon(t, bin, fx.iso, "idle=1s")
	f, err := os.Open(filepath.Join(m.dir, "README.txt"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	if _, ok := mountAt(m.dir); !ok {
		t.Fatal("unmounted while a file was open")
	}
	f.Close()
	start := time.Now()
	waitFor(t, "the idle unmount", func() bool { _, ok := mountAt(m.dir); return !ok })
	if _, ok := reap(m.pid, 10*time.Second); !ok {
		t.Fatal("the daemon still runs after the idle unmount")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the idle unmount took %v after the file was closed (idle=1s)", d)
	}
	if !strings.Contains(m.logText(), "unmounted after being idle") {
		t.Errorf("no idle notice in the log:\n%s", m.logText())
	}
}
