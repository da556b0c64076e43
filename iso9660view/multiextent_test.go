package iso9660view

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/iszmount/iszmount/internal/testutil"
)

// sparseImage is an image held in memory with its all-zero blocks left out:
// a 5 GiB ISO of a sparse file costs a few megabytes.
type sparseImage struct {
	size   int64
	blocks map[int64][]byte // block index -> data; missing blocks are zero
}

const sparseBlock = 64 << 10

// captureSparse reads an image from r (a mastering tool's stdout).
func captureSparse(r io.Reader) (*sparseImage, error) {
	s := &sparseImage{blocks: make(map[int64][]byte)}
	buf := make([]byte, sparseBlock)
	zero := make([]byte, sparseBlock)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if !bytes.Equal(buf[:n], zero[:n]) {
				s.blocks[s.size/sparseBlock] = bytes.Clone(buf[:n])
			}
			s.size += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (s *sparseImage) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off < s.size {
		blk, within := off/sparseBlock, off%sparseBlock
		m := int(min(sparseBlock-within, s.size-off, int64(len(p)-n)))
		if b := s.blocks[blk]; b != nil {
			copy(p[n:n+m], b[within:])
		} else {
			clear(p[n : n+m])
		}
		n, off = n+m, off+int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// A 5 GiB file is stored as two extents (ISO 9660 sizes are 32-bit) and
// must read back as one file. The source file is sparse and the image is
// piped from xorriso into a sparse in-memory image, so the test writes
// almost nothing to disk.
func TestMultiExtent5GiB(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	testutil.WriteTree(t, src, []node{{Path: "small/readme.txt", Data: []byte("beside a big file")}})
	big := filepath.Join(src, "big", "five.bin")
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	const size = 5 << 30
	const boundary = 4<<30 - sectorSize // xorriso's first extent length
	marks := map[int64][]byte{
		0:                  testutil.Pseudo(11, 4096),
		boundary - 300_000: testutil.Pseudo(12, 600_000), // straddles the extent boundary
		4<<30 + 1_000_000:  []byte("beyond four gibibytes"),
		size - 5000:        testutil.Pseudo(13, 5000), // the very end
	}
	for off, b := range marks {
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	testutil.SetTimes(t, src)

	cmd := exec.Command("xorriso", "-as", "mkisofs", "-R", "-iso-level", "3", "-o", "-", src)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	img, err := captureSparse(stdout)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, stderr.String())
	}

	im, err := Open(img, img.size, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := im.Lookup("big/five.bin")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.extents()) < 2 {
		t.Fatalf("five.bin has %d extent(s); the fixture does not test multi-extent files", len(e.extents()))
	}
	if e.Size() != size {
		t.Fatalf("size %d, want %d", e.Size(), size)
	}
	// Compare the whole file with the source, 4 MiB at a time; chunks that
	// are holes in the source must read as zeros (checked without reading
	// gigabytes of holes from the source too).
	r, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	sf, err := os.Open(big)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	got, want := make([]byte, 4<<20), make([]byte, 4<<20)
	for off := int64(0); off < size; off += int64(len(got)) {
		n, err := r.ReadAt(got, off)
		if n != len(got) && !(err == io.EOF && off+int64(n) == size) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
		hole := true
		for mo, mb := range marks {
			if mo < off+int64(n) && mo+int64(len(mb)) > off {
				hole = false
			}
		}
		var m int
		if hole {
			m = n
			clear(want)
		} else {
			m, _ = sf.ReadAt(want, off)
		}
		if n != m || !bytes.Equal(got[:n], want[:m]) {
			t.Fatalf("contents differ in the 4 MiB at byte %d", off)
		}
	}
	// A read across the boundary in one call.
	b := make([]byte, 600_000)
	if _, err := r.ReadAt(b, boundary-300_000); err != nil || !bytes.Equal(b, marks[boundary-300_000]) {
		t.Errorf("read across the extent boundary: %v", err)
	}
	// The rest of the image through fstest (reading five GiB several times
	// over is not a test of anything more).
	small, err := fs.Sub(im, "small")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(small, "readme.txt"); err != nil {
		t.Error(err)
	}
}
