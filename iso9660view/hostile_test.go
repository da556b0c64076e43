package iso9660view

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

func openBytes(t *testing.T, img []byte) *Image {
	t.Helper()
	im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func wantFormatErr(t *testing.T, what string, err error, contains string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), contains) {
		t.Errorf("%s: error %v, want a *FormatError mentioning %q", what, err, contains)
	}
}

func TestSynthBasics(t *testing.T) {
	data := []byte("synthetic contents")
	im := openBytes(t, synthImage(true, cat(
		dirRec("FILE.TXT;1", 19, uint32(len(data)), 0, cat(nmEntry(0, "file.txt"), pxEntry(0o100640))),
	), data))
	got, err := fs.ReadFile(im, "file.txt")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	e, _ := im.Lookup("file.txt")
	if e.Mode() != 0o640 || !e.HasOwner() {
		t.Errorf("mode %v owner %v", e.Mode(), e.HasOwner())
	}
	if info := im.Info(); info.VolumeID != "SYNTHETIC" || info.SystemID != "SYNTH" || !info.RockRidge {
		t.Errorf("Info = %+v", info)
	}
}

// Continuation areas that loop, or point past the image, make the entry
// unreadable with a clear error; the directory still lists.
func TestContinuationAreaLoopAndRange(t *testing.T) {
	loop := cat(nmEntry(1, "b"), ceEntry(19, 0, 64)) // the area points at itself
	im := openBytes(t, synthImage(true, cat(
		dirRec("LOOP;1", 0, 0, 0, cat(nmEntry(1, "loop-"), ceEntry(19, 0, 64))),
		dirRec("PAST;1", 0, 0, 0, cat(nmEntry(0, "past"), ceEntry(1000, 0, 64))),
		dirRec("HUGE;1", 0, 0, 0, cat(nmEntry(0, "huge"), ceEntry(19, 0, 1<<30))),
	), loop))
	kids, err := im.Root().ReadDir()
	if err != nil || len(kids) != 3 {
		t.Fatalf("ReadDir = %d entries, %v", len(kids), err)
	}
	for _, k := range kids {
		_, err := k.Open()
		switch {
		case strings.HasPrefix(k.Name(), "loop-"):
			wantFormatErr(t, k.Name(), err, "loop")
		case k.Name() == "past":
			wantFormatErr(t, k.Name(), err, "past the end")
		case k.Name() == "huge":
			wantFormatErr(t, k.Name(), err, "continuation areas total")
		default:
			t.Errorf("unexpected entry %q", k.Name())
		}
	}
}

// A subdirectory pointing at an ancestor, directly or through a Rock Ridge
// CL entry, is reported instead of being walked forever.
func TestDirectoryLoops(t *testing.T) {
	im := openBytes(t, synthImage(true, cat(
		dirRec("SELF", 18, sectorSize, flagDir, nmEntry(0, "self")),
		dirRec("CL;1", 0, 0, 0, cat(nmEntry(0, "cl"), clEntry(18))),
	)))
	for _, name := range []string{"self", "cl"} {
		e, err := im.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if !e.IsDir() {
			t.Errorf("%s is not a directory", name)
		}
		_, err = e.ReadDir()
		wantFormatErr(t, name, err, "loop")
	}
	if n := exercise(t, im, 1000, 1<<20); n > 10 {
		t.Errorf("walk visited %d entries", n)
	}
}

// Extents past the end of the image: listed, unreadable.
func TestExtentPastImage(t *testing.T) {
	im := openBytes(t, synthImage(false, cat(
		dirRec("FILE.BIN;1", 19, 5000, 0, nil),
		dirRec("DIR", 500, sectorSize, flagDir, nil),
	), make([]byte, sectorSize)))
	f, err := im.Lookup("FILE.BIN")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Open()
	wantFormatErr(t, "file", err, "past the end")
	d, _ := im.Lookup("DIR")
	_, err = d.ReadDir()
	wantFormatErr(t, "dir", err, "past the end")
}

// Names: Rock Ridge names that are empty, ".", "..", contain "/" or NUL,
// or repeat are renamed, never dropped; associated files are hidden.
func TestNameSanitizing(t *testing.T) {
	im := openBytes(t, synthImage(true, cat(
		dirRec("A;1", 0, 0, 0, nmEntry(0, "same")),
		dirRec("B;1", 0, 0, 0, nmEntry(0, "same")),
		dirRec("C;1", 0, 0, 0, nmEntry(0, "a/b")),
		dirRec("D;1", 0, 0, 0, nmEntry(0, "nul\x00x")),
		dirRec("E;1", 0, 0, 0, nmEntry(2, "")), // NM "." flag
		dirRec("F;1", 0, 0, 0, nmEntry(0, "..")),
		dirRec("G;1", 0, 0, 0, nmEntry(0, "")),
		dirRec("H;1", 0, 0, 0, nmEntry(0, "same~2")),
		dirRec("H;1", 0, 0, flagAssociated, nmEntry(0, "assoc")),
		dirRec("I;1", 0, 0, 0, ceEntry(19, 0, 2*(5+150))), // a 300-byte name in a continuation area
	), cat(nmEntry(1, strings.Repeat("z", 150)), nmEntry(0, strings.Repeat("z", 150)))))
	var names []string
	kids, err := im.Root().ReadDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kids {
		names = append(names, k.Name())
	}
	want := []string{"_..~2", "_.~2", "_~2", "a_b~2", "nul_x~2", "same", "same~2", "same~3", strings.Repeat("z", 253) + "~2"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("names:\n got %q\nwant %q", names, want)
	}
}

