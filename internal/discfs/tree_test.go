package discfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"
)

// node is a tiny in-memory tree with the shape of a reader's Entry: the
// shared code is tested on it, apart from any disc format.
type node struct {
	name   string
	mode   fs.FileMode
	target string
	data   []byte
	parent *node
	kids   []*node // sorted by name
	fault  error
}

func (n *node) Name() string                      { return n.name }
func (n *node) Mode() fs.FileMode                 { return n.mode }
func (n *node) IsDir() bool                       { return n.mode.IsDir() }
func (n *node) Size() int64                       { return int64(len(n.data)) }
func (n *node) ModTime() time.Time                { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }
func (n *node) Target() string                    { return n.target }
func (n *node) Parent() *node                     { return n.parent }
func (n *node) Lookup(name string) (*node, error) { return Find(n.kids, name) }
func (n *node) Open() (io.ReaderAt, error) {
	if n.fault != nil {
		return nil, n.fault
	}
	if !n.mode.IsRegular() {
		return nil, fs.ErrInvalid
	}
	return bytes.NewReader(n.data), nil
}

func (n *node) children() ([]*node, error) {
	if !n.IsDir() {
		return nil, ErrNotDir
	}
	return n.kids, n.fault
}

// add makes a child of n and returns it; kids are sorted once built.
func (n *node) add(name string, mode fs.FileMode, s string) *node {
	k := &node{name: name, mode: mode, parent: n}
	if mode&fs.ModeSymlink != 0 {
		k.target = s
	} else {
		k.data = []byte(s)
	}
	n.kids = append(n.kids, k)
	SortByName(n.kids)
	return k
}

// testTree builds:
//
//	/a/b/file.txt     "hello"
//	/a/up    -> ..           /a/abs  -> /a/b       /a/escape -> ../../../../a
//	/loop1   -> loop2        /loop2  -> loop1      /self -> self/x
//	/dangling -> nowhere     /via-file -> top.txt/x
//	/top.txt  "top"          /fifo (named pipe)    /bad -> x (a damaged symlink)
//	/empty/                  /broken/ (its listing fails)
func testTree() *node {
	root := &node{name: ".", mode: fs.ModeDir | 0o555}
	a := root.add("a", fs.ModeDir|0o555, "")
	b := a.add("b", fs.ModeDir|0o555, "")
	b.add("file.txt", 0o444, "hello")
	a.add("up", fs.ModeSymlink|0o777, "..")
	a.add("abs", fs.ModeSymlink|0o777, "/a/b")
	a.add("escape", fs.ModeSymlink|0o777, "../../../../a")
	root.add("loop1", fs.ModeSymlink|0o777, "loop2")
	root.add("loop2", fs.ModeSymlink|0o777, "loop1")
	root.add("self", fs.ModeSymlink|0o777, "self/x")
	root.add("dangling", fs.ModeSymlink|0o777, "nowhere")
	root.add("via-file", fs.ModeSymlink|0o777, "top.txt/x")
	root.add("top.txt", 0o444, "top")
	root.add("fifo", fs.ModeNamedPipe|0o644, "")
	root.add("bad", fs.ModeSymlink|0o777, "x").fault = errors.New("target cut short")
	root.add("empty", fs.ModeDir|0o555, "")
	return root
}

func testFS() FS[*node] {
	return FS[*node]{Root: testTree(), Children: (*node).children, Fault: func(n *node) error { return n.fault }}
}

