package discfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// node is an entry of an in-memory tree.
type node struct {
	name, target, data string
	mode               fs.FileMode
	parent             *node
	kids               []*node
}

func (n *node) Name() string              { return n.name }
func (n *node) Parent() *node             { return n.parent }
func (n *node) Mode() fs.FileMode         { return n.mode }
func (n *node) Size() int64               { return int64(len(n.data)) }
func (n *node) ModTime() time.Time        { return time.Unix(1e9, 0) }
func (n *node) IsDir() bool               { return n.mode.IsDir() }
func (n *node) Target() string            { return n.target }
func (n *node) Info() fs.FileInfo         { return FileInfo[*node]{n} }
func (n *node) ReadDir() ([]*node, error) { return slices.Clone(n.kids), nil }

func (n *node) Open() (io.ReaderAt, error) { return strings.NewReader(n.data), nil }

func (n *node) Path() string {
	if n.parent == nil {
		return ""
	}
	return strings.TrimPrefix(n.parent.Path()+"/"+n.name, "/")
}

func (n *node) Lookup(name string) (*node, error) {
	for _, k := range n.kids {
		if k.name == name {
			return k, nil
		}
	}
	return nil, fs.ErrNotExist
}

// tree builds a tree from "path kind[:arg]" lines given parents first, in
// name order within each directory.
func tree(lines ...string) *node {
	root := &node{name: ".", mode: fs.ModeDir | 0o555}
	for _, l := range lines {
		p, spec, _ := strings.Cut(l, " ")
		kind, arg, _ := strings.Cut(spec, ":")
		dir, _ := Resolve(root, p[:max(0, strings.LastIndex(p, "/"))], false)
		n := &node{name: p[strings.LastIndex(p, "/")+1:], parent: dir}
		switch kind {
		case "dir":
			n.mode = fs.ModeDir | 0o555
		case "file":
			n.mode, n.data = 0o444, arg
		case "link":
			n.mode, n.target = fs.ModeSymlink|0o777, arg
		}
		dir.kids = append(dir.kids, n)
	}
	return root
}

func TestResolve(t *testing.T) {
	root := tree("a dir", "a/b dir", "a/b/f file:data", "abs link:/a/b/f", "loop1 link:loop2", "loop2 link:loop1",
		"rel link:a/b", "up link:../../../a")
	for _, c := range []struct {
		path   string
		follow bool
		want   string // Path(), or "!" + error text
	}{
		{"", false, ""},
		{"a/./b//f", false, "a/b/f"},
		{"../../a", false, "a"},
		{"rel/f", false, "a/b/f"},
		{"rel/..", false, "a"}, // physical: climbs from the target
		{"rel", false, "rel"},
		{"rel", true, "a/b"},
		{"abs", true, "a/b/f"},
		{"up/b", false, "a/b"}, // ".." stops at the root
		{"a/b/f/x", false, "!" + ErrNotDir.Error()},
		{"loop1", true, "!" + ErrLoop.Error()},
		{"loop1/x", false, "!" + ErrLoop.Error()},
		{"nope", false, "!" + fs.ErrNotExist.Error()},
	} {
		e, err := Resolve(root, c.path, c.follow)
		got := "!"
		if err != nil {
			got += err.Error()
		} else {
			got = e.Path()
		}
		if got != c.want {
			t.Errorf("Resolve(%q, %v) = %q, want %q", c.path, c.follow, got, c.want)
		}
	}
	if _, err := Lookup(root, "/a/b/f/x/"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Lookup through a file: %v, want fs.ErrInvalid", err)
	}
}

func TestFS(t *testing.T) {
	root := tree("a dir", "a/b dir", "a/b/f file:data", "a/empty file:", "link link:a/b/f", "top file:top\n")
	fsys := FS[*node]{Root: root, LinkErr: func(n *node) error {
		if n.target == "" {
			return errors.New("cut")
		}
		return nil
	}}
	if err := fstest.TestFS(fsys, "a/b/f", "a/empty", "top", "link"); err != nil {
		t.Fatal(err)
	}
	if target, err := fsys.ReadLink("link"); err != nil || target != "a/b/f" {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
	if fi, err := fsys.Lstat("link"); err != nil || fi.Mode()&fs.ModeSymlink == 0 || fi.Sys().(*node) == nil {
		t.Errorf("Lstat = %v, %v", fi, err)
	}
	if b, err := fsys.ReadFile("link"); err != nil || !bytes.Equal(b, []byte("data")) {
		t.Errorf("ReadFile through a symlink = %q, %v", b, err)
	}
	if _, err := fsys.Open("a/b/f/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open through a file: %v, want fs.ErrNotExist", err)
	}
	if _, err := fsys.Open("/a"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Open of an invalid path: %v", err)
	}
}

func TestUniqueNames(t *testing.T) {
	in := []string{"a", "a", "a~2", "", ".", "..", "x/y", "a", strings.Repeat("é", 200)}
	UniqueNames(in)
	want := []string{"a", "a~3", "a~2", "_~2", "_.~2", "_..~2", "x_y~2", "a~4", strings.Repeat("é", 126) + "~2"}
	for i := range want {
		if in[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, in[i], want[i])
		}
	}
	seen := map[string]bool{}
	for _, n := range in {
		if seen[n] || !LegalName(n) {
			t.Errorf("%q repeated or illegal", n)
		}
		seen[n] = true
	}
}
