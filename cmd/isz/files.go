package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
)

// An item is one entry to extract, with its path relative to DESTDIR.
type item struct {
	rel string
	e   disc.Entry
}

// extractFiles copies the entries named by paths (the whole tree when
// empty) out of the image into dest, decoding on workers goroutines (0:
// one per core). All writes go through descriptors of dest's directories
// (see destTree), so no path leaves dest, whether through ".." or through
// a symlink; existing entries are replaced, never written through.
func extractFiles(ctx context.Context, name, dest string, paths []string, tf *treeFlags, workers int, keepSetID bool) error {
	t, err := openTree(name, tf, workers)
	if err != nil {
		return err
	}
	defer t.Close()

	skip := &skipped{cmd: "extract"}
	items, total, err := collect(ctx, t, paths, skip)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	dt, err := openDestTree(dest, t.files())
	if err != nil {
		return err
	}
	defer dt.Close()

	bar := startProgress("extract", total)
	x := &extractor{dest: dt, links: map[uint64]string{}, bar: bar, perm: safePerm, writers: workers}
	if x.writers == 0 {
		x.writers = runtime.GOMAXPROCS(0)
	}
	if keepSetID {
		x.perm = allPerm
	}
	err = x.extractAll(ctx, items)
	bar.Finish(err == nil)
	for _, s := range x.skipped {
		fmt.Fprintf(os.Stderr, "isz: extract: %s: skipped %s (devices and sockets are not extracted)\n", s.rel, modeString(s.e.Mode()))
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%d of %d files written to %s, the rest not (a file being written is never left under its name): %w", x.written.Load(), x.files, dest, err)
	}
	if err != nil {
		return err
	}
	return skip.err()
}

