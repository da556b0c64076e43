package iso9660view

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"

	"github.com/iszmount/iszmount/internal/testutil"
)

// exercise walks the whole tree through the Entry API, reading every file
// (at most readLimit bytes each) and every symlink target, and goes through
// the io/fs methods too. It is what the corruption tests and the fuzz
// targets run: whatever the image holds, it must return, without panicking,
// within bounded work, and every error the API returns must be one of the
// documented ones (checkErr). It returns the number of entries visited.
func exercise(t testing.TB, im *Image, maxEntries int, readLimit int64) int {
	t.Helper()
	buf := make([]byte, 32<<10)
	visited := 0
	var walk func(d *Entry)
	walk = func(d *Entry) {
		kids, err := d.ReadDir()
		if err != nil {
			checkErr(t, "ReadDir "+d.Path(), err)
			return
		}
		for _, k := range kids {
			if visited++; visited > maxEntries {
				return
			}
			_ = k.Nlink()
			_ = k.Info().Size()
			if _, err := d.Lookup(k.Name()); err != nil {
				checkErr(t, "Lookup "+k.Path(), err)
			}
			switch {
			case k.IsDir():
				walk(k)
			case k.Mode().IsRegular():
				r, err := k.Open()
				if err != nil {
					checkErr(t, "Open "+k.Path(), err)
					continue
				}
				for off := int64(0); off < min(k.Size(), readLimit); off += int64(len(buf)) {
					if _, err := r.ReadAt(buf, off); err != nil && err != io.EOF {
						checkErr(t, "ReadAt "+k.Path(), err)
						break
					}
				}
			}
		}
	}
	walk(im.Root())
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		if visited++; visited > 2*maxEntries {
			return fs.SkipAll
		}
		if err != nil {
			checkErr(t, "WalkDir "+p, err)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if _, err := im.ReadLink(p); err != nil {
				checkErr(t, "ReadLink "+p, err)
			}
			if _, err := im.Stat(p); err != nil {
				checkErr(t, "Stat "+p, err)
			}
		}
		return nil
	})
	_ = im.Info()
	boot, err := im.BootCatalog()
	if err != nil {
		checkErr(t, "BootCatalog", err)
	}
	for _, b := range boot {
		r, err := im.BootImage(b)
		if err != nil {
			checkErr(t, "BootImage", err)
			continue
		}
		if _, err := r.ReadAt(buf[:min(len(buf), int(r.Size()))], 0); err != nil && err != io.EOF {
			checkErr(t, "BootImage ReadAt", err)
		}
	}
	return visited
}

// checkErr fails on errors that are not among those the package documents:
// a *FormatError (wrapping ErrFormat or ErrUnsupported), ErrNotISO9660, and
// io/fs's ErrNotExist and ErrInvalid (not a directory, not a regular file)
// and the symlink hop limit for paths. Every failure on a damaged image
// must say what it is.
func checkErr(t testing.TB, what string, err error) {
	t.Helper()
	var fe *FormatError
	switch {
	case err == nil, errors.As(err, &fe) && (errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported)),
		errors.Is(err, ErrNotISO9660), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid),
		errors.Is(err, discfs.ErrTooManyLinks):
		return
	}
	t.Errorf("%s: undocumented error %v", what, err)
}

// corruptionFixtures are small images covering Rock Ridge (with relocation
// and continuation areas), Joliet, zisofs and El Torito.
func corruptionFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	nodes := []node{
		{Path: "a/b/c/d/e/f/g/h/i/j/deep", Data: []byte("deep")},
		{Path: "names/" + string(bytes.Repeat([]byte("x"), 200)), Data: []byte("long")},
		{Path: "names/Ünïcödé", Data: []byte("u")},
		{Path: "link", Target: "names/Ünïcödé", Mode: fs.ModeSymlink},
		{Path: "text", Data: bytes.Repeat([]byte("compress me "), 8000)},
		{Path: "hard", LinkTo: "text"},
		{Path: "boot.img", Data: testutil.Pseudo(14, 2048)},
	}
	out := map[string][]byte{}
	add := func(name, tool string, args ...string) {
		img, _ := fixture(t, nodes, tool, args...)
		b, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	add("genisoimage-RJ", "genisoimage", "-quiet", "-R", "-J", "-o", "$OUT", "$SRC")
	add("xorriso-zisofs-eltorito", "xorriso", "-outdev", "$OUT", "-map", "$SRC", "/", "-set_filter_r", "--zisofs", "/text", "--",
		"-boot_image", "any", "bin_path=/boot.img", "-boot_image", "any", "platform_id=0x00", "-commit")
	return out
}

// Byte flips in the metadata and truncations at every sector boundary:
// Open and a full walk must end with typed errors or success, never panic
// or hang.
func TestCorruptImages(t *testing.T) {
	for name, img := range corruptionFixtures(t) {
		t.Run(name, func(t *testing.T) {
			// Where the metadata ends: the first file data sector.
			im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := exercise(t, im, 1000, 1<<20); n < 10 {
				t.Fatalf("the intact image walks only %d entries", n)
			}
			meta := int64(len(img))
			if e, err := im.Lookup("boot.img"); err == nil {
				meta = min(meta, e.ext[0].start)
			}
			start := time.Now()
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < 400; i++ {
				bad := bytes.Clone(img)
				for k := 0; k < 1+rng.IntN(6); k++ {
					off := 16*sectorSize + rng.Int64N(meta-16*sectorSize)
					bad[off] ^= byte(1 + rng.IntN(255))
				}
				tryImage(t, bad)
			}
			for n := 0; n <= len(img); n += sectorSize / 2 {
				tryImage(t, img[:n])
			}
			if d := time.Since(start); d > time.Minute {
				t.Errorf("corruption variants took %v", d)
			}
		})
	}
}

func tryImage(t *testing.T, img []byte) {
	t.Helper()
	for _, opts := range []*Options{nil, {NoRock: true}} {
		im, err := Open(bytes.NewReader(img), int64(len(img)), opts)
		if err != nil {
			checkErr(t, "Open", err)
			continue
		}
		exercise(t, im, 10_000, 1<<20)
	}
}
