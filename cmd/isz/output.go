package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Outputs (create's OUT.isz and its split members, extract's OUT.iso) are
// written into a staging directory next to them and renamed into place
// only when complete, so that a failure, a full disk or an interrupt
// leaves what was there before as it was, and a symlink at the output path
// is replaced, never followed. An existing output is replaced only with
// --force. Character devices and FIFOs (/dev/null, a pipe) are written
// directly, as are block devices, which need --force.

// outputMode says how an output path is written.
type outputMode int

const (
	outputStaged outputMode = iota // a file renamed into place
	outputDirect                   // a device or FIFO written in place
)

// checkOutput decides how out is written, refusing to replace an existing
// file without force.
func checkOutput(out string, force bool) (outputMode, error) {
	lfi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return outputStaged, nil
	}
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(out) // what a symlink points to decides direct writes
	if err != nil {
		fi = lfi // a dangling symlink: replaced like a file
	}
	m := fi.Mode()
	switch {
	case m&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return outputDirect, nil
	case m.IsDir():
		return 0, fmt.Errorf("%s is a directory", out)
	case !force:
		return 0, hintf("%s exists: give --force to replace it", out)
	case m&fs.ModeDevice != 0:
		return outputDirect, nil
	}
	return outputStaged, nil
}

// staging is a directory, next to the outputs, that they are written into
// before they are renamed into place.
type staging struct{ dir, tmp string }

func newStaging(out string) (*staging, error) {
	dir := filepath.Dir(out)
	tmp, err := os.MkdirTemp(dir, ".isz-partial-")
	if err != nil {
		return nil, err
	}
	return &staging{dir: dir, tmp: tmp}, nil
}

// path is where the output named name is written until commit.
func (s *staging) path(name string) string { return filepath.Join(s.tmp, filepath.Base(name)) }

// commit renames the staged files into place, replacing what is there.
func (s *staging) commit(names []string) error {
	for _, n := range names {
		if err := os.Rename(s.path(n), filepath.Join(s.dir, filepath.Base(n))); err != nil {
			return err
		}
	}
	return nil
}

// cleanup removes the staging directory and whatever is left in it.
func (s *staging) cleanup() { os.RemoveAll(s.tmp) }
