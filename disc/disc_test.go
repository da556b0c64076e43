package disc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// makeISO writes a Rock Ridge + Joliet ISO of a small tree with symlinks
// (made by xorriso, so a real writer's records) and opens it.
func makeISO(t *testing.T) *os.File {
	t.Helper()
	src := t.TempDir()
	for name, data := range map[string]string{"dir/sub/file": "hello\n", "top": "top\n"} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"rel":      "dir/sub",         // relative, to a directory
		"abs":      "/dir/sub/file",   // absolute: from the image root
		"dir/up":   "../top",          // climbs one level
		"escape":   "../../../../top", // climbs past the root: stops there
		"chain":    "rel/file",        // a symlink through a symlink
		"loop1":    "loop2",
		"loop2":    "loop1",
		"dangling": "nowhere",
	} {
		if err := os.Symlink(target, filepath.Join(src, link)); err != nil {
			t.Fatal(err)
		}
	}
	iso := filepath.Join(t.TempDir(), "disc.iso")
	out, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "DISC", "-o", iso, src).CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	f, err := os.Open(iso)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func openTree(t *testing.T, f *os.File, opts *Options) *Tree {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Open(f, st.Size(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestLookup(t *testing.T) {
	tr := openTree(t, makeISO(t), nil)
	if tr.FS() != ISO9660 || tr.Label() != "DISC" || tr.BlockSize() != 2048 || tr.Blocks() <= 0 {
		t.Errorf("tree: fs %q label %q block size %d blocks %d", tr.FS(), tr.Label(), tr.BlockSize(), tr.Blocks())
	}
	for _, c := range []struct {
		path       string
		followLast bool
		want       string // Path() of the result, or "ERR:" + the error it wraps
	}{
		{"", false, ""},
		{"/", false, ""},
		{"dir/sub/file", false, "dir/sub/file"},
		{"/dir/sub/file/", false, "dir/sub/file"},
		{"rel", false, "rel"},
		{"rel", true, "dir/sub"},
		{"rel/file", false, "dir/sub/file"}, // a symlink in the middle is always followed
		{"abs", true, "dir/sub/file"},
		{"dir/up", true, "top"},
		{"escape", true, "top"},
		{"chain", false, "chain"},
		{"chain", true, "dir/sub/file"},
		{"dangling", false, "dangling"},
		{"dangling", true, "ERR:" + fs.ErrNotExist.Error()},
		{"missing", false, "ERR:" + fs.ErrNotExist.Error()},
		{"loop1", true, "ERR:" + ErrLoop.Error()},
	} {
		e, err := tr.Lookup(c.path, c.followLast)
		got := ""
		if err != nil {
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != c.path {
				t.Errorf("Lookup(%q, %v): error %v is not a *fs.PathError naming the path", c.path, c.followLast, err)
			}
			got = "ERR:" + errors.Unwrap(err).Error()
		} else {
			got = e.Path()
		}
		if got != c.want {
			t.Errorf("Lookup(%q, %v) = %q, want %q", c.path, c.followLast, got, c.want)
		}
	}

	e, err := tr.Lookup("chain", true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(io.NewSectionReader(r, 0, e.Size()))
	if err != nil || string(data) != "hello\n" {
		t.Errorf("reading through the tree: %q, %v", data, err)
	}
	if p := e.Parent(); p == nil || p.Path() != "dir/sub" || tr.Root().Parent() != nil {
		t.Errorf("parents: %v, root's %v", p, tr.Root().Parent())
	}
}

func TestOpenViews(t *testing.T) {
	f := makeISO(t)
	st, _ := f.Stat()
	if _, err := Open(f, st.Size(), &Options{FS: "hfs"}); !errors.Is(err, ErrView) {
		t.Errorf("unknown view: %v, want ErrView", err)
	}
	// Without Rock Ridge the Joliet names show, and the symlinks are gone.
	tr := openTree(t, f, &Options{NoRock: true})
	if _, err := tr.Lookup("rel", false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("norock: symlink still there (%v)", err)
	}
	zeros := bytes.NewReader(make([]byte, 64<<10))
	if _, err := Open(zeros, zeros.Size(), nil); !errors.Is(err, ErrNoFileSystem) {
		t.Errorf("no file system: %v, want ErrNoFileSystem", err)
	}
}
