package iso9660view

import (
	"crypto/sha256"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/testutil"
)

// This file builds fixtures at test time: a source tree written by the test
// (testutil.WriteTree), an image made from it by a real mastering tool
// (xorriso or genisoimage), and a comparison of what this package reads
// against the source tree.

// node describes one file of a source tree.
type node = testutil.SrcNode

// mkimage runs a mastering tool whose arguments name the source tree as
// "$SRC" and the image as "$OUT", and returns the image path.
func mkimage(t testing.TB, dir, src, tool string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, "image.iso")
	args = slices.Clone(args)
	for i, a := range args {
		args[i] = strings.NewReplacer("$SRC", src, "$OUT", out).Replace(a)
	}
	testutil.Run(t, "", tool, args...)
	return out
}

// openImage opens an image file for the duration of the test.
func openImage(t testing.TB, path string, opts *Options) *Image {
	t.Helper()
	f, size := testutil.OpenFile(t, path)
	im, err := Open(f, size, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return im
}

// compareOpts says how an image's view should relate to its source tree.
type compareOpts struct {
	mapPath   func(string) string // source path -> image path (default identity)
	posix     bool                // modes, owners and symlinks are recorded (Rock Ridge)
	hardlinks bool                // hard links share an inode
}

// compareTree checks every file of the source tree against the image and
// that the image holds nothing else.
func compareTree(t *testing.T, im *Image, src string, o compareOpts) {
	t.Helper()
	if o.mapPath == nil {
		o.mapPath = func(s string) string { return s }
	}
	want := map[string]bool{}
	groups := map[uint64][]string{} // source inode -> image paths
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil
		}
		ipath := o.mapPath(filepath.ToSlash(rel))
		want[ipath] = true
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e, err := im.Lookup(ipath)
		if err != nil {
			t.Errorf("%s: %v", ipath, err)
			return nil
		}
		compareEntry(t, ipath, e, p, st, o)
		sys := st.Sys().(*syscall.Stat_t)
		groups[sys.Ino] = append(groups[sys.Ino], ipath)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing more in the image.
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("walk %s: %v", p, err)
			return nil
		}
		if p != "." && !want[p] {
			t.Errorf("%s: in the image, not in the source", p)
		}
		return nil
	})
	// Hard links: one inode per source inode, distinct between sources
	// (empty files cannot be linked: nothing on the disc shows it).
	owner := map[uint64]uint64{} // image inode -> source inode
	for sino, paths := range groups {
		for _, p := range paths {
			e, err := im.Lookup(p)
			if err != nil {
				continue
			}
			if prev, ok := owner[e.Inode()]; ok && prev != sino {
				t.Errorf("%s: inode %d shared with an unrelated file", p, e.Inode())
			}
			owner[e.Inode()] = sino
			if o.hardlinks && e.Mode().IsRegular() && e.Size() > 0 && e.Nlink() != uint32(len(paths)) {
				t.Errorf("%s: nlink %d, want %d", p, e.Nlink(), len(paths))
			}
		}
		if o.hardlinks {
			first, _ := im.Lookup(paths[0])
			for _, p := range paths[1:] {
				if e, _ := im.Lookup(p); e != nil && first != nil && e.Inode() != first.Inode() {
					t.Errorf("%s and %s are hard links but have inodes %d and %d", paths[0], p, first.Inode(), e.Inode())
				}
			}
		}
	}
}

func compareEntry(t *testing.T, ipath string, e *Entry, p string, st fs.FileInfo, o compareOpts) {
	t.Helper()
	smode := st.Mode()
	if o.posix {
		if e.Mode() != smode {
			t.Errorf("%s: mode %v, want %v", ipath, e.Mode(), smode)
		}
		sys := st.Sys().(*syscall.Stat_t)
		if e.UID() != sys.Uid || e.GID() != sys.Gid || !e.HasOwner() {
			t.Errorf("%s: owner %d:%d (%v), want %d:%d", ipath, e.UID(), e.GID(), e.HasOwner(), sys.Uid, sys.Gid)
		}
		if smode&fs.ModeDevice != 0 && e.Rdev() != sys.Rdev {
			t.Errorf("%s: rdev %#x, want %#x", ipath, e.Rdev(), sys.Rdev)
		}
	} else if e.Mode().Type() != smode.Type() {
		t.Errorf("%s: type %v, want %v", ipath, e.Mode().Type(), smode.Type())
	}
	if !e.ModTime().Equal(st.ModTime().Truncate(time.Second)) {
		t.Errorf("%s: mtime %v, want %v", ipath, e.ModTime(), st.ModTime())
	}
	switch {
	case smode.IsDir():
		if n, err := os.ReadDir(p); err == nil && o.posix {
			subs := 0
			for _, d := range n {
				if d.IsDir() {
					subs++
				}
			}
			if e.Nlink() != uint32(2+subs) {
				t.Errorf("%s: nlink %d, want %d", ipath, e.Nlink(), 2+subs)
			}
		}
	case smode&fs.ModeSymlink != 0:
		want, _ := os.Readlink(p)
		if e.Target() != want {
			t.Errorf("%s: target %q, want %q", ipath, e.Target(), want)
		}
		if e.Size() != int64(len(want)) {
			t.Errorf("%s: size %d, want %d", ipath, e.Size(), len(want))
		}
	case smode.IsRegular():
		if e.Size() != st.Size() {
			t.Errorf("%s: size %d, want %d", ipath, e.Size(), st.Size())
			return
		}
		r, err := e.Open()
		if err != nil {
			t.Errorf("%s: Open: %v", ipath, err)
			return
		}
		if got, want := hashReader(t, io.NewSectionReader(r, 0, e.Size())), hashFile(t, p); got != want {
			t.Errorf("%s: content hash differs", ipath)
		}
	}
}

func hashReader(t testing.TB, r io.Reader) [32]byte {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

func hashFile(t testing.TB, p string) [32]byte {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return hashReader(t, f)
}

func readSrc(t testing.TB, src, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The 50,000-file fixture is shared by tests and benchmarks of one run; it
// and the benchmark tree are removed by TestMain.
var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{bigDir, benchDir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}
