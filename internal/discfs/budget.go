package discfs

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrTooManyEntries means the directories of an image would hold more
// entries in memory at once than its Budget allows.
var ErrTooManyEntries = errors.New("more directory entries than the image can hold")

// Budget bounds how many entries the directories of one image may hold
// together, so that a small image cannot make a reader build millions of
// entries: a compressed image of a few hundred KiB can expand into
// directories of millions of valid records, each costing a reader (and a
// mount) hundreds of bytes. An image's Cache keeps it: a reader takes from
// it (Listing.Take) as it parses each record, before building the entry,
// and the cache gives back what a failed parse took and what a dropped
// listing held, so that it bounds the entries in memory at once. The zero
// Budget, or one whose Limit is 0 or less, allows any number. Safe for
// concurrent use.
type Budget struct {
	Limit int64
	used  atomic.Int64
}

// Take counts n more entries, or returns ErrTooManyEntries (counting
// nothing) when that would pass the limit.
func (b *Budget) Take(n int) error {
	if b.Limit <= 0 {
		return nil
	}
	if b.used.Add(int64(n)) > b.Limit {
		b.used.Add(-int64(n))
		return ErrTooManyEntries
	}
	return nil
}

// Refusal says why a listing that would pass the limit is refused, for
// the reader's error.
func (b *Budget) Refusal() string {
	return fmt.Sprintf("more than %d directory entries in memory at once, the most the image's stored size allows", b.Limit)
}

// Give returns n entries taken by a listing that failed to parse or was
// dropped.
func (b *Budget) Give(n int) {
	if b.Limit > 0 {
		b.used.Add(-int64(n))
	}
}
