package iso9660view

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/testutil"
)

// Fuzz targets. Each builds an image around the fuzzer's bytes, opens it and
// walks the whole tree with exercise (bounded entries, bounded reads): the
// only failure is a panic, a hang or an untyped Open error.

// fuzzWalk opens img with and without Rock Ridge and walks it, then
// checks that a listing cache of one listing shows the same tree as one
// that keeps every listing.
func fuzzWalk(t *testing.T, img []byte) {
	for _, opts := range []Options{{}, {NoRock: true}, {NoRock: true, NoJoliet: true}} {
		im, err := Open(bytes.NewReader(img), int64(len(img)), &opts)
		if err != nil {
			checkErr(t, "Open", err)
			return
		}
		exercise(t, im, 2000, 256<<10)
		dump := func(cache int64) string {
			o := opts
			o.DirCache = cache
			im, err := Open(bytes.NewReader(img), int64(len(img)), &o)
			if err != nil {
				t.Fatalf("Open succeeded, then failed with DirCache %d: %v", cache, err)
			}
			return testutil.DumpTree(im.Root(), 2000, nil)
		}
		if all, one := dump(1<<30), dump(1); all != one || strings.Contains(all, "MISMATCH") {
			t.Fatalf("%+v: a one-listing cache shows\n%s\nfor\n%s", opts, one, all)
		}
	}
}

// systemArea is what FuzzOpen puts in front of its input: the 16 sectors
// before the volume descriptors carry nothing the reader looks at, and
// leaving them out keeps the inputs small.
const systemArea = firstDescriptor * sectorSize

// FuzzOpen takes whole images (without their system area); the seeds are
// small images made by genisoimage and xorriso.
func FuzzOpen(f *testing.F) {
	for _, img := range fuzzSeedImages(f) {
		f.Add(img[systemArea:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzWalk(t, append(make([]byte, systemArea), data...))
	})
}

// FuzzVolumeDescriptors fuzzes the descriptor set: the input replaces
// sectors 16 on of a small valid image (whose root directory follows).
func FuzzVolumeDescriptors(f *testing.F) {
	base := synthImage(true, dirRec("F;1", 19, 5, 0, nmEntry(0, "f")), []byte("hello"))
	f.Add(base[16*sectorSize : 18*sectorSize])
	joliet := bytes.Clone(base[16*sectorSize : 18*sectorSize])
	svd := bytes.Clone(joliet[:sectorSize])
	svd[0] = vdTypeSupplement
	copy(svd[88:], "%/E")
	f.Add(cat(joliet[:sectorSize], svd, joliet[sectorSize:]))
	boot := make([]byte, sectorSize)
	copy(boot[1:], "CD001\x01EL TORITO SPECIFICATION")
	binary.LittleEndian.PutUint32(boot[71:], 19)
	f.Add(cat(joliet[:sectorSize], boot, joliet[sectorSize:]))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8*sectorSize {
			return
		}
		img := bytes.Clone(base)
		copy(img[16*sectorSize:18*sectorSize], data)
		if len(data) > 2*sectorSize {
			img = append(img[:16*sectorSize], data...)
			img = append(img, base[18*sectorSize:]...)
		}
		fuzzWalk(t, img)
	})
}

