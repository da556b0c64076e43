package disc

import (
	"errors"
	"io/fs"
	"strings"
)

// maxSymlinkHops bounds how many final symlinks Lookup follows, like the
// kernel's ELOOP limit (the readers bound the ones in the middle).
const maxSymlinkHops = 40

// ErrLoop means a path named a chain of symlinks longer than the kernel
// would follow.
var ErrLoop = errors.New("too many levels of symbolic links")

// Lookup resolves a slash-separated path ("" or "." is the root; leading
// and trailing slashes are ignored) with the reader's own lookup, which
// follows symlinks in the middle of the path without ever leaving the
// image. A final symlink is followed when followLast is set, its target
// resolved the same way (an absolute target from the image root, a relative
// one from the symlink's directory). A missing path gives an error wrapping
// fs.ErrNotExist.
func (t *Tree) Lookup(p string, followLast bool) (Entry, error) {
	e, err := t.lookup(strings.Trim(p, "/"))
	for hops := 0; err == nil && followLast && e.Mode()&fs.ModeSymlink != 0; hops++ {
		if hops == maxSymlinkHops {
			return nil, &fs.PathError{Op: "lookup", Path: p, Err: ErrLoop}
		}
		// The reader resolves the target's components in order, as the
		// kernel would ("x/../y" climbs from wherever the symlink x
		// leads), so the target is not cleaned here.
		target := e.Target()
		if !strings.HasPrefix(target, "/") {
			target = e.Parent().Path() + "/" + target
		}
		e, err = t.lookup(strings.Trim(target, "/"))
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if err.Error() == ErrLoop.Error() {
			// The readers keep their own symlink-loop errors private
			// (neither may import this package); their text is this one.
			err = ErrLoop
		}
		return nil, &fs.PathError{Op: "lookup", Path: p, Err: err}
	}
	return e, nil
}

// lookupWith adapts a reader's path lookup to Entry.
func lookupWith[E readerEntry[E]](lookup func(string) (E, error)) func(string) (Entry, error) {
	return func(p string) (Entry, error) {
		e, err := lookup(p)
		if err != nil {
			return nil, err
		}
		return wrap(e), nil
	}
}
