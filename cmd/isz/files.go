package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
)

// An item is one entry to extract, with its path relative to DESTDIR.
type item struct {
	rel string
	e   disc.Entry
}

// extractFiles copies the entries named by paths (the whole tree when
// empty) out of the image into dest. All writes go through an os.Root
// opened on dest, which refuses any path that leaves it, whether through
// ".." or through a symlink; on top of that existing entries are replaced,
// never written through.
func extractFiles(ctx context.Context, name, dest string, paths []string, tf *treeFlags, keepSetID bool) error {
	t, err := openTree(name, tf)
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
	root, err := os.OpenRoot(dest)
	if err != nil {
		return err
	}
	defer root.Close()

	bar := startProgress("extract", total)
	x := &extractor{root: root, links: map[uint64]string{}, made: map[string]bool{}, bar: bar, perm: safePerm}
	if keepSetID {
		x.perm = allPerm
	}
	for _, name := range t.files() {
		if fi, err := os.Stat(name); err == nil {
			x.protect = append(x.protect, fi)
		}
	}
	err = x.extractAll(ctx, items)
	bar.Finish(err == nil)
	for _, s := range x.skipped {
		fmt.Fprintf(os.Stderr, "isz: extract: %s: skipped %s (devices and sockets are not extracted)\n", s.rel, modeString(s.e.Mode()))
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%d of %d files written to %s, the rest not (a file being written is never left under its name): %w", x.written, x.files, dest, err)
	}
	if err != nil {
		return err
	}
	return skip.err()
}

// extractAll makes the directories and symlinks in tree order, then writes
// the regular files in the order of their data on the disc (iso9660view
// derives a non-empty file's inode number from its first data block,
// udfview from its file entry's, which writers record near the data), so
// that the image is read front to back: sequential reads are what the ISZ
// reader prefetches and decodes in parallel, and what disks like. Last, the
// directories get their mode and times, deepest first: a read-only
// directory must be filled before it is closed, and filling it would change
// its modification time.
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
		if err := x.extract(ctx, it); err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
	}
	slices.SortStableFunc(files, func(a, b item) int { return cmp.Compare(a.e.Inode(), b.e.Inode()) })
	x.files = len(files)
	for _, it := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.extract(ctx, it); err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
		x.written++
	}
	for i := len(x.dirs) - 1; i >= 0; i-- {
		it := x.dirs[i]
		if err := x.setAttrs(it.rel, it.e); err != nil {
			return fmt.Errorf("%s: %w", it.rel, err)
		}
	}
	return nil
}

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

// extractor writes entries below root.
type extractor struct {
	root    *os.Root
	links   map[uint64]string // inode -> first extracted path, for hard links
	made    map[string]bool   // directories known to be real directories now
	dirs    []item            // directories, in creation order
	skipped []item            // devices and sockets
	protect []os.FileInfo     // the image's own files, never replaced
	perm    fs.FileMode       // the mode bits restored: safePerm or allPerm
	bar     *progress
	files   int // regular files to extract
	written int // regular files extracted so far
}

func (x *extractor) extract(ctx context.Context, it item) error {
	if err := x.ensureParents(it.rel); err != nil {
		return err
	}
	m := it.e.Mode()
	switch {
	case m.IsDir():
		if err := x.mkdir(it.rel); err != nil {
			return err
		}
		// Writable while it is filled, even when a previous extraction
		// left it read-only; its own mode is set at the end.
		if err := x.root.Chmod(it.rel, 0o700); err != nil {
			return err
		}
		x.dirs = append(x.dirs, it)
		return nil
	case m&fs.ModeSymlink != 0:
		if err := x.clear(it.rel); err != nil {
			return err
		}
		if err := x.root.Symlink(it.e.Target(), it.rel); err != nil {
			return err
		}
		return x.setSymlinkTimes(it.rel, it.e)
	case m.IsRegular():
		// Hard links share an inode; empty files may share a dummy extent
		// (and so an inode) without being links, so they are never linked.
		hardLink := it.e.Nlink() > 1 && it.e.Size() > 0
		if first, ok := x.links[it.e.Inode()]; ok && hardLink {
			if err := x.clear(it.rel); err != nil {
				return err
			}
			x.bar.Add(it.e.Size())
			return x.root.Link(first, it.rel)
		}
		if err := x.writeFile(ctx, it); err != nil {
			return err
		}
		if hardLink {
			x.links[it.e.Inode()] = it.rel
		}
		return x.setAttrs(it.rel, it.e)
	case m&fs.ModeNamedPipe != 0:
		if err := x.clear(it.rel); err != nil {
			return err
		}
		if err := x.mkfifo(it.rel); err != nil {
			return err
		}
		return x.setAttrs(it.rel, it.e)
	default:
		// Device nodes from an untrusted image could open the host's
		// disks to anyone; sockets are meaningless without their server.
		x.skipped = append(x.skipped, it)
		return nil
	}
}

