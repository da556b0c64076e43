package fs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/internal/testutil"
)

// holeySource is a 1 MiB image whose second quarter is a hole.
type holeySource struct{ *bytes.Reader }

const (
	holeSize  = 1 << 20
	holeStart = 256 << 10
	holeEnd   = 512 << 10
)

func newHoleySource() holeySource {
	b := make([]byte, holeSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		if i < holeStart || i >= holeEnd {
			b[i] = byte(rng.Uint32())
		}
	}
	return holeySource{bytes.NewReader(b)}
}

func (s holeySource) SeekData(off int64) (int64, error) {
	switch {
	case off >= s.Size():
		return 0, io.EOF
	case off >= holeStart && off < holeEnd:
		return holeEnd, nil
	}
	return off, nil
}

func (s holeySource) SeekHole(off int64) (int64, error) {
	switch {
	case off >= s.Size():
		return 0, io.EOF
	case off < holeStart:
		return holeStart, nil
	case off < holeEnd:
		return off, nil
	}
	return s.Size(), nil
}

// failingSource fails reads that touch [badOff, badOff+badLen) with a
// located error, as *isz.Reader reports a corrupt chunk.
type failingSource struct {
	*bytes.Reader
	badOff, badLen int64
}

func (s failingSource) ReadAt(p []byte, off int64) (int, error) {
	if off < s.badOff+s.badLen && off+int64(len(p)) > s.badOff {
		return 0, &locatedError{chunk: 3, offset: s.badOff}
	}
	return s.Reader.ReadAt(p, off)
}

// locatedError is an error that logs where it happened as its own
// attributes (slog.LogValuer), the way *isz.ChunkError does.
type locatedError struct {
	chunk  int
	offset int64
}

func (e *locatedError) Error() string { return fmt.Sprintf("chunk %d is corrupt", e.chunk) }

func (e *locatedError) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("chunk", e.chunk), slog.Int64("image_offset", e.offset))
}

// mountFS mounts f on a fresh directory and unmounts it when the test ends,
// failing the test if the mount is still there afterwards.
func mountFS(t *testing.T, f *FS, mo *MountOptions) string {
	t.Helper()
	dir := t.TempDir()
	server, err := f.Mount(dir, mo)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		if err := server.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
		if m := mountLine(t, dir); m != "" {
			t.Errorf("still mounted after unmount: %s", m)
		}
	})
	return dir
}

// mountLine returns the /proc/self/mounts line for dir, or "".
func mountLine(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == dir {
			return line
		}
	}
	return ""
}

