package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func ms(v ...int) series {
	s := make(series, len(v))
	for i, x := range v {
		s[i] = time.Duration(x) * time.Millisecond
	}
	return s
}

func TestQuantile(t *testing.T) {
	for _, tc := range []struct {
		s    series
		q    float64
		want time.Duration
	}{
		{ms(), 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(3, 1, 2), 0.5, 2 * time.Millisecond},
		{ms(4, 1, 3, 2), 0.5, 2500 * time.Microsecond},
		{ms(1, 2, 3, 4, 5), 0, time.Millisecond},
		{ms(1, 2, 3, 4, 5), 1, 5 * time.Millisecond},
		{ms(0, 100), 0.99, 99 * time.Millisecond},
	} {
		if got := tc.s.quantile(tc.q); got != tc.want {
			t.Errorf("%v.quantile(%v) = %v, want %v", tc.s, tc.q, got, tc.want)
		}
	}
	s := ms(5, 1, 3)
	s.median()
	if !slices.Equal(s, ms(5, 1, 3)) {
		t.Errorf("quantile reordered its series: %v", s)
	}
}

func TestTimeCell(t *testing.T) {
	s := ms(90, 100, 120)
	if got, want := s.timeCell(), "100 ms (90 ms–120 ms)"; got != want {
		t.Errorf("timeCell = %q, want %q", got, want)
	}
	if got := (series{}).timeCell(); got != "n/a" {
		t.Errorf("empty timeCell = %q", got)
	}
	for d, want := range map[time.Duration]string{
		15 * time.Second:        "15.0 s",
		1500 * time.Millisecond: "1.50 s",
		42 * time.Millisecond:   "42 ms",
		1200 * time.Microsecond: "1.2 ms",
		800 * time.Microsecond:  "800 µs",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSpeedupAndTargets(t *testing.T) {
	if got := speedup(time.Second, 2*time.Second); got != 2 {
		t.Errorf("speedup = %v, want 2", got)
	}
	if got := speedup(0, time.Second); got != 0 {
		t.Errorf("speedup with a missing measurement = %v, want 0", got)
	}
	for _, tc := range []struct {
		t    target
		want bool
	}{
		{target{got: 1.6, want: 1.5}, true},
		{target{got: 1.4, want: 1.5}, false},
		{target{got: 0, want: 0.5}, false}, // not measured is never met
		{target{got: 120, want: 150, lowerBad: true}, true},
		{target{got: 160, want: 150, lowerBad: true}, false},
	} {
		if got := tc.t.met(); got != tc.want {
			t.Errorf("%+v.met() = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestProgressAt(t *testing.T) {
	p := &progress{
		t:     []time.Duration{10, 20, 30},
		bytes: []int64{100, 200, 300},
	}
	for w, want := range map[time.Duration]int64{0: 0, 9: 0, 10: 100, 25: 200, 30: 300, 99: 300} {
		if got := p.at(w); got != want {
			t.Errorf("at(%d) = %d, want %d", w, got, want)
		}
	}
	if p.duration() != 30 {
		t.Errorf("duration = %v", p.duration())
	}
}

// TestSelectRoot checks that the sample respects its budget, is the same on
// every call, leaves out what it must, and that buildTree describes what it
// copied.
func TestSelectRoot(t *testing.T) {
	src := t.TempDir()
	var total int64
	for i := range 200 {
		dir := filepath.Join(src, "d"+strings.Repeat("x", i%7))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		size := 100 + (i*37)%2000
		if err := os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i%26))+strings.Repeat("y", i/26)), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		total += int64(size)
	}
	if err := os.Symlink("nowhere", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "bad\xffname"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	budget := total / 3
	a, err := selectRoot(src, budget, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := selectRoot(src, budget, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatal("two selections of the same root differ")
	}
	var sum int64
	for _, e := range a {
		sum += e.size
		if strings.Contains(e.rel, "\xff") {
			t.Errorf("selected a name that is not UTF-8: %q", e.rel)
		}
	}
	if sum > budget || sum < budget*9/10 {
		t.Errorf("selected %d bytes, want at most and near %d", sum, budget)
	}

	dst := filepath.Join(t.TempDir(), "tree")
	tr, err := buildTree([]root{{src, 1}}, budget, dst, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Bytes != sum || tr.Files+tr.Symlinks != len(a) {
		t.Errorf("tree says %d bytes in %d files + %d symlinks; selection was %d bytes in %d entries", tr.Bytes, tr.Files, tr.Symlinks, sum, len(a))
	}
	n := 0
	filepath.WalkDir(dst, func(string, os.DirEntry, error) error { n++; return nil })
	if n != tr.entries() {
		t.Errorf("walk of the copy found %d entries, tree.entries() = %d", n, tr.entries())
	}
	if got := tr.sample(10); len(got) == 0 || len(got) > 10 || got[0] != tr.Largest[0] {
		t.Errorf("sample = %v", got)
	}
}

func TestGenisoimageUDFName(t *testing.T) {
	for in, want := range map[string]string{
		"usr_share/man/man3/Dpkg::Vendor.3perl.gz": "usr_share/man/man3/Dpkg__Vendor.3perl.gz",
		`a*b?c\d;e/f g#h`:                          "a_b_c_d_e/f g#h",
		"plain/name.txt":                           "plain/name.txt",
	} {
		if got := genisoimageUDFName(in); got != want {
			t.Errorf("genisoimageUDFName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJolietName(t *testing.T) {
	long := strings.Repeat("é", 65) // 65 UTF-16 units: Joliet shortens it
	for in, want := range map[string]string{
		"usr_share/man/man3/JSON::backportPP::Boolean.3pm.gz": "usr_share/man/man3/JSON__backportPP__Boolean.3pm.gz",
		"plain/name.txt":               "plain/name.txt",
		strings.Repeat("x", 64) + "/f": strings.Repeat("x", 64) + "/f",
		"dir/" + long:                  "",
		long + "/f":                    "",
	} {
		if got := jolietName(in); got != want {
			t.Errorf("jolietName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCheckTreeShown checks that checkTree finds a file at the path the
// tool shows it at (genisoimage's UDF names), and that a wrong byte fails.
func TestCheckTreeShown(t *testing.T) {
	src, view := t.TempDir(), t.TempDir()
	for dir, name := range map[string]string{src: "Dpkg::Vendor.gz", view: "Dpkg__Vendor.gz"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("same bytes"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := &bencher{in: &inputs{tree: &tree{Dir: src, Files: 1, Paths: []string{"Dpkg::Vendor.gz"}, Largest: []string{"Dpkg::Vendor.gz"}}}}
	udf := fsys{name: "udf", shown: genisoimageUDFName}
	if err := b.checkTree(udf, view); err != nil {
		t.Errorf("checkTree with genisoimage's names: %v", err)
	}
	if err := b.checkTree(fsys{name: "as is"}, view); err == nil {
		t.Error("checkTree without the renaming found the renamed file")
	}
	if err := os.WriteFile(filepath.Join(view, "Dpkg__Vendor.gz"), []byte("other bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.checkTree(udf, view); err == nil || !strings.Contains(err.Error(), "WRONG BYTES") {
		t.Errorf("checkTree of changed bytes = %v, want WRONG BYTES", err)
	}
}

func TestMedianRSS(t *testing.T) {
	got := medianRSS([]rssAround{{3, 30, 20}, {1, 10, 40}, {2, 20, 30}})
	if want := (rssAround{2, 20, 30}); got != want {
		t.Errorf("medianRSS = %v, want %v (each figure's own median)", got, want)
	}
	if got := medianRSS(nil); got != (rssAround{}) {
		t.Errorf("medianRSS(nil) = %v, want zeros", got)
	}
}

// TestGenerateTree checks that a generated tree has the entries, depth and
// file sizes its spec asks for, that its description matches what is on
// disk, and that the same spec writes the same bytes twice.
func TestGenerateTree(t *testing.T) {
	g := genSpec{entries: 3000, dirShare: 0.05, maxDepth: 6, minSize: 200, maxSize: 6 << 10, seed: 7}
	digest := func(dir string) (map[string]string, int) {
		sums, depth := map[string]string{}, 0
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			if d.IsDir() {
				if rel != "." {
					depth = max(depth, strings.Count(rel, "/")+1)
				}
				sums[rel] = "dir"
				return nil
			}
			sum, n, err := sha256File(p)
			if n < int64(g.minSize) || n > int64(g.maxSize) {
				t.Errorf("%s is %d bytes, want %d to %d", rel, n, g.minSize, g.maxSize)
			}
			sums[rel] = sum
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return sums, depth
	}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ta, err := generateTree(g, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generateTree(g, b); err != nil {
		t.Fatal(err)
	}
	sa, depth := digest(a)
	sb, _ := digest(b)
	if len(sa) != g.entries || ta.entries() != g.entries {
		t.Errorf("%d entries on disk, the description says %d, the spec %d", len(sa), ta.entries(), g.entries)
	}
	if want := int(float64(g.entries) * g.dirShare); ta.Dirs != want {
		t.Errorf("%d directories, want %d", ta.Dirs, want)
	}
	if depth > g.maxDepth || depth < g.maxDepth-1 {
		t.Errorf("deepest directory at depth %d, want up to (and near) %d", depth, g.maxDepth)
	}
	if !maps.Equal(sa, sb) {
		t.Error("two trees generated from the same spec differ")
	}
	for _, rel := range ta.sample(10) {
		if s, ok := sa[rel]; !ok || s == "dir" {
			t.Errorf("sampled path %s is not a file of the tree", rel)
		}
	}
	if _, err := generateTree(g, a); err == nil {
		t.Error("generateTree over an existing directory succeeded")
	}
}

// TestArtifactsReuse checks that an input is rebuilt only when its recipe
// changes, and that how long its build took is kept beside it.
func TestArtifactsReuse(t *testing.T) {
	a := &artifacts{built: map[string]time.Duration{}}
	path := filepath.Join(t.TempDir(), "input")
	builds := 0
	build := func(tmp string) error {
		builds++
		time.Sleep(time.Millisecond)
		return os.WriteFile(tmp, []byte("made"), 0o644)
	}
	for _, key := range []string{"recipe 1", "recipe 1", "recipe 2"} {
		if err := a.make(path, key, build); err != nil {
			t.Fatal(err)
		}
	}
	if builds != 2 {
		t.Errorf("%d builds for keys 1, 1, 2; want 2", builds)
	}
	if d := took(path); d < time.Millisecond {
		t.Errorf("took(%s) = %v, want the build's time (at least 1ms)", path, d)
	}
	if d := took(path + ".missing"); d != 0 {
		t.Errorf("took of an input never built = %v, want 0", d)
	}
	if err := a.make(path+".bad", "k", func(string) error { return os.ErrInvalid }); err == nil {
		t.Error("a failed build reported no error")
	}
	if _, err := os.Stat(path + ".bad"); err == nil {
		t.Error("a failed build left its file")
	}
}

func TestInTurn(t *testing.T) {
	tools := []string{"a", "b", "c"}
	for rep, want := range []string{"abc", "cba", "bca", "acb", "cab", "bac", "abc"} {
		if got := strings.Join(inTurn(tools, rep), ""); got != want {
			t.Errorf("repetition %d: order %s, want %s", rep, got, want)
		}
	}
	if strings.Join(tools, "") != "abc" {
		t.Errorf("inTurn changed its argument: %v", tools)
	}
	first, follows := map[string]int{}, map[string]int{}
	for rep := range 2 * len(tools) {
		order := inTurn(tools, rep)
		first[order[0]]++
		for i := 1; i < len(order); i++ {
			follows[order[i-1]+order[i]]++
		}
	}
	for _, a := range tools {
		if first[a] != 2 {
			t.Errorf("%s first in %d of 6 repetitions, want 2", a, first[a])
		}
		for _, b := range tools {
			if a != b && follows[a+b] != 2 {
				t.Errorf("%s right before %s in %d of 6 repetitions, want 2", a, b, follows[a+b])
			}
		}
	}
	if got := inTurn([]string(nil), 3); len(got) != 0 {
		t.Errorf("inTurn of nothing: %v", got)
	}
}
