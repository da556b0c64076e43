package fs

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestInodeTable(t *testing.T) {
	var tab inodeTable
	tab.init()
	dir := tab.ref(rootID, 3)
	if again := tab.ref(rootID, 3); again != dir || tab.recs.at(uint32(dir)).nlookup != 2 {
		t.Fatalf("second ref of (root, 3) = %d with %d references, want %d with 2", again, tab.recs.at(uint32(dir)).nlookup, dir)
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
	if tab.recs.at(uint32(other)).nlookup != 1 || tab.recs.at(uint32(other)).kids != 0 {
		t.Errorf("reused record %+v", tab.recs.at(uint32(other)))
	}
	// A saturated count is forgotten whole.
	tab.recs.at(uint32(other)).nlookup = ^uint32(0)
	tab.ref(rootID, 9)
	tab.forget(other, 1<<40)
	if tab.size() != 1 {
		t.Errorf("size after forgetting a saturated count = %d, want 1", tab.size())
	}
}

// TestInodeTableRandom checks the table against a map under random refs and
// forgets, so that the index's probe runs see every shape of insertion and
// removal (growth, wrap-around, removal in the middle of a run).
func TestInodeTableRandom(t *testing.T) {
	var tab inodeTable
	tab.init()
	type key struct{ parent, index uint64 }
	model := map[key]uint64{}
	refs := map[uint64]uint64{}
	// holds reports whether node ID id still names k.
	holds := func(id uint64, k key) bool {
		r := *tab.recs.at(uint32(id))
		return r.parent == uint32(k.parent) && r.index == uint32(k.index) && (r.nlookup > 0 || r.kids > 0)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 100000 {
		if rng.IntN(3) > 0 || len(refs) == 0 {
			parent := uint64(rootID)
			if len(refs) > 0 && rng.IntN(2) == 0 {
				for id := range refs { // any live node ID will do
					parent = id
					break
				}
			}
			k := key{parent, uint64(rng.IntN(50))}
			old, known := model[k]
			known = known && holds(old, k)
			id := tab.ref(k.parent, int(k.index))
			if known && old != id {
				t.Fatalf("step %d: ref%v = %d, earlier %d", step, k, id, old)
			}
			model[k] = id
			refs[id]++
			continue
		}
		for id, n := range refs {
			tab.forget(id, n)
			delete(refs, id)
			break
		}
		if step%64 != 0 {
			continue
		}
		// Every key whose record lives is found; the others are not.
		for k, id := range model {
			live := holds(id, k)
			got := uint64(tab.ids.find(&tab.recs, uint32(k.parent), uint32(k.index)))
			if live && got != id || !live && got != 0 {
				t.Fatalf("step %d: find%v = %d, want %d (live %v)", step, k, got, id, live)
			}
			if !live {
				delete(model, k)
			}
		}
	}
	for k, id := range model { // the last forgets
		if !holds(id, k) {
			delete(model, k)
		}
	}
	if tab.ids.n != len(model) {
		t.Errorf("index holds %d node IDs, model %d", tab.ids.n, len(model))
	}
}

// TestInodeTablePages: records past the first pages keep their place, and
// freed ones are used again before the table grows.
func TestInodeTablePages(t *testing.T) {
	var tab inodeTable
	tab.init()
	const n = 3*recsPerPage + 5
	ids := make([]uint64, n)
	for i := range ids {
		if ids[i] = tab.ref(rootID, i); ids[i] == 0 {
			t.Fatalf("ref %d failed", i)
		}
	}
	for i, id := range ids {
		if p, ok := tab.path(id, nil); !ok || !slices.Equal(p, []uint32{uint32(i)}) {
			t.Fatalf("path(%d) = %v, %v; want [%d]", id, p, ok, i)
		}
	}
	used := tab.recs.n
	for _, id := range ids {
		tab.forget(id, 1)
	}
	if tab.size() != 1 {
		t.Fatalf("%d records live after forgetting all, want the root", tab.size())
	}
	for i := range ids {
		tab.ref(rootID, n+i)
	}
	if tab.recs.n != used || len(tab.recs.pages) != (used+recsPerPage-1)/recsPerPage {
		t.Errorf("%d records in %d pages after reuse, want the %d of before", tab.recs.n, len(tab.recs.pages), used)
	}
}
