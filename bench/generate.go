package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// A genSpec describes a tree generated from a seed rather than copied from
// the machine: measurement 10's million entries, more than the machine has
// files. The same spec makes the same names and bytes on every machine.
type genSpec struct {
	entries  int     // what `find .` prints: the root, the directories and the files
	dirShare float64 // the share of the entries that are directories
	maxDepth int     // the deepest directory's depth (the root's children are at 1)
	minSize  int     // file sizes are log-uniform in [minSize, maxSize]
	maxSize  int
	seed     uint64
}

// millionSpec is measurement 10's input: a million entries, 5% of them
// directories nested up to 12 deep, files of 200 B to 6 KiB (1.5 GiB in
// all: the log-uniform mean is 1.7 KiB).
var millionSpec = genSpec{entries: 1_000_000, dirShare: 0.05, maxDepth: 12, minSize: 200, maxSize: 6 << 10, seed: 13}

// key names the recipe: a new generator version or spec rebuilds the tree.
func (g genSpec) key() string {
	return fmt.Sprintf("generated v1 entries=%d dirs=%.3f depth=%d size=%d-%d seed=%d",
		g.entries, g.dirShare, g.maxDepth, g.minSize, g.maxSize, g.seed)
}

// genDir is a directory of the generated tree, by path relative to its root.
type genDir struct {
	path  string
	depth int
}

// layout draws the directories and the file paths. A directory's parent
// is drawn from the directories made before it, favouring the early (and
// so shallower) ones, which gives a few wide directories near the top and
// long chains below them; a parent at the depth limit is drawn again.
// A quarter of the files go to the first 1% of the directories (hundreds
// of files each: listings that take several READDIRPLUS replies), the rest
// anywhere (about a dozen each).
func (g genSpec) layout() (dirs []genDir, files []string) {
	rng := rand.New(rand.NewPCG(g.seed, 0))
	words := vocabulary(rng, 2048)
	nDirs := int(float64(g.entries) * g.dirShare)
	nFiles := g.entries - 1 - nDirs
	dirs = make([]genDir, 1, nDirs+1)
	for i := range nDirs {
		p := dirs[0]
		for range 64 {
			u := rng.Float64()
			p = dirs[int(u*u*float64(len(dirs)))]
			if p.depth < g.maxDepth {
				break
			}
		}
		if p.depth >= g.maxDepth {
			p = dirs[0]
		}
		name := fmt.Sprintf("%s-%d", words[rng.IntN(len(words))], i)
		dirs = append(dirs, genDir{path: filepath.Join(p.path, name), depth: p.depth + 1})
	}
	exts := []string{".txt", ".c", ".h", ".go", ".json", ".xml", ".html", ".css", ".dat", ".cfg", ".md", ""}
	hot := max(1, len(dirs)/100)
	files = make([]string, nFiles)
	for i := range files {
		d := dirs[rng.IntN(len(dirs))]
		if rng.IntN(4) == 0 {
			d = dirs[rng.IntN(hot)]
		}
		name := fmt.Sprintf("%s_%d%s", words[rng.IntN(len(words))], i, exts[rng.IntN(len(exts))])
		files[i] = filepath.Join(d.path, name)
	}
	return dirs, files
}

// vocabulary makes n pronounceable words of 3 to 10 letters.
func vocabulary(rng *rand.Rand, n int) []string {
	const cons, vows = "bcdfghklmnprstvz", "aeiou"
	out := make([]string, n)
	for i := range out {
		var w strings.Builder
		for j := range 3 + rng.IntN(8) {
			if j%2 == 0 {
				w.WriteByte(cons[rng.IntN(len(cons))])
			} else {
				w.WriteByte(vows[rng.IntN(len(vows))])
			}
		}
		out[i] = w.String()
	}
	return out
}

// textPool is 4 MiB of lines of words, numbers and punctuation, which
// DEFLATE compresses about 3:1, like source text and configuration files.
func textPool(rng *rand.Rand, words []string) []byte {
	const size = 4 << 20
	out := make([]byte, 0, size+256)
	for len(out) < size {
		for range 4 + rng.IntN(10) {
			out = append(out, words[rng.IntN(len(words))]...)
			switch rng.IntN(6) {
			case 0:
				out = fmt.Appendf(out, " = %d;", rng.IntN(100000))
			case 1:
				out = append(out, ", "...)
			default:
				out = append(out, ' ')
			}
		}
		out = append(out, '\n')
	}
	return out[:size]
}

// content writes file i's bytes into buf: a header naming the file (so no
// two files are the same and squashfs's duplicate detection finds
// nothing), then runs of 64-512 bytes taken either from the text pool at
// a random place or from the random generator. Each file draws its own
// share of random runs (0-60%), so some files compress well and some
// hardly at all. The file's own generator makes its bytes independent of
// the order files are written in.
func (g genSpec) content(buf []byte, i int, pool []byte) []byte {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	lo, hi := math.Log(float64(g.minSize)), math.Log(float64(g.maxSize))
	size := int(math.Exp(lo + rng.Float64()*(hi-lo)))
	noise := rng.Float64() * 0.6
	buf = fmt.Appendf(buf[:0], "# generated file %d of seed %d\n", i, g.seed)
	for len(buf) < size {
		n := min(64+rng.IntN(449), size-len(buf))
		if rng.Float64() < noise {
			for range n {
				buf = append(buf, byte(rng.Uint32()))
			}
			continue
		}
		off := rng.IntN(len(pool) - n)
		buf = append(buf, pool[off:off+n]...)
	}
	return buf[:size]
}

// generateTree writes the tree g describes under dst (which must not
// exist) and returns its description, whose Paths are a sample of every
// thousandth file (the content checks need no more). Files are written by
// four goroutines: creating a million small files is bound by system
// calls, not by the disk.
func generateTree(g genSpec, dst string) (*tree, error) {
	dirs, files := g.layout()
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, err
	}
	for _, d := range dirs[1:] { // parents come before their children
		if err := os.Mkdir(filepath.Join(dst, d.path), 0o755); err != nil {
			return nil, err
		}
	}
	pool := textPool(rand.New(rand.NewPCG(g.seed, math.MaxUint64)), vocabulary(rand.New(rand.NewPCG(g.seed, 0)), 2048))
	const workers = 4
	sizes := make([]int64, len(files))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, g.maxSize+64)
			for i := w; i < len(files); i += workers {
				buf = g.content(buf, i, pool)
				if err := os.WriteFile(filepath.Join(dst, files[i]), buf, 0o644); err != nil {
					errs[w] = err
					return
				}
				sizes[i] = int64(len(buf))
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	t := &tree{Dir: dst, Files: len(files), Dirs: len(dirs) - 1, Roots: []string{g.key()}}
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
		t.Bytes += sizes[i]
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(sizes[b] - sizes[a]) })
	for _, i := range idx[:min(8, len(idx))] {
		t.Largest = append(t.Largest, files[i])
	}
	for i := 0; i < len(files); i += 1000 {
		t.Paths = append(t.Paths, files[i])
		t.Sizes = append(t.Sizes, sizes[i])
	}
	return t, nil
}
