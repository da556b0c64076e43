package iso9660view

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"
)

// extent.span, by table and by sweep against a byte-by-byte model.
func TestExtentSpan(t *testing.T) {
	const bs = 2048
	tests := []struct {
		x        extent
		off      int64
		pos, n   int64
		describe string
	}{
		{extent{start: 10 * bs, length: 5000, bs: bs}, 0, 10 * bs, 5000, "contiguous start"},
		{extent{start: 10 * bs, length: 5000, bs: bs}, 4999, 10*bs + 4999, 1, "contiguous last byte"},
		{extent{start: 0, length: 3 * bs, unitSize: 1, gapSize: 2, bs: bs}, 0, 0, bs, "first unit"},
		{extent{start: 0, length: 3 * bs, unitSize: 1, gapSize: 2, bs: bs}, bs, 3 * bs, bs, "second unit after a gap of 2"},
		{extent{start: 0, length: 3*bs - 10, unitSize: 1, gapSize: 2, bs: bs}, 2*bs + 5, 6*bs + 5, bs - 15, "tail of a short last unit"},
		{extent{start: bs, length: 4 * bs, unitSize: 2, gapSize: 1, bs: bs}, 4*bs - 1, bs + 3*bs + 2*bs - 1, 1, "last byte of the second unit of 2"},
		{extent{start: bs, length: 4 * bs, unitSize: 2, gapSize: 1, bs: bs}, 3*bs - 1, bs + 3*bs + bs - 1, bs + 1, "middle of the second unit of 2"},
	}
	for _, tc := range tests {
		pos, n := tc.x.span(tc.off)
		if pos != tc.pos || n != tc.n {
			t.Errorf("%s: span(%d) = %d, %d; want %d, %d", tc.describe, tc.off, pos, n, tc.pos, tc.n)
		}
	}
	// Sweep: map every byte through a model of the layout.
	for unit := uint8(0); unit <= 3; unit++ {
		for gap := uint8(0); gap <= 2; gap++ {
			x := extent{start: 7 * 512, length: 9*512 + 13, unitSize: unit, gapSize: gap, bs: 512}
			var model []int64
			for p := x.start; int64(len(model)) < x.length; p++ {
				if unit == 0 || ((p-x.start)/512)%int64(unit+gap) < int64(unit) {
					model = append(model, p)
				}
			}
			for off := int64(0); off < x.length; off++ {
				pos, n := x.span(off)
				if pos != model[off] || n < 1 || off+n > x.length || model[off+n-1] != pos+n-1 {
					t.Fatalf("unit %d gap %d: span(%d) = %d, %d; model says %d", unit, gap, off, pos, n, model[off])
				}
			}
			if x.end() != model[len(model)-1]+1 {
				t.Errorf("unit %d gap %d: end %d, want %d", unit, gap, x.end(), model[len(model)-1]+1)
			}
		}
	}
}

func TestISONames(t *testing.T) {
	for in, want := range map[string]string{
		"README.TXT;1": "README.TXT", "MAKEFILE.;1": "MAKEFILE", "A;12": "A", "NOVERSION": "NOVERSION",
		"DIR.": "DIR", ".": ".", "SEMI;X": "SEMI;X",
	} {
		if got := isoName([]byte(in)); got != want {
			t.Errorf("isoName(%q) = %q, want %q", in, got, want)
		}
	}
	// UCS-2 with a surrogate pair and a version suffix.
	j := []byte{0, 'a', 0xD8, 0x3D, 0xDE, 0x00, 0, ';', 0, '1'}
	if got := jolietName(j); got != "a😀" {
		t.Errorf("jolietName = %q", got)
	}
}

func TestSymlinkComponents(t *testing.T) {
	comp := func(flags byte, s string) []byte { return append([]byte{flags, byte(len(s))}, s...) }
	tests := []struct {
		entries [][]byte
		want    string
	}{
		{[][]byte{cat(comp(8, ""), comp(0, "etc"), comp(0, "passwd"))}, "/etc/passwd"},
		{[][]byte{cat(comp(4, ""), comp(2, ""), comp(0, "x"))}, ".././x"},
		{[][]byte{cat(comp(1, "lo"), comp(0, "ng"))}, "long"},
		{[][]byte{comp(1, "split-"), cat(comp(0, "across"), comp(0, "entries"))}, "split-across/entries"},
		{[][]byte{comp(8, "")}, "/"},
	}
	for _, tc := range tests {
		var sl slBuilder
		for _, e := range tc.entries {
			sl.add(e)
		}
		if got := sl.String(); got != tc.want {
			t.Errorf("target %q, want %q", got, tc.want)
		}
	}
}

func TestDates(t *testing.T) {
	// 2021-03-14 15:09:26 at GMT+1 (offset 4 quarter hours).
	if got, want := recordingDate([]byte{121, 3, 14, 15, 9, 26, 4}), time.Date(2021, 3, 14, 14, 9, 26, 0, time.UTC); !got.Equal(want) {
		t.Errorf("recordingDate = %v, want %v", got, want)
	}
	if got := recordingDate(make([]byte, 7)); !got.IsZero() {
		t.Errorf("zero recording date = %v", got)
	}
	if got, want := decDateTime([]byte("2021031415092650\xf8")), time.Date(2021, 3, 14, 17, 9, 26, 500_000_000, time.UTC); !got.Equal(want) {
		t.Errorf("decDateTime = %v, want %v", got, want)
	}
	if got := decDateTime([]byte("0000000000000000\x00")); !got.IsZero() {
		t.Errorf("unset decDateTime = %v", got)
	}
}

// Many goroutines list, look up, stat and read a freshly opened image at
// once (run with -race): every one must see the same tree.
func TestConcurrentUse(t *testing.T) {
	img, _ := fixture(t, richTree(), "xorriso", "-as", "mkisofs", "-R", "-J", "-o", "$OUT", "$SRC")
	im := openImage(t, img, nil)
	summary := func() string {
		var b strings.Builder
		fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(&b, "%s: %v\n", p, err)
				return nil
			}
			e, _ := im.Lookup(p)
			fmt.Fprintf(&b, "%s %v %d %d %d\n", p, e.Mode(), e.Size(), e.Inode(), e.Nlink())
			if e.Mode().IsRegular() {
				r, _ := e.Open()
				h := sha256.New()
				io.Copy(h, io.NewSectionReader(r, 0, e.Size()))
				fmt.Fprintf(&b, "%x\n", h.Sum(nil))
			}
			return nil
		})
		return b.String()
	}
	const n = 8
	results := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = summary() })
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if results[i] != results[0] {
			t.Fatalf("goroutine %d saw a different tree", i)
		}
	}
	if !bytes.Contains([]byte(results[0]), []byte("data/big.bin")) {
		t.Error("walk missed files")
	}
}
