package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/iso9660view"
)

// treeFlags are the name-extension switches of the commands that read the
// ISO 9660 tree (ls, cat, extract --files), like the kernel's isofs options.
type treeFlags struct {
	pw               passwordFlags
	noRock, noJoliet bool
}

func (t *treeFlags) register(fs *pflag.FlagSet) {
	t.pw.register(fs)
	fs.BoolVar(&t.noRock, "norock", false, "")
	fs.BoolVar(&t.noJoliet, "nojoliet", false, "")
}

// tree is an opened image with its ISO 9660 file system.
type tree struct {
	*image
	fs *iso9660view.Image
}

// openTree opens name (ISZ or plain ISO) and its ISO 9660 file system.
func openTree(name string, t *treeFlags) (*tree, error) {
	im, err := openImage(name, &t.pw, 0)
	if err != nil {
		return nil, err
	}
	v, err := iso9660view.Open(im.r, im.size, &iso9660view.Options{NoRock: t.noRock, NoJoliet: t.noJoliet})
	if err != nil {
		im.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &tree{image: im, fs: v}, nil
}

// maxSymlinkHops bounds symlink resolution, like the kernel's ELOOP limit.
const maxSymlinkHops = 40

// resolve finds p in the tree. Symlinks in the middle of p are followed
// (absolute targets start at the image root, ".." never climbs above it);
// a symlink as the last component is followed only when followLast is set.
// It returns the entry and its real slash-separated path from the root ("" is
// the root). A missing path unwraps to errNotInImage.
func (t *tree) resolve(p string, followLast bool) (*iso9660view.Entry, string, error) {
	type step struct {
		e    *iso9660view.Entry
		name string
	}
	stack := []step{{t.fs.Root(), ""}}
	parts := splitPath(p)
	hops := 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		if name == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		cur := stack[len(stack)-1].e
		if !cur.IsDir() {
			return nil, "", fmt.Errorf("%s: not a directory: %w", p, errNotInImage)
		}
		e, err := cur.Lookup(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("%s: %w", p, errNotInImage)
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", p, err)
		}
		if e.Mode()&fs.ModeSymlink != 0 && (len(parts) > 0 || followLast) {
			if hops++; hops > maxSymlinkHops {
				return nil, "", fmt.Errorf("%s: too many levels of symbolic links: %w", p, errNotInImage)
			}
			target := e.Target()
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			parts = append(splitPath(target), parts...)
			continue
		}
		stack = append(stack, step{e, name})
	}
	names := make([]string, 0, len(stack)-1)
	for _, s := range stack[1:] {
		names = append(names, s.name)
	}
	return stack[len(stack)-1].e, strings.Join(names, "/"), nil
}

// splitPath splits a slash-separated path into its components, dropping
// empty ones and ".".
func splitPath(p string) []string {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			parts = append(parts, s)
		}
	}
	return parts
}

// joinRel joins a relative directory path and a name ("" is the top).
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// maxDepth bounds directory nesting in walks. Real discs stay far below it
// (Rock Ridge relocation exists for depths past 8; Linux paths end at 4096
// bytes); only a crafted image goes deeper.
const maxDepth = 1024

// walkTree calls fn for every entry below dir in pre-order (a directory
// before its contents), children sorted by name, with paths relative to
// dir's path rel. A directory that cannot be listed, is its own ancestor (a
// loop only a corrupt image has) or nests deeper than maxDepth is passed
// to skip.report and left out, and the walk goes on with the rest, so a
// hostile image can neither make a walk endless nor hide the good part of
// the tree. Errors of fn and ctx end the walk.
func walkTree(ctx context.Context, dir *iso9660view.Entry, rel string, skip *skipped, fn func(e *iso9660view.Entry, rel string) error) error {
	ancestors := map[uint64]bool{}
	var walk func(dir *iso9660view.Entry, rel string, depth int) error
	walk = func(dir *iso9660view.Entry, rel string, depth int) error {
		if depth > maxDepth {
			skip.report(fmt.Errorf("%s: directories nested deeper than %d: %w", rel, maxDepth, iso9660view.ErrFormat))
			return nil
		}
		children, err := sortedChildren(dir) // the reader's own loop check says more
		if err != nil {
			skip.report(fmt.Errorf("%s: %w", rel, err))
			return nil
		}
		if ancestors[dir.Inode()] {
			skip.report(fmt.Errorf("%s: directory loop: %w", rel, iso9660view.ErrFormat))
			return nil
		}
		ancestors[dir.Inode()] = true
		defer delete(ancestors, dir.Inode())
		for _, c := range children {
			if err := ctx.Err(); err != nil {
				return err
			}
			crel := joinRel(rel, c.Name())
			if err := fn(c, crel); err != nil {
				return err
			}
			if c.IsDir() {
				if err := walk(c, crel, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(dir, rel, 0)
}

// skipped counts the directories a walk left out, each reported on stderr
// as it is met; err then ends the command with a non-zero exit code.
type skipped struct {
	cmd   string // for the message: "isz: CMD: DIR: why; skipped"
	n     int
	first error
}

func (s *skipped) report(err error) {
	if s.n == 0 {
		s.first = err
	}
	s.n++
	fmt.Fprintf(os.Stderr, "isz: %s: %s; skipped\n", s.cmd, cliutil.Message(err))
}

// err is nil when nothing was skipped, else an error with the exit code of
// the first reason (usually a bad image).
func (s *skipped) err() error {
	if s.n == 0 {
		return nil
	}
	return &skippedDirs{s.n, s.first}
}

type skippedDirs struct {
	n     int
	first error
}

func (e *skippedDirs) Error() string {
	if e.n == 1 {
		return "1 directory could not be read and was skipped (named above)"
	}
	return fmt.Sprintf("%d directories could not be read and were skipped (named above)", e.n)
}

func (e *skippedDirs) Unwrap() error { return e.first }

// sortedChildren returns dir's entries sorted by name, leaving the shared
// slice of the reader untouched.
func sortedChildren(dir *iso9660view.Entry) ([]*iso9660view.Entry, error) {
	children, err := dir.ReadDir()
	if err != nil {
		return nil, err
	}
	children = slices.Clone(children)
	slices.SortFunc(children, func(a, b *iso9660view.Entry) int { return strings.Compare(a.Name(), b.Name()) })
	return children, nil
}
