package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// An extractJob copies the whole tree out of an image into a new directory.
type extractJob struct {
	name string
	// argv runs with {DEST} replaced by the destination directory; with fs
	// set, {MNT} by the mount point.
	argv []string
	fs   *fsys
	// rockRidge is false for a tool that reads the ISO's Joliet tree: it
	// writes no symlinks, so those are not counted.
	rockRidge bool
}

// extractTree is measurement 9: extracting the whole tree to disk, cold
// (page cache dropped and earlier writes synced before every run; the
// run's own writes are not synced, for no tool), with `isz extract
// --files` against `cp -a` out of an iszmount tree mount of the same ISZ,
// and against `7zz x` and `bsdtar -xf` of the plain ISO. Each tool's copy
// is checked against the source.
//
// Every run writes a new directory and the copies are removed only at the
// end: ext4 scans for an inode not freed in the last 30 seconds when it
// allocates one, so runs that each followed the removal of the previous
// copy spent three quarters of their time there, five times their time
// into a fresh directory, whatever the tool.
func (b *bencher) extractTree() error {
	in := b.in
	var jobs []extractJob
	if !b.c.peersOnly {
		tree := b.iszmountFS("iszmount tree (zlib)", in.iszZlib, "mode=tree")
		jobs = append(jobs,
			extractJob{name: "isz extract --files (zlib ISZ)", argv: []string{b.c.isz, "extract", in.iszZlib, "--files", "{DEST}"}, rockRidge: true},
			extractJob{name: "cp -a out of iszmount tree (zlib)", argv: []string{"cp", "-a", "{MNT}/.", "{DEST}"}, fs: &tree, rockRidge: true},
		)
	}
	jobs = append(jobs,
		extractJob{name: "7zz x (plain ISO)", argv: []string{"7zz", "x", "-bd", "-o{DEST}", in.iso}},
		extractJob{name: "bsdtar -xf (plain ISO)", argv: []string{"bsdtar", "-xf", in.iso, "-C", "{DEST}"}, rockRidge: true},
	)
	root := filepath.Join(b.c.work, "extracted")
	if err := os.RemoveAll(root); err != nil { // left by a killed run
		return err
	}
	defer os.RemoveAll(root)
	times := map[string]series{}
	for rep := range b.c.reps {
		for k, j := range inTurn(jobs, rep) {
			dest := filepath.Join(root, fmt.Sprintf("%d-%d", rep, k))
			d, err := b.extractOnce(j, dest)
			if err != nil {
				return err
			}
			times[j.name] = append(times[j.name], d)
			logf("   %d/%d %-36s %s", rep+1, b.c.reps, j.name, fmtDur(d))
			if rep == 0 {
				if err := b.checkExtracted(j, dest); err != nil {
					return err
				}
			}
		}
	}

	t := in.tree
	sec := b.r.section("9. Extracting the tree",
		fmt.Sprintf("The whole tree (%d entries, %s of files) written to a new directory on the work directory's disk (the copies are removed at the end: ext4 spends most of its time on inodes freed in the last 30 s). Cold: the page cache dropped and earlier writes synced before every run; no tool syncs its writes. `7zz` reads the Joliet tree (it writes no symlinks); the others Rock Ridge. Each tool's copy was checked against the source (entry count and the sha256 of %d files).",
			t.entries(), mib(t.Bytes), len(t.sample(100))))
	sec.table("Tool", "Time, median (min–max)")
	for _, j := range jobs {
		sec.row(j.name, times[j.name].timeCell())
	}
	if b.c.peersOnly {
		return nil
	}
	ours := times[jobs[0].name].median()
	for _, peer := range jobs[1:] {
		b.r.target("`isz extract --files` vs "+peer.name, speedup(ours, times[peer.name].median()), 1.0)
	}
	return nil
}

// extractOnce is one cold run of j into the new directory dest.
func (b *bencher) extractOnce(j extractJob, dest string) (time.Duration, error) {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return 0, err
	}
	if _, err := run(b.ctx, "", "sync"); err != nil {
		return 0, err
	}
	script := func(mnt string) string {
		args := make([]string, len(j.argv))
		for i, a := range j.argv {
			args[i] = strings.NewReplacer("{DEST}", dest, "{MNT}", mnt).Replace(a)
		}
		return shellArgv(args) + " > /dev/null"
	}
	if j.fs == nil {
		if err := dropCaches(); err != nil {
			return 0, err
		}
		d, _, err := b.timeShell(b.c.work, script(""))
		return d, err
	}
	var d time.Duration
	err := b.with(*j.fs, func(m *mount) error {
		if err := dropCaches(); err != nil {
			return err
		}
		var err error
		d, _, err = b.timeShell(b.c.work, script(m.dir))
		return err
	})
	return d, err
}

// checkExtracted compares the copy in dest with the source tree.
func (b *bencher) checkExtracted(j extractJob, dest string) error {
	if j.rockRidge {
		return b.checkTree(fsys{name: j.name}, dest)
	}
	// The Joliet tree: no symlinks, so count what is not one and check
	// the same sample of files, under their Joliet names.
	n := 0
	err := filepath.WalkDir(dest, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink == 0 {
			n++
		}
		return err
	})
	if err != nil {
		return err
	}
	t := b.in.tree
	if want := t.entries() - t.Symlinks; n != want {
		return fmt.Errorf("%s: WRONG TREE: %d entries besides symlinks under %s, the source has %d", j.name, n, dest, want)
	}
	return checkSample(b.in.tree, fsys{name: j.name, shown: jolietName}, dest)
}
