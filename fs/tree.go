package fs

import "github.com/iszmount/iszmount/disc"

// NewTree returns a file system that serves the directory tree t, of
// either file system (see package disc).
func NewTree(t *disc.Tree, opts *Options) *FS {
	bs := int64(t.BlockSize())
	if bs <= 0 {
		bs = 2048
	}
	return newFS(t.Root(), opts, bs, t.Blocks())
}