func TestResolve(t *testing.T) {
	root := testTree()
	for _, tc := range []struct {
		path   string
		follow bool
		want   string // Path of the result, or the error wanted
		err    error
	}{
		{path: "", want: ""},
		{path: "a/b/file.txt", want: "a/b/file.txt"},
		{path: "a//b/./file.txt", want: "a/b/file.txt"},
		{path: "a/up/a/b", want: "a/b"},                // relative symlink in the middle
		{path: "a/abs/file.txt", want: "a/b/file.txt"}, // absolute: from the image root
		{path: "a/escape/b", want: "a/b"},              // ".." stops at the root
		{path: "../../a/../..", want: ""},              // so does a path's own ".."
		{path: "a/abs", want: "a/abs"},                 // a final symlink is not followed...
		{path: "a/abs", follow: true, want: "a/b"},     // ...unless asked
		{path: "dangling", want: "dangling"},           // an unfollowed dangling symlink is there
		{path: "dangling", follow: true, err: fs.ErrNotExist},
		{path: "loop1", want: "loop1"},
		{path: "loop1", follow: true, err: ErrTooManyLinks},
		{path: "loop1/x", err: ErrTooManyLinks},
		{path: "self/y", err: ErrTooManyLinks}, // a target that grows each hop
		{path: "top.txt/x", err: ErrNotDir},
		{path: "via-file", follow: true, err: ErrNotDir},
		{path: "a/missing", err: fs.ErrNotExist},
	} {
		got, err := Resolve(root, tc.path, tc.follow)
		switch {
		case tc.err != nil:
			if !errors.Is(err, tc.err) {
				t.Errorf("Resolve(%q, %v): %v, want %v", tc.path, tc.follow, err, tc.err)
			}
			if got != nil {
				t.Errorf("Resolve(%q, %v) returned %q with an error", tc.path, tc.follow, Path(got))
			}
		case err != nil:
			t.Errorf("Resolve(%q, %v): %v", tc.path, tc.follow, err)
		case Path(got) != tc.want:
			t.Errorf("Resolve(%q, %v) = %q, want %q", tc.path, tc.follow, Path(got), tc.want)
		}
	}
	if !errors.Is(ErrNotDir, fs.ErrInvalid) {
		t.Error("ErrNotDir is not fs.ErrInvalid")
	}
}

// TestResolveHopLimit: exactly MaxSymlinkHops symlinks resolve, one more
// does not.
func TestResolveHopLimit(t *testing.T) {
	for _, hops := range []int{MaxSymlinkHops, MaxSymlinkHops + 1} {
		root := &node{name: ".", mode: fs.ModeDir}
		root.add("end", 0o444, "x")
		for i := range hops {
			next := "end"
			if i < hops-1 {
				next = "l" + string(rune('A'+i+1))
			}
			root.add("l"+string(rune('A'+i)), fs.ModeSymlink, next)
		}
		got, err := Resolve(root, "lA", true)
		if hops <= MaxSymlinkHops && (err != nil || got.Name() != "end") {
			t.Errorf("%d hops: %v", hops, err)
		}
		if hops > MaxSymlinkHops && !errors.Is(err, ErrTooManyLinks) {
			t.Errorf("%d hops: %v, want ErrTooManyLinks", hops, err)
		}
	}
}

func TestPathDepthAndFind(t *testing.T) {
	root := testTree()
	a, err := Find(root.kids, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Find(a.kids, "b")
	f, _ := Find(b.kids, "file.txt")
	if Path(root) != "" || Path(a) != "a" || Path(f) != "a/b/file.txt" {
		t.Errorf("paths %q %q %q", Path(root), Path(a), Path(f))
	}
	if Depth(root) != 0 || Depth(a) != 1 || Depth(f) != 3 {
		t.Errorf("depths %d %d %d", Depth(root), Depth(a), Depth(f))
	}
	for _, name := range []string{"", "A", "a/b", "zzz", "0"} {
		if _, err := Find(root.kids, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Find(%q): %v", name, err)
		}
	}
	for _, k := range root.kids { // every listed name is found
		if got, err := Find(root.kids, k.name); err != nil || got != k {
			t.Errorf("Find(%q) = %v, %v", k.name, got, err)
		}
	}
}

// TestFS checks the io/fs glue with the standard library's own checker,
// which walks everything, opens every file and reads it back several ways.
func TestFS(t *testing.T) {
	fsys := testFS()
	// fstest follows symlinks; leave out those that cannot be followed.
	for _, n := range []string{"loop1", "loop2", "self", "dangling", "via-file", "bad", "a/escape"} {
		p, _ := fsys.Lookup(n)
		p.mode = 0o444
		p.target, p.fault = "", nil
	}
	if err := fstest.TestFS(fsys, "a/b/file.txt", "a/up", "a/abs", "top.txt", "fifo", "empty"); err != nil {
		t.Fatal(err)
	}
}

func TestFSErrors(t *testing.T) {
	fsys := testFS()
	for _, tc := range []struct {
		op, name string
		err      error
	}{
		{"open", "/a", fs.ErrInvalid},
		{"open", "a/../a", fs.ErrInvalid},
		{"open", "top.txt/x", fs.ErrNotExist}, // not ENOTDIR: io/fs has no such error
		{"open", "loop1", ErrTooManyLinks},
		{"stat", "dangling", fs.ErrNotExist},
		{"readlink", "top.txt", fs.ErrInvalid},
		{"readlink", "bad", nil}, // the fault, below
		{"readdir", "top.txt", ErrNotDir},
	} {
		var err error
		switch tc.op {
		case "open":
			_, err = fsys.Open(tc.name)
		case "stat":
			_, err = fsys.Stat(tc.name)
		case "readlink":
			_, err = fsys.ReadLink(tc.name)
		case "readdir":
			_, err = fsys.ReadDir(tc.name)
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != tc.op {
			t.Errorf("%s %q: %v, want an *fs.PathError of op %q", tc.op, tc.name, err, tc.op)
			continue
		}
		if tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s %q: %v, want %v", tc.op, tc.name, err, tc.err)
		}
	}
	if _, err := fsys.ReadLink("bad"); err == nil || err.(*fs.PathError).Err.Error() != "target cut short" {
		t.Errorf("ReadLink of a damaged symlink: %v", err)
	}
	if target, err := fsys.ReadLink("a/abs"); err != nil || target != "/a/b" {
		t.Errorf("ReadLink(a/abs) = %q, %v", target, err)
	}
	if fi, err := fsys.Lstat("a/abs"); err != nil || fi.Mode()&fs.ModeSymlink == 0 || fi.Sys().(*node).name != "abs" {
		t.Errorf("Lstat(a/abs) = %v, %v", fi, err)
	}
	if fi, err := fsys.Stat("a/abs"); err != nil || !fi.IsDir() || fi.Name() != "b" {
		t.Errorf("Stat(a/abs) = %v, %v", fi, err)
	}
	if e, err := fsys.Lookup("/a/b/"); err != nil || Path(e) != "a/b" {
		t.Errorf("Lookup(/a/b/) = %v, %v", e, err)
	}
	if _, err := fsys.Lookup("a/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lookup(a/missing): %v", err)
	}
	if b, err := fsys.ReadFile("fifo"); err != nil || len(b) != 0 {
		t.Errorf("ReadFile(fifo) = %q, %v", b, err)
	}
}

