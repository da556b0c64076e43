package discfs

import "sync"

// DefaultCacheBytes is the bound of a Cache whose Limit is 0: about
// 90,000 parsed entries of either reader, a few thousand directories.
const DefaultCacheBytes = 16 << 20

// Cache keeps the parsed listings of one image's directories within a
// bound, dropping the least recently used. Without it a reader would keep
// every directory it ever listed: a mount that is walked once over a
// million-entry disc would hold a million entries, some 180 MiB.
//
// Dropping a listing sets its Dir back to "not loaded": its next use
// parses the directory again and makes new entries for the same records,
// equal to the old ones (same names, order, inodes, attributes). Entries
// of a dropped listing that a caller still holds stay valid: an entry
// keeps its parent and its own data, not its listing. A listing in use
// (returned by Load) stays whole however large it is; the cache only
// stops holding it.
//
// The cache also keeps the image's Budget: entries count against it while
// they are being parsed and while their listing is kept, and are given
// back when it is dropped, so the Budget bounds the entries live at once
// rather than those ever built. A directory listed over and over never
// runs it out, and a parse that finds it full drops other listings first.
//
// The order is least recently used by second chance (CLOCK): a hit only
// marks its listing used, without a lock, and the listing at the old end
// of the ring is dropped unless it was used since the cache last looked
// at it, in which case it goes back to the front unmarked.
//
// The zero Cache is ready (DefaultCacheBytes, no Budget limit); the
// fields are set before first use. Safe for concurrent use.
type Cache[E any] struct {
	// Limit bounds the estimated bytes of the listings kept (0 or less:
	// DefaultCacheBytes). A listing costs EntryBytes per entry plus its
	// names' bytes, each rounded up to 16.
	Limit int64
	// EntryBytes is what one entry of a listing costs beyond its name, as
	// the reader measured it: the entry, its share of the listing's
	// slice, what it points to that only it uses.
	EntryBytes int64
	// Budget bounds the entries of the listings kept and being parsed.
	Budget Budget

	mu   sync.Mutex
	ring Dir[E] // sentinel of the listings kept: ring.next the newest, ring.prev the next to look at
	used int64  // estimated bytes kept
	n    int    // listings kept
}

// limit is the bound in force.
func (c *Cache[E]) limit() int64 {
	if c.Limit <= 0 {
		return DefaultCacheBytes
	}
	return c.Limit
}

// Used returns the estimated bytes of the listings kept.
func (c *Cache[E]) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// add keeps d's new listing l at the front of the ring and drops others
// past the limit (never l itself, however large).
func (c *Cache[E]) add(d *Dir[E], l *Listing[E]) {
	l.cost = int64(len(l.Children))*c.EntryBytes + l.nameBytes
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ring.next == nil {
		c.ring.next, c.ring.prev = &c.ring, &c.ring
	}
	d.list.Store(l)
	d.used.Store(false)
	c.link(d)
	c.used += l.cost
	for c.used > c.limit() {
		v := c.victim(d)
		if v == nil {
			break
		}
		c.drop(v)
	}
}

// touch marks d's listing used since the cache last looked at it; a hit
// costs an atomic load (and a store the first time), no lock.
func (d *Dir[E]) touch() {
	if !d.used.Load() {
		d.used.Store(true)
	}
}

// victim returns the listing to drop next, other than keep's (nil: none
// other is kept): the one at the old end of the ring, after giving each
// one used since the last look a second chance at the front; c.mu is
// held. The first lap clears the marks, so the second finds a victim
// unless Loads running at once mark the listings again: after two laps
// the old end goes, marked or not.
func (c *Cache[E]) victim(keep *Dir[E]) *Dir[E] {
	for range 2*c.n + 1 {
		v := c.ring.prev
		if v == &c.ring || v == nil || v == keep && c.n == 1 {
			return nil
		}
		if v != keep && !v.used.Swap(false) {
			return v
		}
		c.unlink(v)
		c.link(v)
	}
	if v := c.ring.prev; v != keep {
		return v
	}
	return c.ring.prev.prev
}

// dropOldest drops the listing victim picks, reporting false when none is
// kept.
func (c *Cache[E]) dropOldest() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.victim(nil)
	if v == nil {
		return false
	}
	c.drop(v)
	return true
}

// drop forgets d's listing and gives back its entries; c.mu is held.
func (c *Cache[E]) drop(d *Dir[E]) {
	l := d.list.Swap(nil)
	c.unlink(d)
	c.used -= l.cost
	c.Budget.Give(l.taken)
}

// link puts d at the front of the ring; c.mu is held.
func (c *Cache[E]) link(d *Dir[E]) {
	d.prev, d.next = &c.ring, c.ring.next
	c.ring.next.prev = d
	c.ring.next = d
	c.n++
}

// unlink takes d out of the ring; c.mu is held.
func (c *Cache[E]) unlink(d *Dir[E]) {
	d.prev.next, d.next.prev = d.next, d.prev
	d.prev, d.next = nil, nil
	c.n--
}

// Take counts n more entries of the listing being parsed against the
// cache's Budget, dropping the least recently used listings to make room;
// ErrTooManyEntries when there is none even with nothing kept. What a
// listing took is given back when its parse fails or when it is dropped.
// A directory larger than the whole Budget fails for good (a reader makes
// it a format error, which Load keeps); one that would fit alone but finds
// the room taken by parses running at once fails this time only, whatever
// the reader makes of it: the next Load tries again.
// A Listing made outside Load (no cache) counts nothing.
func (l *Listing[E]) Take(n int) error {
	if c := l.cache; c != nil {
		for c.Budget.Take(n) != nil {
			if !c.dropOldest() {
				l.crowded = int64(l.taken+n) <= c.Budget.Limit
				return ErrTooManyEntries
			}
		}
	}
	l.taken += n
	return nil
}
