package discfs

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Node is what the shared code needs of a reader's entry type E (a pointer,
// such as *iso9660view.Entry): the methods both readers' Entry types export.
// The root's Parent is the zero E (nil).
type Node[E any] interface {
	comparable
	Name() string
	Mode() fs.FileMode
	IsDir() bool
	Size() int64
	ModTime() time.Time
	Target() string
	Parent() E
	// Lookup finds a child of a directory by name; for none, an error
	// wrapping fs.ErrNotExist.
	Lookup(name string) (E, error)
	// Open returns a reader over a regular file's contents, which also
	// has a Size method (FileReader).
	Open() (io.ReaderAt, error)
}

// Path returns the slash-separated path of e from the root ("" for the
// root itself), built from the names up the parent chain: entries do not
// keep it.
func Path[E Node[E]](e E) string {
	var root E
	if e.Parent() == root {
		return ""
	}
	var parts []string
	for p := e; p.Parent() != root; p = p.Parent() {
		parts = append(parts, p.Name())
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// Depth returns how many directories e lies below the root (0 for the
// root), walking up its parents: entries do not keep it.
func Depth[E Node[E]](e E) int {
	var root E
	n := 0
	for p := e.Parent(); p != root; p = p.Parent() {
		n++
	}
	return n
}

// Find returns the entry named name in a directory's listing sorted by
// name, by binary search; for none, fs.ErrNotExist. Readers keep a
// listing as a sorted slice rather than a map: it costs no memory beyond
// the slice, and a lookup stays O(log n).
func Find[E Node[E]](sorted []E, name string) (E, error) {
	// By hand rather than with slices.BinarySearchFunc: one call of Name
	// per step, not a comparison function calling it.
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sorted[m].Name() < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(sorted) && sorted[lo].Name() == name {
		return sorted[lo], nil
	}
	var none E
	return none, fs.ErrNotExist
}

// SortByName sorts a directory's listing for Find.
func SortByName[E Node[E]](list []E) {
	slices.SortFunc(list, func(a, b E) int { return strings.Compare(a.Name(), b.Name()) })
}

// SetChildren sorts kids by name (SortByName) and makes them l's entries:
// place records each one's index in the listing, what its Index method
// returns, and NSub counts the directories. Names must be unique, so the
// order, and with it every index, is the same each time a directory is
// parsed: (parent, index) names an entry for good.
func SetChildren[E Node[E]](l *Listing[E], kids []E, place func(E, int)) {
	SortByName(kids)
	l.Children, l.NSub, l.nameBytes = kids, 0, 0
	for i, k := range kids {
		place(k, i)
		if k.IsDir() {
			l.NSub++
		}
		l.nameBytes += int64(len(k.Name())+15) &^ 15 // as the allocator rounds it, near enough
	}
}

// MaxSymlinkHops bounds symlink resolution, like the kernel's 40.
const MaxSymlinkHops = 40

// Resolve walks a slash-separated path from root ("" is the root; empty
// and "." components are skipped). Symlinks are followed (all of them if
// follow, else all but the final component) inside the tree: an absolute
// target starts again at root and ".." stops at root, so a path can never
// leave the image whatever its symlinks say. A path through a
// non-directory gives ErrNotDir; more than MaxSymlinkHops symlinks,
// ErrTooManyLinks; a missing name, the error of Lookup.
func Resolve[E Node[E]](root E, name string, follow bool) (E, error) {
	var none E
	cur := root
	comps := splitPath(name)
	hops := 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if p := cur.Parent(); p != none {
				cur = p
			}
			continue
		}
		if !cur.IsDir() {
			return none, ErrNotDir
		}
		child, err := cur.Lookup(c)
		if err != nil {
			return none, err
		}
		if child.Mode()&fs.ModeSymlink != 0 && (follow || len(comps) > 0) {
			if hops++; hops > MaxSymlinkHops {
				return none, ErrTooManyLinks
			}
			target := child.Target()
			if strings.HasPrefix(target, "/") {
				cur = root
			}
			comps = append(splitPath(target), comps...)
			continue
		}
		cur = child
	}
	return cur, nil
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Dir is a directory's listing, read on first use and kept while its
// image's Cache keeps it. The zero Dir is ready; a reader's directory
// entry points to one, so a file costs no room for it.
type Dir[E any] struct {
	mu   sync.Mutex // held while the listing is read
	err  error      // a malformed directory's, kept for good (under mu)
	list atomic.Pointer[Listing[E]]

	prev, next *Dir[E]     // in the Cache's ring while it keeps the listing (under its lock)
	used       atomic.Bool // a Load found the listing since the Cache last looked (Cache.victim)
}

// Listing is what a reader's directory parser fills in.
type Listing[E any] struct {
	Children []E // sorted by name (SetChildren)
	NSub     int // how many of them are directories

	cache     *Cache[E] // whose Budget Take counts against
	taken     int       // entries taken from the Budget, given back when dropped
	crowded   bool      // Take found no room that the listing alone would have left
	nameBytes int64     // of the children's names (SetChildren)
	cost      int64     // estimated bytes, counted in the Cache
}

// Load returns the listing, calling read to fill it in when it is not
// kept (on first use, or again after c dropped it) under the Dir's lock,
// so never twice at once; read counts the entries it builds against c's
// Budget with Listing.Take. An error for which final is true (a malformed
// directory) is kept and returned by every later Load; any other (an I/O
// error), or one met because parses running at once filled the Budget
// (see Listing.Take), is not, so that a later Load reads again. The listing returned is shared: callers do not change it. It
// stays whole while they hold it, even once c has dropped it.
func (d *Dir[E]) Load(c *Cache[E], read func(*Listing[E]) error, final func(error) bool) (*Listing[E], error) {
	if l := d.list.Load(); l != nil {
		d.touch()
		return l, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	if l := d.list.Load(); l != nil { // read while we waited
		d.touch()
		return l, nil
	}
	l := &Listing[E]{cache: c}
	if err := read(l); err != nil {
		c.Budget.Give(l.taken)
		if final(err) && !l.crowded {
			d.err = err
		}
		return nil, err
	}
	c.add(d, l)
	return l, nil
}

// A reader's directory entry answers ReadDir, Lookup and its link count
// from its listing; load is the entry's own method that returns it (read
// on first use).

// Children returns the listing's entries, shared: callers do not change
// the slice.
func Children[E any](load func() (*Listing[E], error)) ([]E, error) {
	l, err := load()
	if err != nil {
		return nil, err
	}
	return l.Children, nil
}

// Child returns the listing's entry at index i, the one whose Index is i;
// for an i out of range, an error wrapping fs.ErrNotExist.
func Child[E any](load func() (*Listing[E], error), i int) (E, error) {
	var none E
	l, err := load()
	if err != nil {
		return none, err
	}
	if i < 0 || i >= len(l.Children) {
		return none, fmt.Errorf("no entry %d in a directory of %d: %w", i, len(l.Children), fs.ErrNotExist)
	}
	return l.Children[i], nil
}

// ReadDir returns a copy of the listing's entries, the caller's to keep.
func ReadDir[E any](load func() (*Listing[E], error)) ([]E, error) {
	kids, err := Children(load)
	return slices.Clone(kids), err
}

// Lookup finds the entry called name in the listing (Find).
func Lookup[E Node[E]](load func() (*Listing[E], error), name string) (E, error) {
	kids, err := Children(load)
	if err != nil {
		var none E
		return none, err
	}
	return Find(kids, name)
}

// DirNlink is a directory's link count: 2 (its name and its ".") plus one
// for each subdirectory's "..", or 2 if it cannot be listed.
func DirNlink[E any](load func() (*Listing[E], error)) uint32 {
	l, err := load()
	if err != nil {
		return 2
	}
	return uint32(2 + l.NSub)
}
