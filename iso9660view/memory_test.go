package iso9660view

import (
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// bigDirImage builds an image whose root holds one directory, "BIG", of n
// file records (distinct names, 42 to 44 bytes each), all pointing
// at one data sector: the shape of a tiny compressed image that expands to
// millions of valid records.
func bigDirImage(n int) []byte {
	const perSector = sectorSize / 44
	nsec := (n + perSector - 1) / perSector
	data := []byte("data")
	first := uint32(19 + 1) // sector 19 holds the data
	secs := make([][]byte, 0, 1+nsec)
	secs = append(secs, data)
	for s := range nsec {
		var sec []byte
		for k := s * perSector; k < min(n, (s+1)*perSector); k++ {
			sec = append(sec, dirRec(fmt.Sprintf("F%06d;1", k), 19, 4, 0, nil)...)
		}
		secs = append(secs, sec)
	}
	return synthImage(false, dirRec("BIG", first, uint32(nsec*sectorSize), flagDir, nil), secs...)
}

// TestDirectoryEntryMemory lists a directory of 100,000 files: what the
// listing allocates, and what it keeps, per entry stay small, since the
// listing cache keeps up to Options.DirCache of them; and the cache's
// estimate of what it keeps (entryBytes and the names) is near the heap's
// count.
func TestDirectoryEntryMemory(t *testing.T) {
	const n = 100_000
	img := bigDirImage(n)
	im := openBytes(t, img)
	big, err := im.Lookup("BIG")
	if err != nil {
		t.Fatal(err)
	}
	var kids []*Entry
	allocated, retained := testutil.HeapDuring(func() {
		kids, err = big.children()
	})
	if err != nil || len(kids) != n {
		t.Fatalf("listed %d entries, %v", len(kids), err)
	}
	estimate := uint64(im.listings.Used())
	t.Logf("%d entries: %d bytes allocated, %d kept per entry, %d estimated", n, allocated/n, retained/n, estimate/n)
	// Measured: 404 and 152 (420 and 192 before the extent was held in
	// place and the image reached through the parent; 516 and 224 before
	// entries were packed).
	if allocated/n > 440 || retained/n > 160 {
		t.Errorf("per entry: %d bytes allocated, %d kept; want at most 440 and 160", allocated/n, retained/n)
	}
	if estimate < retained*9/10 || estimate > retained*11/10 {
		t.Errorf("the listing cache counts %d bytes per entry, the heap %d", estimate/n, retained/n)
	}
	runtime.KeepAlive(img)
}

// TestHugeDirectoryRefusedCheaply: a directory of more than maxDirEntries
// valid records is refused with a typed error before its entries are
// built, so the refusal costs next to nothing.
func TestHugeDirectoryRefusedCheaply(t *testing.T) {
	img := bigDirImage(maxDirEntries + 1)
	im := openBytes(t, img)
	big, err := im.Lookup("BIG")
	if err != nil {
		t.Fatal(err)
	}
	allocated, _ := testutil.HeapDuring(func() { _, err = big.ReadDir() })
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrUnsupported) || fe.Path != "BIG" {
		t.Fatalf("ReadDir: %v; want an ErrUnsupported *FormatError for BIG", err)
	}
	t.Logf("refusing %d records allocated %d KiB", maxDirEntries+1, allocated>>10)
	// What it costs is the claim on the directory's 22,800 blocks (about
	// 1.2 MiB); building the entries first cost 207 MiB.
	if allocated > 4<<20 {
		t.Errorf("refusing the directory allocated %d bytes, want at most 4 MiB", allocated)
	}
}

// dagImage builds a chain of levels directories deep in which every
// directory holds two subdirectories, "A" and "B", that both point at the
// next level's one extent: a DAG, not a loop, whose paths double at each
// level (2^levels of them) while the image holds levels+1 directories.
func dagImage(levels int) []byte {
	pair := func(next uint32) []byte {
		return cat(dirRec("A", next, sectorSize, flagDir, nil), dirRec("B", next, sectorSize, flagDir, nil))
	}
	secs := make([][]byte, levels)
	for k := range secs {
		self, parent := uint32(19+k), uint32(18+k)
		sec := cat(dirRec("\x00", self, sectorSize, flagDir, nil), dirRec("\x01", parent, sectorSize, flagDir, nil))
		if k < levels-1 {
			sec = append(sec, pair(self+1)...)
		} else {
			sec = append(sec, dirRec("LEAF;1", 0, 0, 0, nil)...)
		}
		secs[k] = sec
	}
	return synthImage(false, pair(19), secs...)
}

// TestDirectoryDAG: directories sharing an extent are listed once, through
// the first path that reaches them; the others are directories that cannot
// be read, with an ErrFormat naming the path that lists it, and inode
// numbers of their own (a FUSE mount must not see one directory twice). A walk of a
// 30-level DAG (a billion paths) visits each directory once.
func TestDirectoryDAG(t *testing.T) {
	const levels = 30
	im := openBytes(t, dagImage(levels))
	a, err := im.Lookup("A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReadDir(); err != nil {
		t.Fatalf("first path: %v", err)
	}
	b, err := im.Lookup("B")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.ReadDir()
	wantFormatErr(t, "B", err, `with directory "/A", listed first`)
	if a.Inode() == b.Inode() {
		t.Errorf("A and B share inode %d", a.Inode())
	}
	// exercise lists every path twice (Entry API, then fs.WalkDir, which
	// also counts each unreadable B): a few entries per level.
	if n, want := exercise(t, im, 1_000_000, 1<<20), 6*levels; n > want {
		t.Errorf("walk visited %d entries, want at most %d", n, want)
	}
	// A directory starting inside another one's extent is refused the same way.
	over := synthImage(false, cat(
		dirRec("OUTER", 19, 2*sectorSize, flagDir, nil),
		dirRec("INNER", 20, sectorSize, flagDir, nil),
	), cat(dirRec("\x00", 19, 2*sectorSize, flagDir, nil), dirRec("\x01", 18, sectorSize, flagDir, nil)),
		cat(dirRec("\x00", 20, sectorSize, flagDir, nil), dirRec("\x01", 18, sectorSize, flagDir, nil), dirRec("F;1", 0, 0, 0, nil)))
	im = openBytes(t, over)
	if _, err := im.ReadDir("OUTER"); err != nil {
		t.Fatalf("OUTER: %v", err)
	}
	e, _ := im.Lookup("INNER")
	_, err = e.ReadDir()
	wantFormatErr(t, "INNER", err, `with directory "/OUTER"`)
	if outer, _ := im.Lookup("OUTER"); e.Inode() == outer.Inode() || e.Inode() == 20*sectorSize {
		t.Errorf("the refused directory has inode %d, OUTER %d: want one of its own", e.Inode(), outer.Inode())
	}
}
