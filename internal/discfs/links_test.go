package discfs

import (
	"errors"
	"io/fs"
	"sync"
	"testing"
)

func TestHardLinks(t *testing.T) {
	// Inodes: files by their content, so two files with the same data
	// are two names of one inode; directories by name. "twice" is
	// reachable from the root and from a, as a hard-linked directory
	// would be: it is read once.
	root := &node{name: ".", mode: fs.ModeDir}
	a := root.add("a", fs.ModeDir, "")
	root.add("f1", 0, "shared")
	a.add("f2", 0, "shared")
	a.add("g", 0, "alone")
	a.add("empty1", 0, "")
	root.add("empty2", 0, "")
	twice := root.add("twice", fs.ModeDir, "")
	twice.add("f3", 0, "shared")
	a.kids = append(a.kids, twice)
	SortByName(a.kids)
	root.add("unreadable", fs.ModeDir, "").fault = errors.New("bad listing")

	inode := func(n *node) (uint64, bool) {
		key := n.name
		if !n.IsDir() {
			key = "data:" + string(n.data)
		}
		var h uint64
		for _, c := range []byte(key) {
			h = h*131 + uint64(c)
		}
		return h, len(n.data) > 0 // empty files are not counted
	}
	links := HardLinks(root, (*node).children, inode)
	shared, _ := inode(&node{data: []byte("shared")})
	if len(links) != 1 || links[shared] != 3 {
		t.Errorf("links = %v, want only %d: 3", links, shared)
	}

	var nl Nlinks
	calls := 0
	count := func() map[uint64]uint32 { calls++; return links }
	alone, _ := inode(&node{data: []byte("alone")})
	if nl.Of(shared, count) != 3 || nl.Of(alone, count) != 1 || calls != 1 {
		t.Errorf("Nlinks.Of: %d, %d after %d counts", nl.Of(shared, count), nl.Of(alone, count), calls)
	}
}

func TestDirLoad(t *testing.T) {
	final := func(err error) bool { return err.Error() == "malformed" }
	kid := &node{name: "k", mode: fs.ModeDir}
	var c Cache[*node]

	// An I/O error is not kept: the next Load reads again.
	var d Dir[*node]
	reads := 0
	fail := errors.New("i/o")
	read := func(l *Listing[*node]) error {
		reads++
		if reads == 1 {
			l.Children = []*node{kid} // half-read: must not be kept
			return fail
		}
		l.Children, l.NSub = []*node{kid}, 1
		return nil
	}
	if l, err := d.Load(&c, read, final); l != nil || err != fail {
		t.Fatalf("first Load = %v, %v", l, err)
	}
	for range 2 {
		if l, err := d.Load(&c, read, final); err != nil || len(l.Children) != 1 || l.NSub != 1 {
			t.Fatalf("Load after an I/O error = %v, %v", l, err)
		}
	}
	if reads != 2 {
		t.Errorf("%d reads, want 2", reads)
	}

	// A format error is kept.
	var bad Dir[*node]
	reads = 0
	malformed := func(*Listing[*node]) error { reads++; return errors.New("malformed") }
	for range 3 {
		if l, err := bad.Load(&c, malformed, final); l != nil || err == nil {
			t.Fatalf("Load of a malformed directory = %v, %v", l, err)
		}
	}
	if reads != 1 {
		t.Errorf("%d reads of a malformed directory, want 1", reads)
	}

	// Concurrent first uses read once (run with -race).
	var once Dir[*node]
	var mu sync.Mutex
	reads = 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			l, err := once.Load(&c, func(l *Listing[*node]) error {
				mu.Lock()
				reads++
				mu.Unlock()
				l.Children = []*node{kid}
				return nil
			}, final)
			if err != nil || len(l.Children) != 1 {
				t.Errorf("concurrent Load = %v, %v", l, err)
			}
		})
	}
	wg.Wait()
	if reads != 1 {
		t.Errorf("%d concurrent reads, want 1", reads)
	}
}

func TestListingAccessors(t *testing.T) {
	a, b := &node{name: "a", mode: fs.ModeDir}, &node{name: "b"}
	good := func() (*Listing[*node], error) { return &Listing[*node]{Children: []*node{a, b}, NSub: 1}, nil }
	broken := errors.New("bad listing")
	bad := func() (*Listing[*node], error) { return nil, broken }

	kids, err := ReadDir(good)
	if err != nil || len(kids) != 2 {
		t.Fatal(kids, err)
	}
	kids[0] = nil // the caller's copy
	if shared, _ := Children(good); shared[0] != a {
		t.Error("ReadDir did not copy")
	}
	if got, err := Lookup(good, "b"); got != b || err != nil {
		t.Errorf("Lookup(b) = %v, %v", got, err)
	}
	if _, err := Lookup(good, "c"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lookup(c): %v", err)
	}
	if DirNlink(good) != 3 || DirNlink(bad) != 2 {
		t.Errorf("DirNlink = %d, %d", DirNlink(good), DirNlink(bad))
	}
	if _, err := ReadDir(bad); err != broken {
		t.Errorf("ReadDir of a broken listing: %v", err)
	}
	if got, err := Lookup(bad, "a"); got != nil || err != broken {
		t.Errorf("Lookup in a broken listing = %v, %v", got, err)
	}
}
