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

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/internal/cliutil"
)

// treeFlags are the switches of the commands that read the disc's tree (ls,
// cat, extract --files): which file system (--fs) and, for ISO 9660, which
// name extensions, like the kernel's isofs options.
type treeFlags struct {
	pw               passwordFlags
	fsView           string
	noRock, noJoliet bool
}

func (t *treeFlags) register(fs *pflag.FlagSet) {
	t.pw.register(fs)
	registerFS(fs, &t.fsView)
	fs.BoolVar(&t.noRock, "norock", false, "")
	fs.BoolVar(&t.noJoliet, "nojoliet", false, "")
}

// registerFS adds --fs, the file system to read (see disc.Options.FS).
func registerFS(fs *pflag.FlagSet, view *string) {
	*view = disc.Auto
	fs.Var((*fsValue)(view), "fs", "")
}

// fsValue is the value of --fs, checked as it is parsed.
type fsValue string

func (v *fsValue) String() string { return string(*v) }
func (v *fsValue) Type() string   { return "FS" }

func (v *fsValue) Set(s string) error {
	if !slices.Contains(disc.Views, s) {
		return fmt.Errorf("want %s", strings.Join(disc.Views, ", "))
	}
	*v = fsValue(s)
	return nil
}

func (t *treeFlags) options() *disc.Options {
	return &disc.Options{FS: t.fsView, NoRock: t.noRock, NoJoliet: t.noJoliet}
}

// tree is an opened image with the directory tree of its file system.
type tree struct {
	*image
	*disc.Tree
}

// openTree opens name (ISZ or plain image) and its directory tree.
func openTree(name string, t *treeFlags, workers int) (*tree, error) {
	im, err := openImage(name, &t.pw, workers)
	if err != nil {
		return nil, err
	}
	dt, err := disc.Open(im.r, im.size, t.options())
	if err != nil {
		im.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &tree{image: im, Tree: dt}, nil
}

// find looks p up in the tree (see disc.Tree.Lookup). A path that names
// nothing, runs through a file or loops through symlinks unwraps to
// errNotInImage; other errors (a damaged directory) are the reader's.
func (t *tree) find(p string, followLast bool) (disc.Entry, error) {
	e, err := t.Lookup(p, followLast)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", p, errNotInImage)
	case errors.Is(err, fs.ErrInvalid) || errors.Is(err, disc.ErrLoop):
		return nil, fmt.Errorf("%s: %v: %w", p, errors.Unwrap(err), errNotInImage)
	}
	return e, err
}

// walk calls fn for every entry below dir (disc.Walk's order, paths joined
// to rel). A directory that cannot be listed, or that only a hostile image
// has (a loop, a directory reached twice, nesting too deep), is passed to
// skip.report and left out, and the walk goes on with the rest, so a
// hostile image can neither make a walk endless nor hide the good part of
// the tree. Errors of fn and ctx end the walk.
func walk(ctx context.Context, dir disc.Entry, rel string, skip *skipped, fn func(e disc.Entry, rel string) error) error {
	return disc.Walk(ctx, dir, rel, func(rel string, e disc.Entry, err error) error {
		if err != nil {
			skip.report(fmt.Errorf("%s: %w", rel, err))
			return nil
		}
		return fn(e, rel)
	})
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
