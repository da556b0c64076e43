package udfview

import (
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// recorder is an io.ReaderAt with a ReadAtOnce method (see onceReader)
// that records the reads made through it: offset, length, and 1 for
// ReadAtOnce, 0 for ReadAt.
type recorder struct {
	r     io.ReaderAt
	mu    sync.Mutex
	reads [][3]int64
}

func (c *recorder) ReadAt(p []byte, off int64) (int, error) { return c.read(p, off, 0) }

func (c *recorder) ReadAtOnce(p []byte, off int64) (int, error) { return c.read(p, off, 1) }

func (c *recorder) read(p []byte, off, once int64) (int, error) {
	c.mu.Lock()
	c.reads = append(c.reads, [3]int64{off, int64(len(p)), once})
	c.mu.Unlock()
	return c.r.ReadAt(p, off)
}

// take returns the reads recorded since the last call.
func (c *recorder) take() [][3]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reads
	c.reads = nil
	return r
}

// TestReadsWhatItNeeds checks what the genisoimage bridge disc costs to
// read, where genisoimage puts each directory's file entry with the
// directory's own data, away from its siblings': a listing reads its
// children's file entries forward through the image, and only the blocks
// up to the last it needs, not a fixed window for each subdirectory; and
// reading a file after its directory was listed reads its data and nothing
// else (no second read of its file entry; nothing at all for an empty one).
// Metadata is read through ReadAtOnce, a file's contents through ReadAt.
func TestReadsWhatItNeeds(t *testing.T) {
	img := genisoimageFixture(t)
	f, size := testutil.OpenFile(t, img)
	rec := &recorder{r: f}
	im, err := Open(rec, size, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.take() {
		if r[2] != 1 {
			t.Errorf("Open read %d bytes at %d through ReadAt, not ReadAtOnce", r[1], r[0])
		}
	}

	// Listing the root reads its file entry and data, then its children's
	// file entries in block order, at most twice the blocks they take.
	kids, err := im.Root().children()
	if err != nil {
		t.Fatal(err)
	}
	reads := rec.take()
	var want []int64
	for _, k := range kids {
		off, _, err := im.mapRun(k.icb.part, k.icb.lbn, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, off)
	}
	slices.Sort(want)
	var got []int64
	var bytes int64
	for _, r := range reads[2:] { // after the directory's file entry and data
		got = append(got, r[0])
		bytes += r[1]
	}
	for _, r := range reads {
		if r[2] != 1 {
			t.Errorf("listing the root read %d bytes at %d through ReadAt, not ReadAtOnce", r[1], r[0])
		}
	}
	if !slices.IsSorted(got) || bytes > int64(len(kids))*im.bs*2 {
		t.Errorf("listing the root's %d children read %v (offset, length) after its data; their file entries are at %v", len(kids), reads[2:], want)
	}

	for _, name := range []string{"data/big.bin", "data/empty"} {
		e, err := im.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		rec.take()
		data := readEntry(t, e)
		reads = rec.take()
		var n int64
		for _, r := range reads {
			n += r[1]
			if r[2] != 0 {
				t.Errorf("reading %s read %d bytes at %d through ReadAtOnce, not ReadAt", name, r[1], r[0])
			}
		}
		if n != e.Size() || int64(len(data)) != e.Size() {
			t.Errorf("reading the %d bytes of %s read %d bytes of the image: %v", e.Size(), name, n, reads)
		}
	}
}
