package fs

import (
	"slices"
	"testing"
)

func TestInodeTable(t *testing.T) {
	var tab inodeTable
	tab.init()
	dir := tab.ref(rootID, 3)
	if again := tab.ref(rootID, 3); again != dir || tab.recs[dir].nlookup != 2 {
		t.Fatalf("second ref of (root, 3) = %d with %d references, want %d with 2", again, tab.recs[dir].nlookup, dir)
	}
	file := tab.ref(dir, 7)
	if p, ok := tab.path(file, nil); !ok || !slices.Equal(p, []uint32{3, 7}) {
		t.Errorf("path(file) = %v, %v; want [3 7]", p, ok)
	}
	if tab.ref(file+100, 0) != 0 {
		t.Error("ref under an unknown parent gave a node ID")
	}

	// The directory is forgotten first: its record stays while the file,
	// whose path goes through it, lives.
	tab.forget(dir, 2)
	if p, ok := tab.path(file, nil); !ok || !slices.Equal(p, []uint32{3, 7}) {
		t.Errorf("path(file) after its parent was forgotten = %v, %v; want [3 7]", p, ok)
	}
	if tab.size() != 3 {
		t.Errorf("size = %d, want 3 (root, directory kept by its child, file)", tab.size())
	}
	tab.forget(file, 1)
	if tab.size() != 1 || len(tab.free) != 2 {
		t.Errorf("after forgetting both: size %d, %d free; want 1 and 2", tab.size(), len(tab.free))
	}
	if _, ok := tab.path(file, nil); ok {
		t.Error("path of a forgotten node ID")
	}
	tab.forget(rootID, 5)
	if _, ok := tab.path(rootID, nil); !ok {
		t.Error("the root was forgotten")
	}

	// Freed node IDs are reused, with no trace of their past.
	other := tab.ref(rootID, 9)
	if other != dir && other != file {
		t.Errorf("new ref got node ID %d, want a reused one (%d or %d)", other, dir, file)
	}
	if tab.recs[other].nlookup != 1 || tab.recs[other].kids != 0 {
		t.Errorf("reused record %+v", tab.recs[other])
	}
	// A saturated count is forgotten whole.
	tab.recs[other].nlookup = ^uint32(0)
	tab.ref(rootID, 9)
	tab.forget(other, 1<<40)
	if tab.size() != 1 {
		t.Errorf("size after forgetting a saturated count = %d, want 1", tab.size())
	}
}
