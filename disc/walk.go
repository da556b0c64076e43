package disc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// MaxDepth bounds directory nesting in a walk. Real discs stay far below it
// (a path of more than 1024 components exceeds PATH_MAX); only a crafted
// image goes deeper.
const MaxDepth = 1024

// ErrTreeShape means a walk met a directory structure that only a damaged
// or hostile image has: a directory inside itself, one directory reached by
// two paths, or nesting deeper than MaxDepth.
var ErrTreeShape = errors.New("malformed directory tree")

// WalkFunc is called by Walk for every entry, with its path relative to the
// walk's start. When a directory cannot be listed, fn is called a second
// time for it with the error (fs.WalkDir's convention): returning nil skips
// that directory and the walk goes on; returning an error stops the walk
// with it. Returning fs.SkipDir from the first call for a directory skips
// its contents; from the call for any other entry, it skips the rest of
// that entry's directory.
type WalkFunc func(rel string, e Entry, err error) error

// Walk calls fn for every entry below dir in pre-order (a directory before
// its contents), children in name order, paths relative to dir joined to
// rel. It never follows symlinks, and a directory already visited (its own
// ancestor, or reached twice in a crafted image whose directories share
// their contents) or nested past MaxDepth is reported to fn as an error
// wrapping ErrTreeShape instead of being listed, so a hostile image cannot
// make a walk endless or exponential. ctx cancels the walk between entries.
func Walk(ctx context.Context, dir Entry, rel string, fn WalkFunc) error {
	w := walker{ctx: ctx, fn: fn, seen: map[uint64]string{dir.Inode(): rel}}
	if err := w.dir(dir, rel, 0); !errors.Is(err, fs.SkipDir) {
		return err
	}
	return nil
}

type walker struct {
	ctx  context.Context
	fn   WalkFunc
	seen map[uint64]string // inode of every directory listed -> its path
}

func (w *walker) dir(dir Entry, rel string, depth int) error {
	if depth >= MaxDepth {
		return w.fn(rel, dir, fmt.Errorf("%w: directories nested deeper than %d", ErrTreeShape, MaxDepth))
	}
	children, err := dir.ReadDir()
	if err != nil {
		return w.fn(rel, dir, err)
	}
	for _, c := range children {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		crel := joinRel(rel, c.Name())
		err := w.fn(crel, c, nil)
		if errors.Is(err, fs.SkipDir) {
			if c.IsDir() {
				continue // skip this directory's contents
			}
			return nil // skip the rest of this directory
		}
		if err != nil {
			return err
		}
		if !c.IsDir() {
			continue
		}
		if first, ok := w.seen[c.Inode()]; ok {
			err := fmt.Errorf("%w: the directory is also %s", ErrTreeShape, quote(first))
			if err := w.fn(crel, c, err); err != nil {
				return err
			}
			continue
		}
		w.seen[c.Inode()] = crel
		if err := w.dir(c, crel, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// joinRel joins a relative directory path and a name ("" is the top).
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func quote(rel string) string { return fmt.Sprintf("%q", "/"+rel) }