// mkfifo makes a named pipe at rel, through a descriptor of its parent
// directory opened inside the root.
func (x *extractor) mkfifo(rel string) error {
	parent, err := x.root.Open(path.Dir(rel))
	if err != nil {
		return err
	}
	defer parent.Close()
	return unix.Mkfifoat(int(parent.Fd()), path.Base(rel), 0o600)
}

// ensureParents makes the parent directories of rel that a PATH argument
// skipped over; they must be real directories, not symlinks.
func (x *extractor) ensureParents(rel string) error {
	dir := path.Dir(rel)
	if dir == "." || x.made[dir] {
		return nil
	}
	if err := x.ensureParents(dir); err != nil {
		return err
	}
	return x.mkdir(dir)
}

// mkdir makes rel a real directory: an existing directory is kept, anything
// else there (a file, a symlink, even one pointing to a directory) is
// removed first so that nothing is written through it.
func (x *extractor) mkdir(rel string) (err error) {
	if x.made[rel] {
		return nil
	}
	defer func() {
		if err == nil {
			x.made[rel] = true
		}
	}()
	fi, err := x.root.Lstat(rel)
	if err == nil && fi.IsDir() {
		return nil
	}
	if err == nil {
		if err := x.remove(rel, fi); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return x.root.Mkdir(rel, 0o700)
}

// clear removes whatever non-directory is at rel, so the new file, link or
// symlink is created fresh instead of written through an old symlink.
func (x *extractor) clear(rel string) error {
	fi, err := x.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("a directory is in the way")
	}
	return x.remove(rel, fi)
}

// remove deletes the non-directory rel (whose Lstat is fi), unless it is
// one of the image's own files.
func (x *extractor) remove(rel string, fi os.FileInfo) error {
	for _, p := range x.protect {
		if os.SameFile(fi, p) {
			return fmt.Errorf("refusing to replace the image being read")
		}
	}
	return x.root.Remove(rel)
}

// writeFile writes the regular file it.rel under a temporary name in the
// same directory, renamed to it.rel once complete, so that an interrupted
// or failed extraction never leaves a partial file under a real name.
func (x *extractor) writeFile(ctx context.Context, it item) (err error) {
	if err := x.clear(it.rel); err != nil {
		return err
	}
	r, err := it.e.Open()
	if err != nil {
		return err
	}
	tmp := partialName(it.rel)
	if err := x.root.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // a leftover of an extraction killed before it could clean up
	}
	f, err := x.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			x.root.Remove(tmp)
		}
	}()
	if err := copyContents(ctx, f, r, it.e.Size(), x.bar); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return x.root.Rename(tmp, it.rel)
}

// partialName is the temporary name of rel while it is written: hidden,
// next to it, and saying what it is (a kill -9 cannot clean up).
func partialName(rel string) string {
	base := path.Base(rel)
	if len(base) > 200 { // NAME_MAX is 255
		base = base[:200]
	}
	return path.Join(path.Dir(rel), "."+base+".isz-partial")
}

// The mode bits restored on files and directories: by default without
// setuid and setgid (extract -p keeps them).
const (
	safePerm = fs.ModePerm | fs.ModeSticky
	allPerm  = safePerm | fs.ModeSetuid | fs.ModeSetgid
)

func (x *extractor) setAttrs(rel string, e disc.Entry) error {
	if err := x.root.Chmod(rel, e.Mode()&x.perm); err != nil {
		return err
	}
	if e.ModTime().IsZero() {
		return nil
	}
	return x.root.Chtimes(rel, accessTime(e), e.ModTime())
}

// setSymlinkTimes sets the times of the symlink itself (not its target),
// through a descriptor of its parent directory opened inside the root.
func (x *extractor) setSymlinkTimes(rel string, e disc.Entry) error {
	if e.ModTime().IsZero() {
		return nil
	}
	parent, err := x.root.Open(path.Dir(rel))
	if err != nil {
		return err
	}
	defer parent.Close()
	ts := []unix.Timespec{unix.NsecToTimespec(accessTime(e).UnixNano()), unix.NsecToTimespec(e.ModTime().UnixNano())}
	return unix.UtimesNanoAt(int(parent.Fd()), path.Base(rel), ts, unix.AT_SYMLINK_NOFOLLOW)
}

// accessTime is the entry's access time, or its modification time when the
// image records none.
func accessTime(e disc.Entry) time.Time {
	if at := e.AccessTime(); !at.IsZero() {
		return at
	}
	return e.ModTime()
}
