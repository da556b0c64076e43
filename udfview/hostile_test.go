package udfview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/discfs"

	"github.com/iszmount/iszmount/internal/testutil"
)

// checkTyped fails unless err is nil or one of the documented errors.
func checkTyped(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *FormatError
	switch {
	case errors.As(err, &fe) && (errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported)):
	case errors.Is(err, ErrNotUDF), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid), errors.Is(err, discfs.ErrTooManyLinks):
	default:
		t.Errorf("%s: untyped error %T %v", what, err, err)
	}
}

// sameWithTinyCache checks that a listing cache of one listing, which
// parses every directory again and again, shows the tree of img as one
// that keeps every listing.
func sameWithTinyCache(t testing.TB, img []byte) {
	t.Helper()
	dump := func(cache int64) string {
		im, err := Open(bytes.NewReader(img), int64(len(img)), &Options{DirCache: cache})
		if err != nil {
			t.Fatalf("Open succeeded, then failed with DirCache %d: %v", cache, err)
		}
		return testutil.DumpTree(im.Root(), 2000, nil)
	}
	if all, one := dump(1<<30), dump(1); all != one || strings.Contains(all, "MISMATCH") {
		t.Fatalf("a one-listing cache shows\n%s\nfor\n%s", one, all)
	}
}

// exercise opens an image and reads all of it: every directory, every
// file (the first and last 64 KiB of big ones), every link target, up to
// 20,000 entries (a fuzzed directory may name another many times over). It
// returns the first error met (all checked to be typed).
func exercise(t testing.TB, img []byte) (first error) {
	t.Helper()
	note := func(what string, err error) {
		checkTyped(t, what, err)
		if first == nil && err != nil {
			first = err
		}
	}
	im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	note("open", err)
	if err != nil {
		return first
	}
	sameWithTinyCache(t, img)
	_ = im.Info()
	budget := 20000
	var walk func(e *Entry, depth int)
	walk = func(e *Entry, depth int) {
		if budget--; budget < 0 {
			return
		}
		_, _, _, _ = e.Mode(), e.Size(), e.ModTime(), e.Nlink()
		if e.IsDir() {
			kids, err := e.ReadDir()
			note(e.Path(), err)
			for _, k := range kids {
				walk(k, depth+1)
			}
			return
		}
		if e.Mode()&fs.ModeSymlink != 0 {
			_, err := im.Lookup(e.Path() + "/x")
			note(e.Path(), err)
			return
		}
		if !e.Mode().IsRegular() {
			return
		}
		r, err := e.Open()
		note(e.Path(), err)
		if err != nil {
			return
		}
		buf := make([]byte, min(e.Size(), 64<<10))
		for _, off := range []int64{0, e.Size() - int64(len(buf))} {
			_, err := r.ReadAt(buf, off)
			if err == io.EOF {
				err = nil
			}
			note(e.Path(), err)
		}
	}
	walk(im.Root(), 0)
	return first
}

// TestReserveVDS damages the main volume descriptor sequence: the reserve
// one is used.
func TestReserveVDS(t *testing.T) {
	b, img, want := handImage(t, "plain", 2048)
	img[257*b.bs+30] ^= 0xff // inside the primary volume descriptor's CRC
	im := openBytes(t, img)
	if !im.Info().ReserveVDS {
		t.Error("main VDS used")
	}
	checkHandTree(t, im, want)
	// Both damaged: a typed error naming the main one's block.
	img[270*b.bs+30] ^= 0xff
	_, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != 257*2048 {
		t.Errorf("both damaged: %v", err)
	}
}

// TestAnchorFallback removes the anchor at block 256: the one at N-1 is
// found.
func TestAnchorFallback(t *testing.T) {
	b, img, want := handImage(t, "plain", 512)
	clear(img[256*b.bs : 257*b.bs])
	checkHandTree(t, openBytes(t, img), want)
	clear(img[len(img)-b.bs:])
	if _, err := Open(bytes.NewReader(img), int64(len(img)), nil); !errors.Is(err, ErrNotUDF) {
		t.Errorf("no anchor: %v", err)
	}
}

// TestMetadataMirror damages the metadata file's entry (the mirror file is
// used), then one block of the metadata file itself (that block is read
// from the mirror).
func TestMetadataMirror(t *testing.T) {
	b, img, want := handImage(t, "metadata", 2048)
	img[b.metaFE*b.bs+100] ^= 0xff
	im := openBytes(t, img)
	if !im.Info().MetadataMirror {
		t.Error("metadata file used")
	}
	checkHandTree(t, im, want)

	b, img, want = handImage(t, "metadata", 2048)
	root := openBytes(t, img).Root()
	img[b.icbPhys[root.icb.lbn]*b.bs+40] ^= 0xff // the root's file entry
	im = openBytes(t, img)
	if im.Info().MetadataMirror {
		t.Error("mirror file used for the whole partition")
	}
	checkHandTree(t, im, want)
}

