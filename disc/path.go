package disc

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/iszmount/iszmount/internal/discfs"
)

// ErrLoop means a path named a chain of symlinks longer than the kernel
// would follow (40).
var ErrLoop = discfs.ErrTooManyLinks

// Lookup resolves a slash-separated path ("" or "." is the root; leading
// and trailing slashes are ignored) inside the image: symlinks in the middle
// of the path are followed without ever leaving the image (an absolute
// target starts at the image root, ".." stops at the root, and ".." after a
// symlink climbs from its target, as the kernel's would), and a final
// symlink is followed when followLast is set. Both readers resolve with
// the same code (internal/discfs), so paths mean the same on either side.
// A missing path gives an error wrapping fs.ErrNotExist; a path through a
// file, one wrapping fs.ErrInvalid.
func (t *Tree) Lookup(p string, followLast bool) (Entry, error) {
	e, err := t.lookup(strings.Trim(p, "/"), followLast)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fs.PathError{Op: "lookup", Path: p, Err: err}
	}
	return e, nil
}

// resolverOf is the path resolution of a reader's tree, for Tree.lookup.
func resolverOf[E readerEntry[E]](root E) func(p string, followLast bool) (Entry, error) {
	return func(p string, followLast bool) (Entry, error) {
		e, err := discfs.Resolve(root, p, followLast)
		if err != nil {
			return nil, err
		}
		return wrap(e), nil
	}
}
