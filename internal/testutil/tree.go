package testutil

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Source trees for the disc readers' fixture tests: a test writes a tree
// with WriteTree, has a real mastering tool make an image of it, and
// compares what its reader sees with the tree.

// FixedTime is the time WriteTree gives every file, so that a comparison
// does not depend on when the test ran or on sub-second truncation.
var FixedTime = time.Date(2021, 3, 14, 15, 9, 26, 0, time.UTC)

// SrcNode describes one file of a source tree.
type SrcNode struct {
	Path    string      // slash-separated, relative to the tree root
	Mode    fs.FileMode // fs.ModeDir, fs.ModeSymlink, 0 (regular), fs.ModeNamedPipe, fs.ModeDevice...
	Perm    fs.FileMode // permission bits (default 0644 files, 0755 dirs)
	Data    []byte      // regular file contents
	Target  string      // symlink target
	LinkTo  string      // hard link to this earlier path
	RdevMaj uint32      // device number, for fs.ModeDevice (creating one needs root)
	RdevMin uint32
}

// WriteTree creates the nodes under root, in order, then gives every file
// FixedTime (SetTimes).
func WriteTree(t testing.TB, root string, nodes []SrcNode) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(root, filepath.FromSlash(n.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case n.LinkTo != "":
			err = os.Link(filepath.Join(root, filepath.FromSlash(n.LinkTo)), p)
		case n.Mode&fs.ModeDir != 0:
			err = os.MkdirAll(p, 0o755)
		case n.Mode&fs.ModeSymlink != 0:
			err = os.Symlink(n.Target, p)
		case n.Mode&fs.ModeNamedPipe != 0:
			err = syscall.Mkfifo(p, 0o644)
		case n.Mode&fs.ModeDevice != 0:
			typ := uint32(syscall.S_IFBLK)
			if n.Mode&fs.ModeCharDevice != 0 {
				typ = syscall.S_IFCHR
			}
			err = unix.Mknod(p, typ|0o644, int(unix.Mkdev(n.RdevMaj, n.RdevMin)))
		default:
			err = os.WriteFile(p, n.Data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if n.Perm != 0 && n.LinkTo == "" && n.Mode&fs.ModeSymlink == 0 {
			if err := os.Chmod(p, n.Perm); err != nil {
				t.Fatal(err)
			}
		}
	}
	SetTimes(t, root)
}

// SetTimes gives every file under root FixedTime, deepest first (creating
// an entry changes its directory's times).
func SetTimes(t testing.TB, root string) {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := []unix.Timespec{unix.NsecToTimespec(FixedTime.UnixNano()), unix.NsecToTimespec(FixedTime.UnixNano())}
	for i := len(paths) - 1; i >= 0; i-- {
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, paths[i], ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
}

// Pseudo returns n bytes of deterministic, poorly compressible data.
func Pseudo(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Run runs a command with stdin as its input and returns its output
// (stdout and stderr); if it fails, the test fails with that output.
func Run(t testing.TB, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out.String())
	}
	return out.String()
}

// OpenFile opens a file for the duration of the test and returns it with
// its size.
func OpenFile(t testing.TB, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}
