package disc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/udfview"
)

// udfSource writes a small tree with a symlink, for the UDF writers.
func udfSource(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "data", "small.txt"), []byte("hello, world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../data/small.txt", filepath.Join(src, "data", "link")); err != nil {
		t.Fatal(err)
	}
	return src
}

// build runs a writer and opens the image it wrote.
func build(t *testing.T, img string, name string, args ...string) *os.File {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestOpenPicksView opens discs made by real writers with every view and
// checks which tree Auto picks, and why.
func TestOpenPicksView(t *testing.T) {
	src := udfSource(t)
	dir := t.TempDir()
	img := func(name string) string { return filepath.Join(dir, name) }
	rr := build(t, img("rr.iso"), "genisoimage", "-quiet", "-udf", "-R", "-V", "RR", "-o", img("rr.iso"), src)
	plain := build(t, img("plain.iso"), "genisoimage", "-quiet", "-udf", "-V", "PLAIN", "-o", img("plain.iso"), src)
	pycdlib := build(t, img("pycdlib.iso"), "/usr/bin/python3", "../udfview/testdata/mkpycdlib.py", "bridge", src, img("pycdlib.iso"))
	if err := os.WriteFile(img("udf.img"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	udfOnly := build(t, img("udf.img"), "mkudffs", "--media-type=hd", "--udfrev=2.01", "--blocksize=512", "--label=ONLY", img("udf.img"), "4096")

	for _, c := range []struct {
		name   string
		f      *os.File
		opts   Options
		fs     string
		reason string // a part of Reason
		label  string
	}{
		{"rock ridge bridge", rr, Options{}, ISO9660, "the ISO 9660 side carries Rock Ridge", "RR"},
		{"rock ridge bridge, norock", rr, Options{NoRock: true}, UDF, "UDF 1.02 volume; Rock Ridge ignored (norock)", "RR"},
		{"rock ridge bridge, fs=udf", rr, Options{FS: UDF}, UDF, "asked for UDF", "RR"},
		{"plain bridge", plain, Options{}, UDF, "UDF 1.02 volume; the ISO 9660 side has no Rock Ridge", "PLAIN"},
		{"plain bridge, fs=iso9660", plain, Options{FS: ISO9660}, ISO9660, "asked for ISO 9660", "PLAIN"},
		{"pycdlib bridge", pycdlib, Options{}, UDF, "volume; the ISO 9660 side has no Rock Ridge", "CDROM"}, // pycdlib names the UDF volume CDROM
		{"UDF only", udfOnly, Options{}, UDF, "UDF 2.01 volume; no ISO 9660 side", "ONLY"},
	} {
		tr := openTree(t, c.f, &c.opts)
		if tr.FS() != c.fs || !strings.Contains(tr.Reason(), c.reason) || tr.Label() != c.label {
			t.Errorf("%s: fs %q (%s), label %q; want %q (%s), %q", c.name, tr.FS(), tr.Reason(), tr.Label(), c.fs, c.reason, c.label)
		}
		if (tr.FS() == UDF) != (tr.UDF != nil && tr.Root().Inode() == tr.UDF.Root().Inode()) || tr.BlockSize() < 512 || tr.Blocks() <= 0 {
			t.Errorf("%s: readers ISO %v UDF %v, block size %d, blocks %d", c.name, tr.ISO != nil, tr.UDF != nil, tr.BlockSize(), tr.Blocks())
		}
		if c.name == "UDF only" {
			continue
		}
		name := "data/small.txt"
		if tr.FS() == ISO9660 && (c.opts.NoRock || c.f == plain) {
			name = "DATA/SMALL.TXT" // plain ISO 9660 names
		}
		e, err := tr.Lookup(name, false)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		r, _ := e.Open()
		if b, err := io.ReadAll(io.NewSectionReader(r, 0, e.Size())); err != nil || string(b) != "hello, world\n" {
			t.Errorf("%s: small.txt = %q, %v", c.name, b, err)
		}
	}
	// pycdlib's UDF side records the symlink; the tree follows it.
	if e, err := openTree(t, pycdlib, nil).Lookup("data/link", true); err != nil || e.Path() != "data/small.txt" {
		t.Errorf("pycdlib symlink: %v, %v", e, err)
	}

	// The view asked for is missing: ErrNoFileSystem, and the reader's own error.
	st, _ := udfOnly.Stat()
	if _, err := Open(udfOnly, st.Size(), &Options{FS: ISO9660}); !errors.Is(err, ErrNoFileSystem) || !errors.Is(err, iso9660view.ErrNotISO9660) {
		t.Errorf("fs=iso9660 on a UDF-only disc: %v", err)
	}
	st, _ = rr.Stat()
	zeros := io.NewSectionReader(zeroReader{}, 0, st.Size())
	if _, err := Open(zeros, zeros.Size(), &Options{FS: UDF}); !errors.Is(err, ErrNoFileSystem) || !errors.Is(err, udfview.ErrNotUDF) {
		t.Errorf("fs=udf on zeros: %v", err)
	}
	if _, err := Open(zeros, zeros.Size(), nil); !errors.Is(err, ErrNoFileSystem) || !errors.Is(err, udfview.ErrNotUDF) || !errors.Is(err, iso9660view.ErrNotISO9660) {
		t.Errorf("auto on zeros: %v", err)
	}

	// A read that fails (a damaged ISZ chunk) in the UDF structures is
	// reported, not hidden by the readable ISO 9660 side: here the main
	// volume descriptor sequence, where the anchor at block 256 points.
	anchor := make([]byte, 24)
	if _, err := plain.ReadAt(anchor, 256*2048); err != nil {
		t.Fatal(err)
	}
	broken := failingReader{plain, int64(binary.LittleEndian.Uint32(anchor[20:])) * 2048}
	if _, err := Open(broken, st.Size(), nil); !errors.Is(err, errBrokenChunk) {
		t.Errorf("a failed read under the UDF anchor: %v, want the read error", err)
	}
}

type zeroReader struct{}

func (zeroReader) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	return len(p), nil
}

var errBrokenChunk = errors.New("chunk 7 does not decode")

// failingReader fails every read that touches byte bad.
type failingReader struct {
	r   io.ReaderAt
	bad int64
}

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.bad && f.bad < off+int64(len(p)) {
		return 0, fmt.Errorf("read at %d: %w", off, errBrokenChunk)
	}
	return f.r.ReadAt(p, off)
}
