package testutil

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// DumpEntry is what DumpTree needs of a tree's entry (iso9660view's and
// udfview's *Entry and disc.Entry all have it).
type DumpEntry[E any] interface {
	Name() string
	Mode() fs.FileMode
	Size() int64
	Inode() uint64
	Nlink() uint32
	UID() uint32
	GID() uint32
	HasOwner() bool
	Rdev() uint64
	ModTime() time.Time
	AccessTime() time.Time
	ChangeTime() time.Time
	Target() string
	Index() int
	Parent() E
	ReadDir() ([]E, error)
	Child(i int) (E, error)
	Lookup(name string) (E, error)
}

// DumpTree describes the first max entries below root, depth first, a
// line each: the entry's path of listing indexes from the root in
// brackets (what Child takes, one level at a time), its path, mode, size,
// inode, link count, owner, device number, times and link target, then
// extra(entry) if extra is not nil; or the error of a directory that
// cannot be listed. A line says "MISMATCH" where Index, Child, Lookup or
// Parent disagree with the listing, or Child answers past its end.
//
// Two opens of one image whose listing caches differ must dump alike: a
// cache that keeps a single listing parses every directory again and
// again, and must show the tree a cache keeping them all shows.
func DumpTree[E DumpEntry[E]](root E, max int, extra func(E) string) string {
	var b strings.Builder
	n := 0
	var walk func(d E, path string, idx []int)
	walk = func(d E, path string, idx []int) {
		kids, err := d.ReadDir()
		if err != nil {
			fmt.Fprintf(&b, "%v %s: %v\n", idx, path, err)
			return
		}
		for i, k := range kids {
			if n++; n > max {
				return
			}
			p := path + "/" + k.Name()
			kidx := append(idx[:len(idx):len(idx)], i)
			fmt.Fprintf(&b, "%v %s %v %d ino=%d nlink=%d owner=%d:%d/%v rdev=%d times=%d,%d,%d target=%q",
				kidx, p, k.Mode(), k.Size(), k.Inode(), k.Nlink(), k.UID(), k.GID(), k.HasOwner(), k.Rdev(),
				k.ModTime().UnixNano(), k.AccessTime().UnixNano(), k.ChangeTime().UnixNano(), k.Target())
			if extra != nil {
				fmt.Fprintf(&b, " %s", extra(k))
			}
			if k.Index() != i {
				fmt.Fprintf(&b, " MISMATCH: Index %d", k.Index())
			}
			if c, err := d.Child(i); err != nil || c.Name() != k.Name() || c.Inode() != k.Inode() {
				fmt.Fprintf(&b, " MISMATCH: Child(%d): %v", i, err)
			}
			if l, err := d.Lookup(k.Name()); err != nil || l.Index() != i || l.Inode() != k.Inode() {
				fmt.Fprintf(&b, " MISMATCH: Lookup: %v", err)
			}
			if k.Parent().Inode() != d.Inode() {
				fmt.Fprintf(&b, " MISMATCH: Parent")
			}
			b.WriteByte('\n')
			if k.Mode().IsDir() {
				walk(k, p, kidx)
			}
		}
		if _, err := d.Child(len(kids)); !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(&b, "%v %s MISMATCH: Child(%d) past the end: %v\n", idx, path, len(kids), err)
		}
	}
	walk(root, "", nil)
	return b.String()
}
