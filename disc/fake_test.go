package disc

import (
	"bytes"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// fakeEntry is a reader entry built in memory, so that Walk and Lookup can
// be tested on shapes no real writer makes (directories shared by two
// parents, a directory inside itself).
type fakeEntry struct {
	name     string
	parent   *fakeEntry
	mode     fs.FileMode
	ino      uint64
	target   string
	data     string
	children []*fakeEntry
	err      error // returned by ReadDir
}

func (e *fakeEntry) Name() string          { return e.name }
func (e *fakeEntry) Parent() *fakeEntry    { return e.parent }
func (e *fakeEntry) Mode() fs.FileMode     { return e.mode }
func (e *fakeEntry) Size() int64           { return int64(len(e.data)) }
func (e *fakeEntry) Inode() uint64         { return e.ino }
func (e *fakeEntry) Nlink() uint32         { return 1 }
func (e *fakeEntry) UID() uint32           { return 0 }
func (e *fakeEntry) GID() uint32           { return 0 }
func (e *fakeEntry) HasOwner() bool        { return false }
func (e *fakeEntry) Rdev() uint64          { return 0 }
func (e *fakeEntry) ModTime() time.Time    { return time.Time{} }
func (e *fakeEntry) AccessTime() time.Time { return time.Time{} }
func (e *fakeEntry) ChangeTime() time.Time { return time.Time{} }
func (e *fakeEntry) IsDir() bool           { return e.mode.IsDir() }
func (e *fakeEntry) Target() string        { return e.target }
func (e *fakeEntry) Info() fs.FileInfo     { return nil }

func (e *fakeEntry) Open() (io.ReaderAt, error) { return bytes.NewReader([]byte(e.data)), nil }

func (e *fakeEntry) Path() string {
	if e.parent == nil {
		return ""
	}
	if p := e.parent.Path(); p != "" {
		return p + "/" + e.name
	}
	return e.name
}

func (e *fakeEntry) ReadDir() ([]*fakeEntry, error) {
	if e.err != nil {
		return nil, e.err
	}
	kids := slices.Clone(e.children)
	slices.SortFunc(kids, func(a, b *fakeEntry) int { return strings.Compare(a.name, b.name) })
	return kids, nil
}

func (e *fakeEntry) Index() int {
	if e.parent == nil {
		return 0
	}
	kids, _ := e.parent.ReadDir()
	return slices.Index(kids, e)
}

func (e *fakeEntry) Child(i int) (*fakeEntry, error) {
	kids, err := e.ReadDir()
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(kids) {
		return nil, fs.ErrNotExist
	}
	return kids[i], nil
}

func (e *fakeEntry) Lookup(name string) (*fakeEntry, error) {
	for _, c := range e.children {
		if c.name == name {
			return c, nil
		}
	}
	return nil, fs.ErrNotExist
}

// fakeDisc builds a tree from "path" -> spec lines: "dir", "file:DATA",
// "link:TARGET". Inodes are numbered in the order given.
func fakeDisc(spec [][2]string) *fakeEntry {
	root := &fakeEntry{name: ".", mode: fs.ModeDir | 0o555, ino: 1}
	for i, s := range spec {
		dir := root
		parts := strings.Split(s[0], "/")
		for _, p := range parts[:len(parts)-1] {
			dir, _ = dir.Lookup(p)
		}
		e := &fakeEntry{name: parts[len(parts)-1], parent: dir, ino: uint64(i + 2)}
		kind, arg, _ := strings.Cut(s[1], ":")
		switch kind {
		case "dir":
			e.mode = fs.ModeDir | 0o555
		case "file":
			e.mode, e.data = 0o444, arg
		case "link":
			e.mode, e.target = fs.ModeSymlink|0o777, arg
		}
		dir.children = append(dir.children, e)
	}
	return root
}
