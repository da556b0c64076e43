package testutil

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteTree(t *testing.T) {
	root := t.TempDir()
	WriteTree(t, root, []SrcNode{
		{Path: "d/f.txt", Data: []byte("hello"), Perm: 0o600},
		{Path: "d/hard", LinkTo: "d/f.txt"},
		{Path: "l", Mode: fs.ModeSymlink, Target: "d/f.txt"},
		{Path: "e", Mode: fs.ModeDir},
		{Path: "p", Mode: fs.ModeNamedPipe},
	})
	f, _ := os.Lstat(filepath.Join(root, "d/f.txt"))
	h, _ := os.Lstat(filepath.Join(root, "d/hard"))
	if b, _ := os.ReadFile(filepath.Join(root, "d/f.txt")); !bytes.Equal(b, []byte("hello")) || f.Mode().Perm() != 0o600 {
		t.Errorf("d/f.txt: %q %v", b, f.Mode())
	}
	if f.Sys().(*syscall.Stat_t).Ino != h.Sys().(*syscall.Stat_t).Ino {
		t.Error("d/hard is not a hard link of d/f.txt")
	}
	if target, err := os.Readlink(filepath.Join(root, "l")); target != "d/f.txt" || err != nil {
		t.Errorf("l -> %q, %v", target, err)
	}
	for _, p := range []string{".", "d", "d/f.txt", "l", "e", "p"} {
		st, err := os.Lstat(filepath.Join(root, p))
		if err != nil || !st.ModTime().Equal(FixedTime) {
			t.Errorf("%s: %v, %v", p, st.ModTime(), err)
		}
	}
	if st, _ := os.Lstat(filepath.Join(root, "p")); st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("p is %v", st.Mode())
	}
}

func TestPseudo(t *testing.T) {
	a, b := Pseudo(1, 1000), Pseudo(1, 1000)
	if !bytes.Equal(a, b) || bytes.Equal(a, Pseudo(2, 1000)) || len(a) != 1000 {
		t.Error("Pseudo is not deterministic per seed")
	}
}
