package disc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// walkLog walks root and records each call of fn as "rel" or "rel: ERR".
func walkLog(t *testing.T, root *fakeEntry, onErr error) ([]string, error) {
	t.Helper()
	var log []string
	err := Walk(context.Background(), wrap(root), "", func(rel string, e Entry, err error) error {
		if err != nil {
			log = append(log, rel+": "+err.Error())
			return onErr
		}
		log = append(log, rel)
		return nil
	})
	return log, err
}

func TestWalkOrder(t *testing.T) {
	root := fakeDisc([][2]string{
		{"b", "dir"}, {"b/z", "file:z"}, {"b/a", "file:a"}, {"a", "file:x"}, {"c", "link:b"}, {"b/d", "dir"},
	})
	log, err := walkLog(t, root, nil)
	want := "a b b/a b/d b/z c"
	if err != nil || strings.Join(log, " ") != want {
		t.Fatalf("walk = %q, %v; want %q (parents first, names sorted, symlinks not followed)", log, err, want)
	}
}

func TestWalkHostileShapes(t *testing.T) {
	// A directory shared by two parents (a DAG: each walk path is finite
	// but the number of paths doubles per level) and a directory inside
	// itself, as a crafted image can record them.
	root := fakeDisc([][2]string{{"a", "dir"}, {"b", "dir"}, {"a/x", "file:1"}, {"ok", "file:2"}})
	a, _ := root.Lookup("a")
	b, _ := root.Lookup("b")
	b.children = append(b.children, &fakeEntry{name: "again", parent: b, mode: a.mode, ino: a.ino, children: a.children})
	b.children = append(b.children, &fakeEntry{name: "self", parent: b, mode: b.mode, ino: b.ino})

	log, err := walkLog(t, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(log, "\n")
	for _, want := range []string{
		`b/again: malformed directory tree: the directory is also "/a"`,
		`b/self: malformed directory tree: the directory is also "/b"`,
		"ok",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("walk log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "b/again/x") {
		t.Errorf("a directory reached twice was listed twice:\n%s", got)
	}

	// Returning the error stops the walk with it.
	stop := errors.New("stop")
	log, err = walkLog(t, root, stop)
	if !errors.Is(err, stop) || strings.Contains(strings.Join(log, " "), "ok") {
		t.Errorf("walk returning an error: %q, %v; want it to stop before ok", log, err)
	}
}

func TestWalkDepthAndListingErrors(t *testing.T) {
	root := fakeDisc(nil)
	dir := root
	for i := range MaxDepth + 5 {
		next := &fakeEntry{name: "d", parent: dir, mode: fs.ModeDir | 0o555, ino: uint64(i + 2)}
		dir.children = []*fakeEntry{next}
		dir = next
	}
	broken := &fakeEntry{name: "broken", parent: root, mode: fs.ModeDir | 0o555, ino: 1 << 40, err: fs.ErrInvalid}
	root.children = append(root.children, broken)

	log, err := walkLog(t, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(log, "\n")
	if want := "broken: " + fs.ErrInvalid.Error(); !strings.Contains(got, want) {
		t.Errorf("listing error not reported as %q", want)
	}
	if want := fmt.Sprintf("nested deeper than %d", MaxDepth); !strings.Contains(got, want) {
		t.Errorf("depth limit not reported (%q)", want)
	}
	if n := strings.Count(got, "\n"); n > MaxDepth+3 {
		t.Errorf("walk went on past the depth limit: %d lines", n)
	}
}

func TestWalkSkipDirAndCancel(t *testing.T) {
	root := fakeDisc([][2]string{{"a", "dir"}, {"a/1", "file:"}, {"b", "file:"}, {"c", "file:"}, {"d", "dir"}, {"d/2", "file:"}})
	var seen []string
	err := Walk(context.Background(), wrap(root), "top", func(rel string, e Entry, err error) error {
		seen = append(seen, rel)
		switch rel {
		case "top/a":
			return fs.SkipDir // skip a's contents
		case "top/b":
			return fs.SkipDir // skip the rest of the top directory
		}
		return nil
	})
	if err != nil || strings.Join(seen, " ") != "top/a top/b" {
		t.Errorf("SkipDir: %q, %v", seen, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Walk(ctx, wrap(root), "", func(string, Entry, error) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk returned %v", err)
	}
}