func TestRawMount(t *testing.T) {
	src := newHoleySource()
	mtime := time.Date(2020, 5, 17, 10, 0, 0, 0, time.UTC)
	uid, gid := uint32(1234), uint32(4321)
	f := NewRaw("disc.iso", src, mtime, &Options{UID: &uid, GID: &gid, Umask: 0o002})
	dir := mountFS(t, f, &MountOptions{FsName: "/images/disc.isz"})

	line := mountLine(t, dir)
	fields := strings.Fields(line)
	if fields[0] != "/images/disc.isz" || fields[2] != "fuse.iszmount" || !strings.HasPrefix(fields[3], "ro,") {
		t.Errorf("mount line %q: want source /images/disc.isz, type fuse.iszmount, ro", line)
	}

	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 1 || ents[0].Name() != "disc.iso" {
		t.Fatalf("ReadDir = %v, %v; want just disc.iso", ents, err)
	}
	name := filepath.Join(dir, "disc.iso")
	var st syscall.Stat_t
	if err := syscall.Stat(name, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode != syscall.S_IFREG|0o444 || st.Size != holeSize || st.Uid != uid || st.Gid != gid ||
		st.Mtim.Sec != mtime.Unix() || st.Ino != rawFileIno || st.Nlink != 1 {
		t.Errorf("stat %s = %+v", name, st)
	}
	if err := syscall.Stat(dir, &st); err != nil || st.Mode != syscall.S_IFDIR|0o555 {
		t.Errorf("stat root: mode %o, %v", st.Mode, err)
	}

	got, err := os.ReadFile(name)
	want := make([]byte, holeSize)
	src.ReadAt(want, 0)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("content differs (err %v)", err)
	}

	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		t.Fatal(err)
	}
	if sfs.Blocks*uint64(sfs.Bsize) != holeSize || sfs.Bfree != 0 {
		t.Errorf("statfs: %d blocks of %d, %d free; want %d bytes, none free", sfs.Blocks, sfs.Bsize, sfs.Bfree, holeSize)
	}

	if _, err := os.OpenFile(name, os.O_WRONLY, 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("open for writing: %v, want EROFS", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("create: %v, want EROFS", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat of a missing name: %v", err)
	}
}

func TestRawSeekHoles(t *testing.T) {
	dir := mountFS(t, NewRaw("disc.iso", newHoleySource(), time.Now(), nil), nil)
	fh, err := os.Open(filepath.Join(dir, "disc.iso"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fd := int(fh.Fd())
	for _, tc := range []struct {
		off    int64
		whence int
		want   int64
		err    error
	}{
		{0, unix.SEEK_DATA, 0, nil},
		{0, unix.SEEK_HOLE, holeStart, nil},
		{holeStart + 5, unix.SEEK_DATA, holeEnd, nil},
		{holeStart + 5, unix.SEEK_HOLE, holeStart + 5, nil},
		{holeEnd, unix.SEEK_HOLE, holeSize, nil},
		{holeSize, unix.SEEK_DATA, 0, syscall.ENXIO},
		{holeSize, unix.SEEK_HOLE, 0, syscall.ENXIO},
	} {
		got, err := unix.Seek(fd, tc.off, tc.whence)
		if err != tc.err || (err == nil && got != tc.want) {
			t.Errorf("lseek(%d, whence %d) = %d, %v; want %d, %v", tc.off, tc.whence, got, err, tc.want, tc.err)
		}
	}
}

func TestRawReadErrorIsEIOForThatRangeOnly(t *testing.T) {
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	const badOff, badLen = 256 << 10, 64 << 10
	var logs testutil.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	src := failingSource{bytes.NewReader(data), badOff, badLen}
	dir := mountFS(t, NewRaw("disc.iso", src, time.Now(), &Options{Logger: logger}), nil)

	fh, err := os.Open(filepath.Join(dir, "disc.iso"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	buf := make([]byte, 4096)
	for off := int64(0); off < int64(len(data)); off += int64(len(buf)) {
		n, err := fh.ReadAt(buf, off)
		bad := off >= badOff && off < badOff+badLen
		switch {
		case bad && !errors.Is(err, syscall.EIO):
			t.Fatalf("read at %d in the bad range: %d, %v; want EIO", off, n, err)
		case !bad && (err != nil || !bytes.Equal(buf[:n], data[off:off+int64(n)]) || n != len(buf)):
			t.Fatalf("read at %d outside the bad range: %d, %v", off, n, err)
		}
	}
	errLines := strings.Count(logs.String(), "level=ERROR")
	if errLines != 1 || !strings.Contains(logs.String(), "err.chunk=3 err.image_offset=262144") {
		t.Errorf("want exactly one error line naming chunk 3 at image offset 262144; log:\n%s", logs.String())
	}
}

func TestPermitRefusesCallers(t *testing.T) {
	f := NewRaw("disc.iso", newHoleySource(), time.Now(), &Options{Permit: func(uid uint32) bool { return false }})
	dir := mountFS(t, f, nil)
	// Another process: requests of the serving process itself are allowed.
	out, err := exec.Command("ls", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("ls by a refused caller: %v, %s; want permission denied", err, out)
	}
}

func TestLastUse(t *testing.T) {
	f := NewRaw("disc.iso", newHoleySource(), time.Now(), nil)
	dir := mountFS(t, f, nil)
	before := f.LastUse()
	time.Sleep(10 * time.Millisecond)
	if _, err := os.ReadFile(filepath.Join(dir, "disc.iso")); err != nil {
		t.Fatal(err)
	}
	if !f.LastUse().After(before) {
		t.Errorf("LastUse did not move after a read: %v, before %v", f.LastUse(), before)
	}
}

// TestMountRequests checks what the mount asks of the kernel: files are
// opened without OPEN after the first (answered ENOSYS, so NO_OPEN_SUPPORT
// applies), closed without RELEASE and, after the first FLUSH (ENOSYS too),
// without FLUSH, their page cache survives
// reopening, and root's mount has [ReadAhead] of readahead.
func TestMountRequests(t *testing.T) {
	var logs testutil.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := newHoleySource()
	dir := mountFS(t, NewRaw("disc.iso", src, time.Now(), &Options{Logger: logger}), &MountOptions{Debug: true})

	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	ra, err := os.ReadFile(fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(st.Dev), unix.Minor(st.Dev)))
	if got := strings.TrimSpace(string(ra)); err != nil || got != strconv.Itoa(ReadAhead>>10) {
		t.Errorf("read_ahead_kb = %q, %v; want %d", got, err, ReadAhead>>10)
	}

	node := fmt.Sprintf(" n%d ", rawFileIno)
	count := func(op string) int { return strings.Count(logs.String(), op+node) }
	var reads []int
	for range 3 {
		fh, err := os.Open(filepath.Join(dir, "disc.iso"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.Read(make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		reads = append(reads, count("READ"))
	}
	// Release would be asynchronous: give a stray one time to show up.
	time.Sleep(100 * time.Millisecond)
	if o, r, f := count("OPEN"), count("RELEASE"), count("FLUSH"); o != 1 || r != 0 || f != 1 {
		t.Errorf("three open-read-close cycles sent OPEN %d, RELEASE %d, FLUSH %d times; want 1, 0, 1. Request log:\n%s", o, r, f, logs.String())
	}
	if reads[0] == 0 || reads[2] != reads[0] {
		t.Errorf("READs after each cycle: %v; want some for the first and none after (the page cache must survive reopening)", reads)
	}
}