// TestStrategy4096 reads a file re-recorded under strategy 4096: the
// indirect entry after its first file entry leads to the current one. An
// indirect entry that leads back is a typed error.
func TestStrategy4096(t *testing.T) {
	b := newBuilder("plain", 2048)
	old := &hfile{name: cs8("versioned"), fileType: ftFile, perm: udfPerm(0o644), data: []byte("old"), embed: true,
		newer: &hfile{fileType: ftFile, perm: udfPerm(0o644), data: []byte("newer"), embed: true}}
	root := &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{old}}
	img := b.build(t, root)
	im := openBytes(t, img)
	if got, err := fs.ReadFile(im, "versioned"); err != nil || string(got) != "newer" {
		t.Errorf("versioned: %q %v", got, err)
	}
	// Point the indirect entry at the first entry: a loop.
	ie := img[b.icbPhys[old.ie]*b.bs:]
	binary.LittleEndian.PutUint32(ie[36+4:], old.icb)
	retag(ie)
	im = openBytes(t, img)
	_, err := im.Lookup("versioned")
	if err == nil {
		_, err = fs.ReadFile(im, "versioned")
	}
	checkTyped(t, "loop", err)
	if !errors.Is(err, ErrFormat) {
		t.Errorf("indirect entry loop: %v", err)
	}
}

// hostileCase edits a handmade plain image.
type hostileCase struct {
	name string
	edit func(b *builder, img []byte, root *Entry)
	path string // what must fail (with a typed error); "" = Open
}

// feOf returns the image bytes of the file entry of the entry at path.
func feOf(b *builder, img []byte, root *Entry, path string) []byte {
	e, err := root.im.Lookup(path)
	if err != nil {
		panic(err)
	}
	return img[b.icbPhys[e.icb.lbn]*b.bs:][:b.bs]
}

// TestHostile feeds images edited to lie: every case must give a typed
// error at the right place, never a panic, hang or huge allocation.
func TestHostile(t *testing.T) {
	le := binary.LittleEndian
	cases := []hostileCase{
		{"directory loop", nil, "sub/loop/x"},
		{"AED loop", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "chain.bin")
			lad := le.Uint32(fe[172:])
			aed := le.Uint32(fe[176+lad-16+4:]) // the last AD's block
			blk := img[(b.partStart+int(aed))*b.bs:][:b.bs]
			n := le.Uint32(blk[20:])
			copy(blk[aedHeader+n-16:], mkLongAD(uint32(extNext)<<30|uint32(b.bs), aed, 0))
			retag(blk)
		}, "chain.bin"},
		{"huge directory", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "many")
			le.PutUint64(fe[56:], 1<<62)
			retag(fe)
		}, "many"},
		{"directory longer than its extents", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "many")
			le.PutUint64(fe[56:], le.Uint64(fe[56:])+100000)
			retag(fe)
		}, "many"},
		{"file past its partition", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "efe.bin")
			le.PutUint32(fe[efeHeader+4:], 0xfffffff0)
			retag(fe)
		}, "efe.bin"},
		{"allocation descriptors past the block", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "plain.txt")
			le.PutUint32(fe[172:], 1<<30)
			retag(fe)
		}, "plain.txt"},
		{"FID past the directory end", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "sub")
			dir := img[(b.partStart+int(le.Uint32(fe[176+4:])))*b.bs:]
			// The second FID (hard3): claim 1000 bytes of implementation use.
			second := dir[40:]
			le.PutUint16(second[36:], 1000)
			retag(second)
		}, "sub"},
		{"ICB in a partition that does not exist", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "sub")
			dir := img[(b.partStart+int(le.Uint32(fe[176+4:])))*b.bs:]
			le.PutUint16(dir[40+20+8:], 7)
			retag(dir[40:])
		}, "sub/hard3"},
		{"root ICB nowhere", func(b *builder, img []byte, root *Entry) {
			fsd := img[b.fsd*b.bs:]
			le.PutUint32(fsd[400+4:], 0x7fffffff)
			retag(fsd)
		}, ""},
		{"partition map table too long", func(b *builder, img []byte, root *Entry) {
			for _, at := range []int{259, 272} {
				lvd := img[at*b.bs:]
				le.PutUint32(lvd[264:], 1<<30)
				retag(lvd)
			}
		}, ""},
		{"symlink component past its data", func(b *builder, img []byte, root *Entry) {
			fe := feOf(b, img, root, "sym")
			data := img[(b.partStart+int(le.Uint32(fe[176+4:])))*b.bs:]
			data[1] = 200
		}, "sym"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBuilder("plain", 2048)
			tree, _ := handTree(b)
			if c.name == "directory loop" {
				for _, sub := range tree.kids {
					if string(sub.name) == string(cs8("sub")) {
						sub.kids = append(sub.kids, &hfile{name: cs8("loop"), fileType: ftDir, link: tree})
					}
				}
			}
			img := b.build(t, tree)
			if c.edit != nil {
				c.edit(b, img, openBytes(t, img).Root())
			}
			im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
			if c.path == "" {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("Open: %v, want a *FormatError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := im.Lookup(c.path)
			switch {
			case err != nil:
			case e.IsDir():
				_, err = e.ReadDir()
			case e.Mode()&fs.ModeSymlink != 0:
				_, err = im.ReadLink(c.path)
			default:
				_, err = fs.ReadFile(im, c.path)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("%s: %v, want a *FormatError", c.path, err)
			} else if fe.Path == "" {
				t.Errorf("%s: error without a path: %v", c.path, err)
			}
			if first := exercise(t, img); first == nil {
				t.Error("reading everything met no error")
			}
		})
	}
}

