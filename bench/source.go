package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// A root is a directory of real content on the machine and its share of the
// source tree's byte budget.
type root struct {
	dir    string
	weight float64
}

// sourceRoots mixes what a real disc holds: the Go toolchain (source text and
// a few big binaries), /usr/share (documentation, icons, locale files: many
// small files) and /usr/lib (shared libraries, compilers, a JDK: big
// binaries).
func sourceRoots(goroot string) []root {
	return []root{{goroot, 0.25}, {"/usr/share", 0.35}, {"/usr/lib", 0.40}}
}

// entry is one selected file or symlink, by path relative to its root.
type entry struct {
	root, rel string
	size      int64
	symlink   bool
}

// tree describes the source tree the harness built.
type tree struct {
	Dir      string   `json:"-"`
	Files    int      `json:"files"`
	Dirs     int      `json:"dirs"`
	Symlinks int      `json:"symlinks"`
	Bytes    int64    `json:"bytes"`
	Largest  []string `json:"largest"` // relative paths of the largest files, largest first
	Roots    []string `json:"roots"`
	// Paths of regular files, relative to Dir, for sampling: every file of
	// a copied tree, every thousandth of a generated one (generateTree).
	Paths []string `json:"paths"`
	Sizes []int64  `json:"sizes"`
}

// entries counts what `find .` prints for the tree: the root, every
// directory, file and symlink.
func (t *tree) entries() int { return 1 + t.Dirs + t.Files + t.Symlinks }

// rank orders candidate files by the FNV hash of their path: taking files
// in this order until the budget is spent gives a sample that is
// deterministic (the same machine gives the same tree on every run) and
// spread over the whole root instead of its first directories.
func rank(rel string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(rel))
	return h.Sum64()
}

// selectRoot walks dir and returns a deterministic sample of its regular
// files and symlinks weighing at most budget bytes (and close to it).
// Unreadable files, other file types, names that are not UTF-8 (Joliet
// cannot hold them) and files over a quarter of the budget are left out.
// Only the files considered are stat'ed, so a small sample of a big root
// is quick.
func selectRoot(dir string, budget int64, exclude string) ([]entry, error) {
	type cand struct {
		entry
		rank uint64
	}
	var all []cand
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if exclude != "" && (p == exclude || strings.HasPrefix(p, exclude+"/")) {
			return fs.SkipDir
		}
		if !utf8.ValidString(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
			rel, _ := filepath.Rel(dir, p)
			all = append(all, cand{entry{root: dir, rel: rel, symlink: !d.Type().IsRegular()}, rank(rel)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b cand) int { return cmp.Compare(a.rank, b.rank) })
	var out []entry
	var sum int64
	for _, c := range all {
		if sum >= budget-budget/100 {
			break
		}
		if !c.symlink {
			info, err := os.Stat(filepath.Join(c.root, c.rel))
			if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o444 == 0 ||
				info.Size() > budget/4 || sum+info.Size() > budget {
				continue
			}
			c.size = info.Size()
			sum += c.size
		}
		out = append(out, c.entry)
	}
	// Back in path order, so directories are created and copied in order.
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.rel, b.rel) })
	return out, nil
}

// buildTree copies a sample of budget bytes of the roots into dst, keeping
// modes, times and symlinks, and returns its description.
func buildTree(roots []root, budget int64, dst, exclude string) (*tree, error) {
	t := &tree{Dir: dst}
	var sel []entry
	for _, r := range roots {
		if _, err := os.Stat(r.dir); err != nil {
			continue
		}
		es, err := selectRoot(r.dir, int64(r.weight*float64(budget)), exclude)
		if err != nil {
			return nil, err
		}
		sel = append(sel, es...)
		t.Roots = append(t.Roots, r.dir)
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("no readable content under %v", roots)
	}
	dirs := map[string]bool{}
	for _, e := range sel {
		top := strings.TrimPrefix(e.root, "/")
		top = strings.ReplaceAll(top, "/", "_")
		rel := filepath.Join(top, e.rel)
		for d := filepath.Dir(rel); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return nil, err
		}
		from := filepath.Join(e.root, e.rel)
		if e.symlink {
			target, err := os.Readlink(from)
			if err != nil {
				continue
			}
			if err := os.Symlink(target, to); err != nil {
				return nil, err
			}
			t.Symlinks++
			continue
		}
		n, err := copyFile(from, to)
		if err != nil {
			// A file that vanished or became unreadable since the walk.
			os.Remove(to)
			continue
		}
		t.Files++
		t.Bytes += n
		t.Paths = append(t.Paths, rel)
		t.Sizes = append(t.Sizes, n)
	}
	t.Dirs = len(dirs)
	idx := make([]int, len(t.Paths))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return t.Sizes[idx[a]] > t.Sizes[idx[b]] })
	for _, i := range idx[:min(8, len(idx))] {
		t.Largest = append(t.Largest, t.Paths[i])
	}
	return t, nil
}

func copyFile(from, to string) (int64, error) {
	in, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return 0, err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, info.Mode().Perm())
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Chtimes(to, time.Now(), info.ModTime())
}

func (t *tree) save(path string) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func loadTree(path, dir string) (*tree, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := &tree{Dir: dir}
	if err := json.Unmarshal(data, t); err != nil {
		return nil, err
	}
	return t, nil
}

// sample picks n regular files spread over the tree (always including the
// largest ones), deterministically, for content checks.
func (t *tree) sample(n int) []string {
	out := slices.Clone(t.Largest[:min(3, len(t.Largest))])
	if len(t.Paths) == 0 {
		return out
	}
	step := max(1, len(t.Paths)/max(1, n))
	for i := step / 2; i < len(t.Paths) && len(out) < n; i += step {
		out = append(out, t.Paths[i])
	}
	return out
}
