package fs

import (
	"sync"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// inodeTable records the inodes the kernel holds, by FUSE node ID.
//
// A node ID names an entry by where it is, not by what it is: its parent's
// node ID and its position in the parent's name-sorted listing (which the
// readers parse the same way every time, see disc.Entry.Child). So the
// table keeps no entries, no names and no attributes: 16 bytes a record,
// and 4 to 16 bytes in the index that gives a known entry its node ID back
// (an open-addressing hash table of node IDs, keyed by the records
// themselves; a Go map would take some 40). The entries themselves are found again when a request names them
// (FS.entry), from the readers' listings, which the readers keep in a
// bounded cache and parse again when needed. A million looked-up entries
// cost the daemon some 24-40 MiB here, not the KiB apiece that a tree of
// go-fuse nodes costs.
//
// The kernel counts the references each reply gives it (LOOKUP, and every
// entry READDIRPLUS answers with a node ID) and gives them back with FORGET
// when it drops the inode; a record whose count falls to zero, and which is
// no other live record's parent, is freed and its node ID reused. Hard
// links are one node ID per name: the kernel needs no more, and stat(2)
// reports the entries' shared on-disc identity as st_ino.
type inodeTable struct {
	mu   sync.Mutex
	recs recPages // by node ID; record 0 is unused, rootID the root
	free []uint32 // node IDs of freed records
	ids  idIndex  // (parent, index) -> node ID
}

// recPages holds the records in pages of recsPerPage, so that the table
// grows without copying itself: a slice doubling at a million records
// would hold 16 MiB and allocate 20 more at once, a peak the daemon's
// memory budget would have to carry.
type recPages struct {
	pages [][]inodeRec
	n     int // records in use: node IDs below n exist
}

const recsPerPage = 1 << 14 // 256 KiB

// at returns the record of node ID id, which must be below r.n.
func (r *recPages) at(id uint32) *inodeRec {
	return &r.pages[id/recsPerPage][id%recsPerPage]
}

// add appends a zero record and returns its node ID.
func (r *recPages) add() uint32 {
	if r.n == len(r.pages)*recsPerPage {
		r.pages = append(r.pages, make([]inodeRec, recsPerPage))
	}
	r.n++
	return uint32(r.n - 1)
}

// inodeRec is one inode the kernel holds, or a free slot (parent 0, which
// the root has too but is never freed).
type inodeRec struct {
	parent  uint32 // parent directory's node ID
	index   uint32 // position in the parent's listing
	nlookup uint32 // references the kernel holds (saturating; see forget)
	kids    uint32 // live records whose parent this is
}

// rootID is the root's node ID, fixed by the protocol.
const rootID = fuse.FUSE_ROOT_ID

// maxDepth bounds the parent chains the table follows: deeper than any
// reader lets a tree go (iso9660view and udfview stop at a few hundred).
const maxDepth = 1 << 12

func (t *inodeTable) init() {
	for t.recs.n <= rootID {
		t.recs.add()
	}
	t.recs.at(rootID).nlookup = 1 // the kernel's own reference, never forgotten
}

// ref returns the node ID of the entry at index of directory parent,
// recording one more kernel reference to it (the caller hands the node ID
// to the kernel). It returns 0 when parent is no live node ID or the table
// is full.
func (t *inodeTable) ref(parent uint64, index int) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.live(parent) || index < 0 || uint64(index) > 1<<32-1 {
		return 0
	}
	if id := t.ids.find(&t.recs, uint32(parent), uint32(index)); id != 0 {
		r := t.recs.at(id)
		if r.nlookup < ^uint32(0) {
			r.nlookup++
		}
		return uint64(id)
	}
	var id uint32
	switch {
	case len(t.free) > 0:
		id = t.free[len(t.free)-1]
		t.free = t.free[:len(t.free)-1]
	case t.recs.n < 1<<32-1:
		id = t.recs.add()
	default:
		return 0
	}
	*t.recs.at(id) = inodeRec{parent: uint32(parent), index: uint32(index), nlookup: 1}
	t.recs.at(uint32(parent)).kids++
	t.ids.insert(&t.recs, id)
	return uint64(id)
}

