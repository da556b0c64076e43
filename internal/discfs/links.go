package discfs

import (
	"slices"
	"sync"
)

// HardLinks counts the names of every non-directory below root and returns
// the counts above 1: the hard links, a small map even for a large tree.
// It is for discs that record no link counts (plain ISO 9660, Joliet),
// where hard links are names sharing data, and it reads every directory:
// the inodes met are gathered in a slice (8 bytes a name, not a map's
// fifty) and counted once sorted. inode gives an entry's inode number and
// whether a non-directory is counted (an empty file, whose inode is its
// record rather than shared data, may not be). Each directory is read
// once, known by its inode, so a directory reachable twice is not counted
// twice; one that cannot be listed is skipped.
func HardLinks[E Node[E]](root E, children func(E) ([]E, error), inode func(E) (uint64, bool)) map[uint64]uint32 {
	var all []uint64
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
				all = append(all, ino)
			}
		}
	}
	walk(root)
	slices.Sort(all)
	links := make(map[uint64]uint32)
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j] == all[i] {
			j++
		}
		if j-i > 1 {
			links[all[i]] = uint32(j - i)
		}
		i = j
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
