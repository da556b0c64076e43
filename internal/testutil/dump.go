package testutil

import (
	"fmt"
	"io/fs"
	"strings"
)

// DumpEntry is what DumpTree needs of a reader's entry (iso9660view's and
// udfview's *Entry both have it).
type DumpEntry[E any] interface {
	Name() string
	Mode() fs.FileMode
	Size() int64
	Inode() uint64
	Nlink() uint32
	Index() int
	ReadDir() ([]E, error)
	Child(i int) (E, error)
	Lookup(name string) (E, error)
}

// DumpTree describes the first max entries below root, depth first, a
// line each: name, mode, size, inode and link count, or the error of a
// directory that cannot be listed; a line says "MISMATCH" where Index,
// Child or Lookup disagree with the listing. Two opens of one image whose listing caches differ
// must dump alike: a cache that keeps a single listing parses every
// directory again and again, and must show the tree a cache keeping them
// all shows.
func DumpTree[E DumpEntry[E]](root E, max int) string {
	var b strings.Builder
	n := 0
	var walk func(d E, path string)
	walk = func(d E, path string) {
		kids, err := d.ReadDir()
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", path, err)
			return
		}
		for i, k := range kids {
			if n++; n > max {
				return
			}
			p := path + "/" + k.Name()
			fmt.Fprintf(&b, "%s %v %d ino=%d nlink=%d", p, k.Mode(), k.Size(), k.Inode(), k.Nlink())
			if k.Index() != i {
				fmt.Fprintf(&b, " MISMATCH: Index %d, listed at %d", k.Index(), i)
			}
			if c, err := d.Child(i); err != nil || c.Name() != k.Name() || c.Inode() != k.Inode() {
				fmt.Fprintf(&b, " MISMATCH: Child(%d): %v", i, err)
			}
			if l, err := d.Lookup(k.Name()); err != nil || l.Index() != i || l.Inode() != k.Inode() {
				fmt.Fprintf(&b, " MISMATCH: Lookup: %v", err)
			}
			b.WriteByte('\n')
			if k.Mode().IsDir() {
				walk(k, p)
			}
		}
	}
	walk(root, "")
	return b.String()
}
