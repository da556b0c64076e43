package discfs

import "sync"

// HardLinks counts the names of every non-directory below root and returns
// the counts above 1: the hard links, a small map even for a large tree.
// inode gives an entry's inode number and whether a non-directory is
// counted (an empty file, whose inode is its record rather than shared
// data, may not be). Each directory is read once, known by its inode, so a
// directory reachable twice is not counted twice; one that cannot be
// listed is skipped.
func HardLinks[E Node[E]](root E, children func(E) ([]E, error), inode func(E) (uint64, bool)) map[uint64]uint32 {
	all := make(map[uint64]uint32)
	seen := make(map[uint64]bool)
	var walk func(d E)
	walk = func(d E) {
		ino, _ := inode(d)
		if seen[ino] {
			return
		}
		seen[ino] = true
		kids, err := children(d)
		if err != nil {
			return
		}
		for _, k := range kids {
			if k.IsDir() {
				walk(k)
			} else if ino, ok := inode(k); ok {
				all[ino]++
			}
		}
	}
	walk(root)
	links := make(map[uint64]uint32)
	for ino, n := range all {
		if n > 1 {
			links[ino] = n
		}
	}
	return links
}

// Nlinks is an image's hard-link counts, made on first use: reading every
// directory is worth it only once a link count is asked for. The zero
// Nlinks is ready.
type Nlinks struct {
	once  sync.Once
	links map[uint64]uint32
}

// Of returns the number of names of the non-directory inode ino, calling
// count (HardLinks over the image) the first time.
func (n *Nlinks) Of(ino uint64, count func() map[uint64]uint32) uint32 {
	n.once.Do(func() { n.links = count() })
	if c := n.links[ino]; c > 0 {
		return c
	}
	return 1
}