// FuzzDirectory fuzzes directory records: the input follows the "." and
// ".." records of a Rock Ridge root directory, and is also the contents of
// sectors 19 and 20, where records may point (extents, continuation areas,
// relocated directories).
func FuzzDirectory(f *testing.F) {
	f.Add(cat(
		dirRec("A.TXT;1", 19, 100, 0, cat(nmEntry(0, "a.txt"), pxEntry(0o100644))),
		dirRec("SUB", 19, sectorSize, flagDir, nmEntry(0, "sub")),
		dirRec("M;1", 19, 10, flagMulti, nil),
		dirRec("M;1", 20, 10, 0, nil),
		dirRec("L;1", 0, 0, 0, cat(nmEntry(0, "link"), pxEntry(0o120777), suEntry("SL", 0, 0, 3, 'a', 'b', 'c'))),
		dirRec("CL;1", 0, 0, 0, cat(nmEntry(0, "moved"), clEntry(19))),
	))
	// A DAG: siblings sharing one directory extent, which (being these
	// records again) holds two more.
	f.Add(cat(
		dirRec("A", 19, sectorSize, flagDir, nmEntry(0, "a")),
		dirRec("B", 19, sectorSize, flagDir, nmEntry(0, "b")),
		dirRec("C", 20, sectorSize, flagDir, nmEntry(0, "c")),
	))
	// Overlapping directories, and a directory as dense as records go
	// (34-byte records) spanning two sectors of them.
	dense := cat(dirRec("BIG", 19, 2*sectorSize, flagDir, nil), dirRec("IN", 20, sectorSize, flagDir, nil))
	for len(dense)+34 <= sectorSize-128 {
		dense = append(dense, dirRec(string(rune('a'+len(dense)%26)), 21, 0, 0, nil)...)
	}
	f.Add(dense)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > sectorSize-128 { // room for "." (with SP) and ".."
			return
		}
		img := synthImage(true, data, data, data)
		fuzzWalk(t, img)
	})
}

// FuzzSUSP fuzzes one record's system use area and the continuation area
// it may point to (sector 19).
func FuzzSUSP(f *testing.F) {
	f.Add(cat(nmEntry(0, "name"), pxEntry(0o100644), suEntry("TF", 0x0E, 121, 1, 1, 0, 0, 0, 0, 121, 1, 1, 0, 0, 0, 0, 121, 1, 1, 0, 0, 0, 0)), []byte{})
	f.Add(cat(nmEntry(1, "con"), ceEntry(19, 0, 40)), cat(nmEntry(0, "tinued"), suEntry("SL", 0, 8, 0, 0, 3, 'e', 't', 'c'), ceEntry(19, 0, 40)))
	f.Add(cat(pxEntry(0o100644), suEntry("ZF", 'p', 'z', 4, 15, 0, 1, 0, 0, 0, 0, 1, 0)), cat(zisofsMagic, []byte{0, 1, 0, 0, 4, 15, 0, 0}))
	f.Add(cat(pxEntry(0o020644), suEntry("PN", cat(both32(0), both32(0x0103))...)), []byte{})
	f.Fuzz(func(t *testing.T, su, ce []byte) {
		if len(su) > 200 || len(ce) > sectorSize {
			return
		}
		img := synthImage(true, dirRec("F;1", 19, uint32(len(ce)), 0, su), ce)
		fuzzWalk(t, img)
	})
}

// fuzzSeedImages makes small real images for FuzzOpen's seed corpus.
func fuzzSeedImages(tb testing.TB) [][]byte {
	nodes := []node{
		{Path: "d/e/f/g/h/i/j/k/l/deep", Data: []byte("deep")},
		{Path: "name-longer-than-eight-characters.txt", Data: []byte("x")},
		{Path: "link", Mode: fs.ModeSymlink, Target: "name-longer-than-eight-characters.txt"},
		{Path: "text", Data: bytes.Repeat([]byte("zisofs "), 1500)},
		{Path: "hard", LinkTo: "text"},
	}
	var out [][]byte
	for _, args := range [][]string{
		{"genisoimage", "-quiet", "-no-pad", "-R", "-J", "-o", "$OUT", "$SRC"},
		{"xorriso", "-outdev", "$OUT", "-padding", "0", "-map", "$SRC", "/", "-set_filter_r", "--zisofs", "/text", "--", "-commit"},
	} {
		dir := tb.TempDir()
		testutil.WriteTree(tb, dir+"/src", nodes)
		img, err := os.ReadFile(mkimage(tb, dir, dir+"/src", args[0], args[1:]...))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, bytes.TrimRight(img, "\x00")) // keep inputs small: the fuzzer is slow on big ones
	}
	return out
}
