package fs

import "sync"

// plusPolicy decides, for each READDIRPLUS, whether to answer it in full
// (every entry with its node ID and attributes, so that the kernel makes an
// inode and caches the attributes of each) or with names and types only
// (node ID 0, which the kernel takes as "no attributes offered": it lists
// the names and makes nothing).
//
// In full, ls -l and file managers get a whole directory's attributes in
// one reply instead of a LOOKUP per entry. But for a caller that never
// stats what it lists, such as find(1) or du --inodes, the inodes the kernel
// builds are pure cost: on a 200,000-entry tree they made find five times
// slower than on a squashfs mount, whose daemon answers plain READDIR. The
// kernel's own adaptive mode (READDIRPLUS_AUTO) still answers the first
// reply of every directory in full, which is all of a small directory.
//
// So the answer depends on the caller, by thread ID as the request carries
// it: a caller we know nothing about gets names only, but for the
// directories among them, given in full: a walk enters them next, and
// would otherwise send a LOOKUP for each (14.6 s -> 9.8 s for find on a
// million entries). Once a caller has looked up names in the directory it
// was last given names of (it stats what it lists), its listings are answered in full from then on. That costs a
// stat-ing caller the LOOKUPs of one directory, and a non-stat-ing caller
// nothing.
//
// The kernel keeps a listing it has read and answers later readers from
// it, with no READDIRPLUS (see FS.OpenDir). A listing it keeps from a
// names-only reply makes a later stat-ing reader (ls -l after find) look up
// each name, as every reader of a squashfuse_ll mount does; one kept from a
// full reply costs a later reader nothing. Where OPENDIR is answered (opens
// are checked), a directory is opened with FOPEN_CACHE_DIR only by a caller
// whose listings are answered in full.
type plusPolicy struct {
	mu      sync.Mutex
	callers map[uint32]*plusCaller // by thread ID; bounded by maxPlusCallers
}

type plusCaller struct {
	dir     uint64 // directory last listed by names only
	lookups int    // LOOKUPs since in dir
	full    bool   // stats what it lists: answer in full
}

// maxPlusCallers bounds the callers remembered; past it they are all
// forgotten (and learnt again).
const maxPlusCallers = 1024

// statsAfter is how many LOOKUPs in a directory just listed by names only
// make a caller one that stats what it lists.
const statsAfter = 2

// knows reports whether thread pid is known to stat what it lists, so its
// READDIRPLUS will be answered in full.
func (p *plusPolicy) knows(pid uint32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.callers[pid]
	return c != nil && c.full
}

// full reports whether a READDIRPLUS of dir from thread pid is answered in
// full, and otherwise remembers that pid was given dir's names.
func (p *plusPolicy) full(pid uint32, dir uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.callers[pid]
	if c == nil {
		if p.callers == nil || len(p.callers) >= maxPlusCallers {
			p.callers = make(map[uint32]*plusCaller)
		}
		c = &plusCaller{}
		p.callers[pid] = c
	}
	if c.full {
		return true
	}
	if c.dir != dir {
		c.dir, c.lookups = dir, 0
	}
	return false
}

// lookup records a LOOKUP in dir from thread pid.
func (p *plusPolicy) lookup(pid uint32, dir uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.callers[pid]
	if c == nil || c.full || c.dir != dir {
		return
	}
	if c.lookups++; c.lookups >= statsAfter {
		c.full = true
	}
}
