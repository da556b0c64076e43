package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

var catCmd = &command{
	name:     "cat",
	synopsis: "IMAGE PATH",
	summary:  "write one file of an ISZ or ISO image to standard output",
	help: `
Writes the contents of the regular file PATH in the image's ISO 9660 tree
to standard output (zisofs files decoded). Symlinks are followed inside the
image. A progress bar is drawn on stderr only when stderr is a terminal and
standard output is not.`,
	flags: func(fs *flag.FlagSet) func(context.Context, []string) error {
		var tf treeFlags
		tf.register(fs)
		return func(ctx context.Context, args []string) error {
			if len(args) != 2 {
				return usagef("want IMAGE and PATH, got %d arguments", len(args))
			}
			return catFile(ctx, os.Stdout, args[0], args[1], &tf)
		}
	},
}

func catFile(ctx context.Context, stdout *os.File, name, p string, tf *treeFlags) (err error) {
	t, err := openTree(name, tf)
	if err != nil {
		return err
	}
	defer t.Close()
	e, _, err := t.resolve(p, true)
	if err != nil {
		return err
	}
	if !e.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file (%s)", p, modeString(e.Mode()))
	}
	r, err := e.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	var bar *progress
	if !term.IsTerminal(int(stdout.Fd())) {
		bar = startProgress("cat", e.Size())
	}
	defer func() { bar.Finish(err == nil) }()
	return copyContents(ctx, stdout, r, e.Size(), bar)
}

// copyBlock is the read size when copying a file out of the tree.
const copyBlock = 1 << 20

// copyContents copies size bytes of r to w in large reads, checking ctx
// between them.
func copyContents(ctx context.Context, w io.Writer, r io.ReaderAt, size int64, bar *progress) error {
	buf := make([]byte, min(copyBlock, max(size, 1)))
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(min(int64(len(buf)), size-off))
		m, err := r.ReadAt(buf[:n], off)
		if m < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		off += int64(n)
		bar.Add(int64(n))
	}
	return nil
}
