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
}

// DumpTree describes the first max entries below root, depth first, a
// line each: name, index, mode, size, inode and link count, or the error
// of a directory that cannot be listed, and whether Child finds each entry
// again at its index. Two opens of one image whose listing caches differ
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
			fmt.Fprintf(&b, "%s %d %d %v %d ino=%d nlink=%d", p, i, k.Index(), k.Mode(), k.Size(), k.Inode(), k.Nlink())
			if c, err := d.Child(i); err != nil || c.Name() != k.Name() || c.Inode() != k.Inode() {
				fmt.Fprintf(&b, " Child(%d): %v", i, err)
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