// corruptSources are the images whose variants TestCorrupt reads: handmade
// ones of each partition kind and those of the real writers.
func corruptSources(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for _, kind := range []string{"plain", "sparable", "metadata", "virtual"} {
		_, img, _ := handImage(t, kind, 512)
		out["hand-"+kind] = img
	}
	read := func(name, path string) {
		img, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = img
	}
	img, _ := udfclientFixture(t, "hd", "2.01", 512)
	read("udfclient", img)
	img, _ = pycdlibFixture(t, "bridge", 0)
	read("pycdlib", img)
	return out
}

// TestCorrupt reads byte-flipped and truncated variants of every fixture:
// flips aimed at descriptors (each block starting with a valid tag gets
// flips in its first 256 bytes, tag included), and cuts at many lengths.
// Every outcome must be a clean read or a typed error.
func TestCorrupt(t *testing.T) {
	for name, img := range corruptSources(t) {
		t.Run(name, func(t *testing.T) {
			bs := 512
			var descs []int
			for off := 0; off+bs <= len(img); off += bs {
				if _, err := checkTag(img[off:off+bs], 0, -1, 0); err == nil && !allZero(img[off:off+16]) {
					descs = append(descs, off)
				}
			}
			if len(descs) < 10 {
				t.Fatalf("only %d descriptors found", len(descs))
			}
			r := rand.New(rand.NewPCG(1, uint64(len(img))))
			variant := make([]byte, len(img))
			errs := 0
			for i := range 400 {
				copy(variant, img)
				d := descs[r.IntN(len(descs))]
				for range 1 + i%3 {
					variant[d+r.IntN(256)] ^= byte(1 + r.IntN(255))
				}
				if exercise(t, variant) != nil {
					errs++
				}
			}
			if errs == 0 {
				t.Error("no flip was noticed")
			}
			for _, n := range []int{0, 1000, 32768, 256*512 + 100, 257 * 2048, len(img) / 2, len(img) - 2048, len(img) - 1} {
				if n >= 0 && n <= len(img) {
					checkTyped(t, fmt.Sprint("truncated to ", n), exercise(t, img[:n]))
				}
			}
		})
	}
}

// TestNotUDF: images without a UDF anchor give ErrNotUDF, whatever else
// they hold.
func TestNotUDF(t *testing.T) {
	iso := fixture(t, "plain-iso", func(dir string) string {
		src := dir + "/src"
		testutil.WriteTree(t, src, baseTree())
		img := dir + "/image.iso"
		testutil.Run(t, "", "genisoimage", "-quiet", "-R", "-J", "-o", img, src)
		return img
	})
	isoBytes, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string][]byte{
		"empty":        nil,
		"tiny":         make([]byte, 1000),
		"zeros":        make([]byte, 1<<20),
		"iso9660 only": isoBytes,
	} {
		if _, err := Open(bytes.NewReader(img), int64(len(img)), nil); !errors.Is(err, ErrNotUDF) {
			t.Errorf("%s: %v, want ErrNotUDF", name, err)
		}
	}
}

// failingReader fails every read from byte off on with err, as a
// compressed image does at a damaged chunk.
type failingReader struct {
	r   io.ReaderAt
	off int64
	err error
}

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

// TestAnchorReadError: a read error where the anchor is (a damaged chunk
// of an ISZ) is the error Open returns, not ErrNotUDF, so a damaged UDF
// disc is reported rather than shown through its ISO 9660 side or raw.
func TestAnchorReadError(t *testing.T) {
	damaged := errors.New("chunk 1 is corrupt")
	img := make([]byte, 1<<20)
	_, err := Open(failingReader{bytes.NewReader(img), 256 * 512, damaged}, int64(len(img)), nil)
	if !errors.Is(err, damaged) || errors.Is(err, ErrNotUDF) {
		t.Errorf("Open over a failing read: %v, want the read's error", err)
	}
}

// TestMaxEntries: the directories of an image hold no more entries at once
// than Options.MaxEntries (testutil.CheckMaxEntries).
func TestMaxEntries(t *testing.T) {
	img := fixture(t, "entry-budget", func(dir string) string {
		src := filepath.Join(dir, "src")
		testutil.WriteTree(t, src, testutil.EntryBudgetTree())
		img := filepath.Join(dir, "image.iso")
		testutil.Run(t, "", "genisoimage", "-quiet", "-udf", "-o", img, src)
		return img
	})
	f, size := testutil.OpenFile(t, img)
	im, err := Open(f, size, &Options{MaxEntries: 15})
	if err != nil {
		t.Fatal(err)
	}
	testutil.CheckMaxEntries(t, im, ErrFormat)
	if _, err := openImage(t, img).ReadDir("c"); err != nil {
		t.Errorf("without MaxEntries: %v", err)
	}
}
