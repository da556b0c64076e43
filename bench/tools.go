package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// bencher holds what every measurement needs.
type bencher struct {
	ctx context.Context
	c   *config
	ms  *mounts
	in  *inputs
	r   *report
	mnt string           // parent of every mount point
	rss map[string]int64 // peak RSS of each tree tool's server during the tree operations
}

// fsys is a way to present an image as a directory: a tool and its input.
type fsys struct {
	name  string // as the report names it
	mount func(dir string) (*mount, error)
	// shown maps a path of the source tree to the path the tool shows it
	// at, where the image's writer renamed it (nil: the same path; "":
	// not at a path we can tell, so it is not checked).
	shown func(rel string) string
}

func (b *bencher) dir(name string) string {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(name))
	return filepath.Join(b.mnt, slug)
}

// iszmountFS mounts img with iszmount in the foreground with -o opts
// ("mode=raw", "mode=tree", "mode=tree,fs=udf") and the configured cache
// budget.
func (b *bencher) iszmountFS(name, img, opts string) fsys {
	return b.iszmountExactly(name, img, opts+b.c.cacheOpt)
}

// iszmountExactly is iszmountFS with no option added to opts.
func (b *bencher) iszmountExactly(name, img, opts string) fsys {
	return fsys{name: name, mount: func(dir string) (*mount, error) {
		return b.ms.startFUSE(name, dir, b.c.iszmount, "-f", "-o", opts, img, dir)
	}}
}

func (b *bencher) squashfuseLL(name, img string) fsys {
	return fsys{name: name, mount: func(dir string) (*mount, error) {
		return b.ms.startFUSE(name, dir, "squashfuse_ll", "-f", img, dir)
	}}
}

func (b *bencher) squashfuse(name, img string) fsys {
	return fsys{name: name, mount: func(dir string) (*mount, error) {
		return b.ms.startFUSE(name, dir, "squashfuse", "-f", img, dir)
	}}
}

// kernelSquashfs is the in-kernel reference: squashfs on a loop device
// (mount sets it up and autoclear frees it on unmount).
func (b *bencher) kernelSquashfs(name, img string) fsys {
	return fsys{name: name, mount: func(dir string) (*mount, error) {
		return b.ms.mountKernel(name, dir, "-t", "squashfs", "-o", "loop,ro", img)
	}}
}

// fuseiso takes its FUSE options after the positionals; -n keeps it from
// writing ~/.mtab.fuseiso.
func (b *bencher) fuseiso(name, img string) fsys {
	return fsys{name: name, mount: func(dir string) (*mount, error) {
		return b.ms.startFUSE(name, dir, "fuseiso", "-n", img, dir, "-f")
	}}
}

// with mounts f, runs fn on its directory and unmounts, whatever fn did.
func (b *bencher) with(f fsys, fn func(m *mount) error) (err error) {
	m, err := f.mount(b.dir(f.name))
	if err != nil {
		return err
	}
	defer func() {
		if uerr := b.ms.unmount(m); uerr != nil && err == nil {
			err = uerr
		}
	}()
	return fn(m)
}

// timeShell runs a shell script in dir and returns its wall time and
// stdout. A shell costs about a millisecond, the same for every tool.
func (b *bencher) timeShell(dir, script string) (time.Duration, string, error) {
	cmd := command(b.ctx, "sh", "-c", script)
	cmd.Dir = dir
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, "", fmt.Errorf("%s (in %s): %w: %s", script, dir, err, lastLines(stderr.String(), 5))
	}
	return d, stdout.String(), nil
}

// q quotes a path for sh.
func q(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// onlyFile returns the single file in a raw-mode mount.
func onlyFile(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	if len(ents) != 1 || !ents[0].Type().IsRegular() {
		return "", fmt.Errorf("raw mount %s: want exactly one regular file, found %d entries", dir, len(ents))
	}
	return filepath.Join(dir, ents[0].Name()), nil
}

// checkRanges compares n 1 MiB ranges of got (spread over the file, the
// first and last included) with the ISO, and the sizes.
func (b *bencher) checkRanges(who, got string, n int) error {
	g, err := os.Open(got)
	if err != nil {
		return err
	}
	defer g.Close()
	w, err := os.Open(b.in.iso)
	if err != nil {
		return err
	}
	defer w.Close()
	gi, err := g.Stat()
	if err != nil {
		return err
	}
	if gi.Size() != b.in.isoSize {
		return fmt.Errorf("%s: WRONG SIZE: %s is %d bytes, the ISO %d", who, got, gi.Size(), b.in.isoSize)
	}
	const span = 1 << 20
	gb, wb := make([]byte, span), make([]byte, span)
	for i := range n {
		off := int64(0)
		if n > 1 {
			off = (b.in.isoSize - span) * int64(i) / int64(n-1)
		}
		off = max(0, off)
		gn, gerr := g.ReadAt(gb, off)
		wn, werr := w.ReadAt(wb, off)
		if gn != wn || string(gb[:gn]) != string(wb[:wn]) {
			return fmt.Errorf("%s: WRONG BYTES at offset %d of %s (%v, %v)", who, off, got, gerr, werr)
		}
	}
	return nil
}

// checkStream hashes what argv writes and compares it with the ISO's hash.
func (b *bencher) checkStream(who string, argv ...string) error {
	h := sha256.New()
	cmd := command(b.ctx, argv...)
	cmd.Stdout = h
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", who, err, stderr.String())
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != b.in.isoSHA {
		return fmt.Errorf("%s: WRONG BYTES: sha256 %s, the ISO's is %s", who, got, b.in.isoSHA)
	}
	return nil
}

// checkFile hashes a whole file and compares it with the ISO's hash.
func (b *bencher) checkFile(who, path string) error {
	sum, _, err := sha256File(path)
	if err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	if sum != b.in.isoSHA {
		return fmt.Errorf("%s: WRONG BYTES: sha256 of %s is %s, the ISO's is %s", who, path, sum, b.in.isoSHA)
	}
	return nil
}

// checkTree compares the number of entries `find` sees and the content of
// a sample of files (the largest among them) with the source tree, on f
// mounted at dir.
func (b *bencher) checkTree(f fsys, dir string) error {
	t, who := b.in.tree, f.name
	n := 0
	err := filepath.WalkDir(dir, func(string, os.DirEntry, error) error { n++; return nil })
	if err != nil {
		return fmt.Errorf("%s: walking %s: %w", who, dir, err)
	}
	if n != t.entries() {
		return fmt.Errorf("%s: WRONG TREE: %d entries under %s, the source has %d", who, n, dir, t.entries())
	}
	return checkSample(t, f, dir)
}

// checkSample compares the content of a sample of t's files (the largest
// among them) with what f mounted at dir shows.
func checkSample(t *tree, f fsys, dir string) error {
	who := f.name
	for _, rel := range t.sample(100) {
		want, _, err := sha256File(filepath.Join(t.Dir, rel))
		if err != nil {
			return err
		}
		if f.shown != nil {
			if rel = f.shown(rel); rel == "" {
				continue // the tool cannot show it under a name we know
			}
		}
		got, _, err := sha256File(filepath.Join(dir, rel))
		if err != nil {
			return fmt.Errorf("%s: reading %s: %w", who, rel, err)
		}
		if got != want {
			return fmt.Errorf("%s: WRONG BYTES in %s", who, rel)
		}
	}
	return nil
}

// readAll reads a file to the end with a 1 MiB buffer (what cp does),
// calling progress after every read.
func readAll(path string, progress func(n int)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		if n > 0 && progress != nil {
			progress(n)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