func TestOpenFile(t *testing.T) {
	f, err := testFS().Open("a/b/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := f.(io.ReadSeeker)
	if n, err := s.Seek(-2, io.SeekEnd); n != 3 || err != nil {
		t.Errorf("Seek(-2, end) = %d, %v", n, err)
	}
	if b, err := io.ReadAll(s); string(b) != "lo" || err != nil {
		t.Errorf("read after seek: %q, %v", b, err)
	}
	if _, err := s.Seek(-1, io.SeekStart); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Seek(-1): %v", err)
	}
	buf := make([]byte, 4)
	if n, err := f.(io.ReaderAt).ReadAt(buf, 1); n != 4 || string(buf) != "ello" || err != nil {
		t.Errorf("ReadAt = %d %q %v", n, buf, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(buf); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if err := f.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenDir(t *testing.T) {
	fsys := testFS()
	f, err := fsys.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	d := f.(fs.ReadDirFile)
	var names []string
	for {
		ents, err := d.ReadDir(4)
		if err == io.EOF {
			break
		}
		if err != nil || len(ents) == 0 || len(ents) > 4 {
			t.Fatalf("ReadDir(4) = %d entries, %v", len(ents), err)
		}
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	if len(names) != len(fsys.Root.kids) {
		t.Errorf("listed %v", names)
	}
	if _, err := f.Read(nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Read of a directory: %v", err)
	}
	if ents, err := d.ReadDir(-1); len(ents) != 0 || err != nil {
		t.Errorf("ReadDir(-1) at the end = %v, %v", ents, err)
	}
	f.Close()
	if _, err := d.ReadDir(1); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("ReadDir after Close: %v", err)
	}
	// A directory whose listing fails cannot be opened.
	fsys.Root.add("broken", fs.ModeDir, "").fault = errors.New("bad listing")
	if _, err := fsys.Open("broken"); err == nil {
		t.Error("opened a directory whose listing fails")
	}
}

// TestFindSweep searches listings of every size up to 9 for each name and
// for each gap before, between and after them.
func TestFindSweep(t *testing.T) {
	for n := 0; n <= 9; n++ {
		var list []*node
		for i := range n {
			list = append(list, &node{name: string(rune('b' + 2*i))}) // "b", "d", "f", ...
		}
		for c := 'a'; c <= rune('b'+2*n); c++ {
			got, err := Find(list, string(c))
			present := (c-'b')%2 == 0 && c >= 'b' && int(c-'b')/2 < n
			switch {
			case present && (err != nil || got.name != string(c)):
				t.Errorf("n=%d: Find(%q) = %v, %v", n, string(c), got, err)
			case !present && (got != nil || !errors.Is(err, fs.ErrNotExist)):
				t.Errorf("n=%d: Find(%q) = %v, %v, want fs.ErrNotExist", n, string(c), got, err)
			}
		}
	}
}