// extractAll makes the directories, symlinks and FIFOs in tree order,
// then writes the regular files (see writeFiles) and the further names of
// hard-linked ones. Last, the directories get their mode and times,
// deepest first: a read-only directory must be filled before it is
// closed, and filling it would change its modification time.
func (x *extractor) extractAll(ctx context.Context, items []item) error {
	var files []item
	for _, it := range items {
		if it.e.Mode().IsRegular() {
			files = append(files, it)
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.extract(it); err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
	}
	x.files = len(files)
	links, err := x.writeFiles(ctx, files)
	if err != nil {
		return err
	}
	for _, it := range links {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.link(it); err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
		x.written.Add(1)
	}
	for i := len(x.dirs) - 1; i >= 0; i-- {
		it := x.dirs[i]
		x.dest.trim()
		d, err := x.dest.mkdir(it.rel)
		if err == nil {
			err = x.setAttrs(d.fd, it.e)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
	}
	return nil
}

// writeFiles writes the regular files in the order of their data on the
// disc (iso9660view derives a non-empty file's inode number from its first
// data block, udfview from its file entry's, which writers record near the
// data), so that the image is read front to back: sequential reads are
// what the ISZ reader prefetches and decodes in parallel, and what disks
// like. It returns the further names of hard-linked files, to be linked
// once their first name is written.
//
// x.writers goroutines write at once, each a run of files of one
// directory at a time: making files costs the kernel more than decoding
// them costs us, and it does that work in parallel too, but not within
// one directory, which it locks to add a name. One goroutine, this one,
// hands out the runs with their directory, whose descriptor stays open
// until the run is written (destTree.hold).
func (x *extractor) writeFiles(ctx context.Context, files []item) (links []item, err error) {
	slices.SortStableFunc(files, func(a, b item) int { return cmp.Compare(a.e.Inode(), b.e.Inode()) })
	type named struct {
		it   item
		name string
	}
	type run struct {
		d     *destDir
		files []named
	}
	runs := make(chan run)
	g, gctx := errgroup.WithContext(ctx)
	for range x.writers {
		g.Go(func() error {
			for r := range runs {
				for _, f := range r.files {
					if err := x.writeFile(gctx, r.d, f.name, f.it.e); err != nil {
						x.dest.release(r.d)
						return fmt.Errorf("%s: %w", f.it.rel, err)
					}
					x.written.Add(1)
				}
				x.dest.release(r.d)
			}
			return nil
		})
	}
	err = func() error {
		defer close(runs)
		var cur run
		send := func() error {
			if cur.d == nil {
				return nil
			}
			select {
			case runs <- cur:
				cur = run{}
				return nil
			case <-gctx.Done():
				x.dest.release(cur.d)
				return gctx.Err()
			}
		}
		for _, it := range files {
			// Hard links share an inode; empty files may share a dummy
			// extent (and so an inode) without being links, so they are
			// never linked.
			if it.e.Nlink() > 1 && it.e.Size() > 0 {
				if _, ok := x.links[it.e.Inode()]; ok {
					links = append(links, it)
					continue
				}
				x.links[it.e.Inode()] = it.rel
			}
			x.dest.trim() // leaves the held directories open
			d, name, err := x.dest.parent(it.rel)
			if err != nil {
				return fmt.Errorf("%s: %w", it.rel, err)
			}
			if d != cur.d || len(cur.files) == maxRun {
				if err := send(); err != nil {
					return err
				}
				x.dest.hold(d)
				cur.d = d
			}
			cur.files = append(cur.files, named{it, name})
		}
		return send()
	}()
	if werr := g.Wait(); werr != nil {
		err = werr // the workers' error, which may have ended the loop
	}
	return links, err
}

// maxRun is the most files handed to one writer at once: a directory of
// many small files is still shared out.
const maxRun = 64

// collect lists what to extract, parents before children, and the total
// size of the regular files for the progress bar. A PATH keeps its place in
// the tree ("docs/a.txt" lands in DESTDIR/docs/a.txt); its parent
// directories are created but get no attributes from the image.
func collect(ctx context.Context, t *tree, paths []string, skip *skipped) ([]item, int64, error) {
	if len(paths) == 0 {
		paths = []string{""}
	}
	var items []item
	var total int64
	seen := map[string]bool{} // PATHs may overlap ("docs" and "docs/a")
	add := func(e disc.Entry, rel string) error {
		if !seen[rel] {
			seen[rel] = true
			items = append(items, item{rel, e})
			if e.Mode().IsRegular() {
				total += e.Size()
			}
		}
		return nil
	}
	for _, p := range paths {
		e, err := t.find(p, false)
		if err != nil {
			return nil, 0, err
		}
		rel := e.Path()
		if rel != "" {
			add(e, rel)
		}
		if e.IsDir() {
			if err := walk(ctx, e, rel, skip, add); err != nil {
				return nil, 0, err
			}
		}
	}
	return items, total, nil
}

// extractor writes entries below DESTDIR.
type extractor struct {
	dest    *destTree
	links   map[uint64]string // inode -> first extracted path, for hard links
	dirs    []item            // directories, in creation order
	skipped []item            // devices and sockets
	perm    fs.FileMode       // the mode bits restored: safePerm or allPerm
	bar     *progress
	writers int          // goroutines writing files
	files   int          // regular files to extract
	written atomic.Int64 // regular files extracted so far
}

// extract makes the directory, symlink or FIFO it (a device or socket is
// skipped).
func (x *extractor) extract(it item) error {
	x.dest.trim()
	m := it.e.Mode()
	if m.IsDir() {
		if _, err := x.dest.mkdir(it.rel); err != nil {
			return err
		}
		x.dirs = append(x.dirs, it) // its own mode is set at the end
		return nil
	}
	if m&(fs.ModeDevice|fs.ModeSocket) != 0 {
		// Device nodes from an untrusted image could open the host's
		// disks to anyone; sockets are meaningless without their server.
		x.skipped = append(x.skipped, it)
		return nil
	}
	d, name, err := x.dest.parent(it.rel)
	if err != nil {
		return err
	}
	switch {
	case m&fs.ModeSymlink != 0:
		if err := x.dest.create(d, name, func() error { return unix.Symlinkat(it.e.Target(), d.fd, name) }); err != nil {
			return err
		}
		return setSymlinkTimes(d.fd, name, it.e)
	case m&fs.ModeNamedPipe != 0:
		if err := x.dest.create(d, name, func() error { return unix.Mkfifoat(d.fd, name, 0o600) }); err != nil {
			return err
		}
		// Opening a FIFO without O_NONBLOCK would wait for a writer.
		fd, err := unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return x.setAttrs(fd, it.e)
	default:
		return fmt.Errorf("cannot extract a %s", modeString(m))
	}
}

// link makes it a hard link to the file first extracted with its inode.
func (x *extractor) link(it item) error {
	x.dest.trim()
	fd, fname, err := x.dest.parent(x.links[it.e.Inode()])
	if err != nil {
		return err
	}
	d, name, err := x.dest.parent(it.rel)
	if err != nil {
		return err
	}
	x.bar.Add(it.e.Size())
	return x.dest.create(d, name, func() error { return unix.Linkat(fd.fd, fname, d.fd, name, 0) })
}

// writeFile writes the regular file e as name in d: unnamed or under a
// temporary name (see destTree.open), given its name once complete with
// its mode and times, so that an interrupted or failed extraction never
// leaves a partial file under a real name.
func (x *extractor) writeFile(ctx context.Context, d *destDir, name string, e disc.Entry) (err error) {
	r, err := e.Open()
	if err != nil {
		return err
	}
	// The file is made with its mode, so that it usually needs no chmod,
	// but without setuid and setgid (a write would clear them) and
	// without write permission for others while it is written.
	mode := disc.PermBits(e.Mode() & x.perm)
	initial := mode & 0o1755
	fd, tmp, err := x.dest.open(d, name, initial)
	if err != nil {
		return err
	}
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
		if err != nil && tmp != "" {
			unix.Unlinkat(d.fd, tmp, 0)
		}
	}()
	if err := copyContents(ctx, fdWriter(fd), r, e.Size(), x.bar); err != nil {
		return err
	}
	chmod := initial != mode || initial&x.dest.umask != 0
	if err := setAttrs(fd, mode, chmod, accessTime(e), e.ModTime()); err != nil {
		return err
	}
	if tmp == "" {
		return x.dest.link(fd, d, name)
	}
	err, fd = unix.Close(fd), -1
	if err != nil {
		return err
	}
	return x.dest.replace(d, tmp, name)
}

// partialName is the temporary name of a file while it is written:
// hidden, next to it, and saying what it is (a kill -9 cannot clean up).
func partialName(name string) string {
	if len(name) > 200 { // NAME_MAX is 255
		name = name[:200]
	}
	return "." + name + ".isz-partial"
}

// The mode bits restored on files and directories: by default without
// setuid and setgid (extract -p keeps them).
const (
	safePerm = fs.ModePerm | fs.ModeSticky
	allPerm  = safePerm | fs.ModeSetuid | fs.ModeSetgid
)

// setAttrs gives the open file or directory fd the mode and times of e.
func (x *extractor) setAttrs(fd int, e disc.Entry) error {
	return setAttrs(fd, disc.PermBits(e.Mode()&x.perm), true, accessTime(e), e.ModTime())
}

// setSymlinkTimes sets the times of the symlink name in the directory fd
// (not of its target).
func setSymlinkTimes(fd int, name string, e disc.Entry) error {
	if e.ModTime().IsZero() {
		return nil
	}
	ts := []unix.Timespec{unix.NsecToTimespec(accessTime(e).UnixNano()), unix.NsecToTimespec(e.ModTime().UnixNano())}
	return unix.UtimesNanoAt(fd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// accessTime is the entry's access time, or its modification time when the
// image records none.
func accessTime(e disc.Entry) time.Time {
	if at := e.AccessTime(); !at.IsZero() {
		return at
	}
	return e.ModTime()
}
