package fs

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/internal/testutil"
)

// treeDirs and treeFiles shape the test tree: treeDirs directories of
// treeFiles files each, and one hard link.
const (
	treeDirs  = 8
	treeFiles = 25
)

// mountTestTree makes a Rock Ridge ISO of a small tree with xorriso, mounts
// it in tree mode and returns the file system, the mount point and the
// source tree.
func mountTestTree(t *testing.T, opts *Options, mo *MountOptions) (*FS, string, string) {
	t.Helper()
	src := t.TempDir()
	var nodes []testutil.SrcNode
	for d := range treeDirs {
		dir := fmt.Sprintf("d%d", d)
		nodes = append(nodes, testutil.SrcNode{Path: dir, Mode: fs.ModeDir})
		for i := range treeFiles {
			nodes = append(nodes, testutil.SrcNode{Path: fmt.Sprintf("%s/f%02d", dir, i), Data: testutil.Pseudo(uint64(d*100+i), 100+i*37)})
		}
	}
	nodes = append(nodes, testutil.SrcNode{Path: "d0/link", LinkTo: "d1/f03"})
	testutil.WriteTree(t, src, nodes)
	img := filepath.Join(t.TempDir(), "tree.iso")
	testutil.Run(t, "", "xorriso", "-as", "mkisofs", "-quiet", "-R", "-o", img, src)
	fh, size := testutil.OpenFile(t, img)
	tree, err := disc.Open(fh, size, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := NewTree(tree, opts)
	return f, mountFS(t, f, mo), src
}

// walk lstats every entry under dir and returns how many there are.
func walk(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, err := os.Lstat(p); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dropCaches makes the kernel drop the dentries and inodes it does not use,
// which it tells the daemon with FORGET.
func dropCaches(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("2"), 0); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestTreeForget: every entry looked up is one record in the inode table;
// when the kernel drops its inodes (FORGET) the records go, and the same
// entries looked up again read the same bytes through reused node IDs.
func TestTreeForget(t *testing.T) {
	f, dir, src := mountTestTree(t, nil, nil)
	entries := treeDirs*(treeFiles+1) + 1 // the directories, their files and the link
	if n := walk(t, dir); n != entries+1 {
		t.Fatalf("walked %d entries, want %d and the root", n, entries)
	}
	if got := f.inodes.size(); got != entries+1 {
		t.Errorf("inode table holds %d records after stat-ing everything, want %d", got, entries+1)
	}
	dropCaches(t)
	if !waitFor(func() bool { return f.inodes.size() == 1 }) {
		t.Errorf("inode table holds %d records after the kernel dropped its inodes, want just the root", f.inodes.size())
	}
	for _, p := range []string{"d3/f07", "d0/link", "d7/f24"} {
		got, err := os.ReadFile(filepath.Join(dir, p))
		want, _ := os.ReadFile(filepath.Join(src, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s after FORGET: %d bytes, %v; want the source's %d", p, len(got), err, len(want))
		}
	}
	var a, b syscall.Stat_t
	if err := syscall.Stat(filepath.Join(dir, "d0/link"), &a); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat(filepath.Join(dir, "d1/f03"), &b); err != nil {
		t.Fatal(err)
	}
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("hard links: inodes %d and %d, nlink %d; want one inode, nlink 2", a.Ino, b.Ino, a.Nlink)
	}
}

// TestTreeReaddirplus: find(1), which never stats what it lists, makes the
// kernel build inodes only for the directories it enters, and needs no
// LOOKUP to enter them (READDIRPLUS answered by names only, but for
// directories), while ls -lR gets attributes with the listings after its
// first directory, so it looks up the names of one directory only. The
// kernel keeps every listing it read (OPENDIR answered ENOSYS): listing
// again costs no request.
func TestTreeReaddirplus(t *testing.T) {
	var logs testutil.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f, dir, _ := mountTestTree(t, &Options{Logger: logger}, &MountOptions{Debug: true})
	count := func(op string) int { return strings.Count(logs.String(), op+" n") }
	lookups := count("LOOKUP")
	out, err := exec.Command("find", dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(out, []byte("\n")); lines != treeDirs*(treeFiles+1)+2 {
		t.Errorf("find listed %d names", lines)
	}
	if n := count("LOOKUP") - lookups; n != 0 {
		t.Errorf("find sent %d LOOKUPs, want none: its listings name the directories in full", n)
	}
	if got := f.inodes.size(); got != 1+treeDirs {
		t.Errorf("after find the inode table holds %d records, want the root and the %d directories find entered", got, treeDirs)
	}

	// Dropping the kernel's inodes drops the listings it kept of them, but
	// not the root's: ls -lR finds the root's names-only listing and looks
	// up the directories in it, then those of its first directory.
	dropCaches(t)
	if !waitFor(func() bool { return f.inodes.size() == 1 }) {
		t.Fatalf("inode table holds %d records after the kernel dropped its inodes", f.inodes.size())
	}
	lookups = count("LOOKUP")
	if err := exec.Command("ls", "-lR", dir).Run(); err != nil {
		t.Fatal(err)
	}
	if got, want := f.inodes.size(), treeDirs*(treeFiles+1)+2; got != want {
		t.Errorf("after ls -lR the inode table holds %d records, want all %d", got, want)
	}
	if n, most := count("LOOKUP")-lookups, treeDirs+treeFiles+1; n > most {
		t.Errorf("ls -lR sent %d LOOKUPs, want at most the root's directories and one directory's names, %d", n, most)
	}

	listings, opens := count("READDIRPLUS")+count("READDIR"), count("OPENDIR")
	if err := exec.Command("ls", "-lR", dir).Run(); err != nil {
		t.Fatal(err)
	}
	if n := count("READDIRPLUS") + count("READDIR") + count("OPENDIR") - listings - opens; n != 0 {
		t.Errorf("ls -lR again sent %d OPENDIR and READDIR requests, want none", n)
	}
}

// TestTreeConcurrentForget: readers walking and reading the tree while the
// kernel keeps dropping its inodes (FORGET racing LOOKUP and READDIRPLUS)
// always read the source's bytes, and the table ends with what the kernel
// still holds.
func TestTreeConcurrentForget(t *testing.T) {
	f, dir, src := mountTestTree(t, nil, nil)
	stop := make(chan struct{})
	done := make(chan error)
	for w := range 4 {
		go func() {
			var err error
			for i := 0; err == nil; i++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				p := fmt.Sprintf("d%d/f%02d", (w+i)%treeDirs, (w*7+i)%treeFiles)
				got, rerr := os.ReadFile(filepath.Join(dir, p))
				want, _ := os.ReadFile(filepath.Join(src, p))
				if rerr != nil || !bytes.Equal(got, want) {
					err = fmt.Errorf("%s: %d bytes, %v; want the source's %d", p, len(got), rerr, len(want))
				}
				if _, lerr := os.ReadDir(filepath.Join(dir, fmt.Sprintf("d%d", i%treeDirs))); lerr != nil && err == nil {
					err = lerr
				}
			}
			<-stop
			done <- err
		}()
	}
	for range 20 {
		dropCaches(t)
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	dropCaches(t)
	if !waitFor(func() bool { return f.inodes.size() == 1 }) {
		t.Errorf("inode table holds %d records once the kernel dropped everything, want just the root", f.inodes.size())
	}
}