// Interleaved files (file unit size and gap) are read unit by unit.
func TestInterleavedFile(t *testing.T) {
	a := bytes.Repeat([]byte("A"), sectorSize)
	b := bytes.Repeat([]byte("B"), sectorSize)
	c := []byte("C-tail")
	gap := bytes.Repeat([]byte("G"), sectorSize)
	rec := dirRec("IL.BIN;1", 19, uint32(2*sectorSize+len(c)), 0, nil)
	rec[26], rec[27] = 1, 1 // one block of data, then one block of gap
	im := openBytes(t, synthImage(false, rec, a, gap, b, gap, c))
	got, err := fs.ReadFile(im, "IL.BIN")
	if err != nil || !bytes.Equal(got, cat(a, b, c)) {
		t.Fatalf("ReadFile = %d bytes, %v", len(got), err)
	}
}

// Multi-extent records join into one file.
func TestSyntheticMultiExtent(t *testing.T) {
	p1, p2, p3 := bytes.Repeat([]byte("1"), sectorSize), bytes.Repeat([]byte("2"), sectorSize), []byte("three")
	im := openBytes(t, synthImage(false, cat(
		dirRec("M.BIN;1", 19, sectorSize, flagMulti, nil),
		dirRec("M.BIN;1", 21, sectorSize, flagMulti, nil),
		dirRec("M.BIN;1", 20, uint32(len(p3)), 0, nil),
		dirRec("N.BIN;1", 20, uint32(len(p3)), 0, nil),
	), p1, p3, p2))
	got, err := fs.ReadFile(im, "M.BIN")
	if err != nil || !bytes.Equal(got, cat(p1, p2, p3)) {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	kids, _ := im.Root().ReadDir()
	if len(kids) != 2 {
		t.Errorf("%d entries, want 2", len(kids))
	}
}

func TestNotISO(t *testing.T) {
	img := make([]byte, 20*sectorSize)
	if _, err := Open(bytes.NewReader(img), int64(len(img)), nil); !errors.Is(err, ErrNotISO9660) || errors.Is(err, ErrUDFOnly) {
		t.Errorf("zeros: %v", err)
	}
	for i, id := range []string{"BEA01", "NSR02", "TEA01"} {
		copy(img[(16+i)*sectorSize+1:], id)
	}
	_, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	if !errors.Is(err, ErrUDFOnly) || !errors.Is(err, ErrNotISO9660) {
		t.Errorf("UDF-only: %v", err)
	}
	if _, err := Open(bytes.NewReader(img[:100]), 100, nil); !errors.Is(err, ErrNotISO9660) {
		t.Errorf("tiny: %v", err)
	}
}

// A UDF bridge image (ISO 9660 descriptors, then a UDF recognition
// sequence) opens and says so.
func TestUDFBridge(t *testing.T) {
	img := synthImage(false, nil, nil, nil, nil)
	// The recognition sequence follows the terminator: move the root
	// directory from 18 to 21 to make room.
	copy(img[21*sectorSize:22*sectorSize], img[18*sectorSize:19*sectorSize])
	for _, off := range []int{16*sectorSize + 156, 21 * sectorSize, 21*sectorSize + 34} {
		copy(img[off+2:], both32(21))
	}
	for i, id := range []string{"BEA01", "NSR03", "TEA01"} {
		s := img[(18+i)*sectorSize : (19+i)*sectorSize]
		clear(s)
		copy(s[1:], id)
	}
	im := openBytes(t, img)
	if !im.Info().UDF {
		t.Error("UDF not reported")
	}
}

// iotest.TestReader-style checks of the reader on a real file are in the
// fixture tests; here the edges of ReadAt.
func TestReadAtEdges(t *testing.T) {
	data := []byte("0123456789")
	im := openBytes(t, synthImage(false, dirRec("F;1", 19, 10, 0, nil), data))
	e, _ := im.Lookup("F")
	r, _ := e.Open()
	buf := make([]byte, 4)
	if n, err := r.ReadAt(buf, 8); n != 2 || err != io.EOF || string(buf[:2]) != "89" {
		t.Errorf("ReadAt(8) = %d, %v", n, err)
	}
	if n, err := r.ReadAt(buf, 10); n != 0 || err != io.EOF {
		t.Errorf("ReadAt(10) = %d, %v", n, err)
	}
	if _, err := r.ReadAt(buf, -1); err == nil {
		t.Error("ReadAt(-1) succeeded")
	}
}

// TestMaxEntries: the directories of an image hold no more entries at once
// than Options.MaxEntries (testutil.CheckMaxEntries).
func TestMaxEntries(t *testing.T) {
	img, _ := fixture(t, testutil.EntryBudgetTree(), "xorriso", "-as", "mkisofs", "-quiet", "-R", "-o", "$OUT", "$SRC")
	testutil.CheckMaxEntries(t, openImage(t, img, &Options{MaxEntries: 15}), ErrFormat)
	if _, err := openImage(t, img, nil).ReadDir("c"); err != nil {
		t.Errorf("without MaxEntries: %v", err)
	}
}