// live reports whether id is a node ID the kernel holds. Callers hold mu.
func (t *inodeTable) live(id uint64) bool {
	return id < uint64(t.recs.n) && t.recs.at(uint32(id)).nlookup > 0
}

// forget takes n references off id (FORGET) and frees what is left
// unreferenced. The kernel forgets all it holds at once, so a saturated
// count is forgotten whole.
func (t *inodeTable) forget(id uint64, n uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id == rootID || !t.live(id) {
		return
	}
	r := t.recs.at(uint32(id))
	if n >= uint64(r.nlookup) {
		r.nlookup = 0
	} else {
		r.nlookup -= uint32(n)
	}
	t.release(uint32(id))
}

// release frees id, and then the parents it was keeping, while they are
// unreferenced. Callers hold mu.
func (t *inodeTable) release(id uint32) {
	for id != rootID {
		r := *t.recs.at(id)
		if r.nlookup > 0 || r.kids > 0 {
			return
		}
		t.ids.remove(&t.recs, id)
		*t.recs.at(id) = inodeRec{}
		t.free = append(t.free, id)
		t.recs.at(r.parent).kids--
		id = r.parent
	}
}

// path returns the listing positions that lead from the root to id, root
// first; ok is false when id is no live node ID.
func (t *inodeTable) path(id uint64, buf []uint32) (path []uint32, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.live(id) {
		return nil, false
	}
	for id != rootID {
		if len(buf) >= maxDepth {
			return nil, false
		}
		r := t.recs.at(uint32(id))
		buf = append(buf, r.index)
		id = uint64(r.parent)
	}
	for i, j := 0, len(buf)-1; i < j; i, j = i+1, j-1 {
		buf[i], buf[j] = buf[j], buf[i]
	}
	return buf, true
}

// size returns how many records are live, the root included.
func (t *inodeTable) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ids.n + 1
}

// idIndex finds the node ID of a (parent, index) pair: a hash table of node
// IDs with linear probing, whose keys are the records they name. It is at
// most half full; 0 is an empty slot.
type idIndex struct {
	slots []uint32
	n     int // node IDs held
}

func (x *idIndex) home(parent, index uint32) int {
	h := (uint64(parent)<<32 | uint64(index)) * 0x9e3779b97f4a7c15
	return int(h >> 32 & uint64(len(x.slots)-1))
}

// find returns the node ID recorded for (parent, index), or 0.
func (x *idIndex) find(recs *recPages, parent, index uint32) uint32 {
	if x.n == 0 {
		return 0
	}
	mask := len(x.slots) - 1
	for i := x.home(parent, index); ; i = (i + 1) & mask {
		id := x.slots[i]
		if id == 0 {
			return 0
		}
		if r := recs.at(id); r.parent == parent && r.index == index {
			return id
		}
	}
}

// insert adds id, whose record is filled in and not yet held.
func (x *idIndex) insert(recs *recPages, id uint32) {
	if 2*(x.n+1) > len(x.slots) {
		old := x.slots
		x.slots = make([]uint32, max(64, 2*len(old)))
		for _, o := range old {
			if o != 0 {
				x.place(recs, o)
			}
		}
	}
	x.place(recs, id)
	x.n++
}

func (x *idIndex) place(recs *recPages, id uint32) {
	mask := len(x.slots) - 1
	r := recs.at(id)
	i := x.home(r.parent, r.index)
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = id
}

// remove takes id out, its record still filled in. Later slots of the
// same probe run move back into the gap (no tombstones), so find never
// stops short of them.
func (x *idIndex) remove(recs *recPages, id uint32) {
	r := recs.at(id)
	mask := len(x.slots) - 1
	i := x.home(r.parent, r.index)
	for x.slots[i] != id {
		i = (i + 1) & mask
	}
	x.slots[i] = 0
	x.n--
	for j := (i + 1) & mask; x.slots[j] != 0; j = (j + 1) & mask {
		o := recs.at(x.slots[j])
		k := x.home(o.parent, o.index)
		// The entry at j may move to the gap at i unless its home lies
		// cyclically in (i, j].
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			x.slots[i], x.slots[j] = x.slots[j], 0
			i = j
		}
	}
}
