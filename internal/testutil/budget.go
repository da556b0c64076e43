package testutil

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// EntryBudgetTree is the source tree of both readers' MaxEntries tests:
// directories a and b of ten files each, c of 16.
func EntryBudgetTree() []SrcNode {
	var nodes []SrcNode
	for d, n := range map[string]int{"a": 10, "b": 10, "c": 16} {
		for i := range n {
			nodes = append(nodes, SrcNode{Path: fmt.Sprintf("%s/f%d", d, i), Data: []byte("x")})
		}
	}
	return nodes
}

// CheckMaxEntries lists the directories of an image of EntryBudgetTree
// opened with MaxEntries 15, the most entries in memory at once: a and b,
// which pass it together, are listed one after the other (the listing
// cache drops one to make room for the other); c, which passes it alone,
// fails each time with the reader's errFormat naming the limit, and gives
// back what it took. errFormat is the reader's ErrFormat.
func CheckMaxEntries(t *testing.T, im fs.ReadDirFS, errFormat error) {
	t.Helper()
	for _, d := range []string{"a", "b", "a", "b"} {
		if _, err := im.ReadDir(d); err != nil {
			t.Fatalf("listing %s within the budget: %v", d, err)
		}
	}
	for range 2 {
		_, err := im.ReadDir("c")
		if !errors.Is(err, errFormat) || !strings.Contains(err.Error(), "more than 15 directory entries") {
			t.Errorf("listing c past the budget: %v, want ErrFormat naming the limit", err)
		}
	}
	if _, err := im.ReadDir("a"); err != nil {
		t.Errorf("listing a after c was refused: %v", err)
	}
}
