package iso9660view

import "time"

// stamps packs an entry's three UTC times into 36 bytes instead of
// time.Time's 3×24: seconds since the zero time (January 1, year 1) and
// nanoseconds, in separate arrays so that no padding sits between them. A
// zero second and nanosecond is the zero time, so "not recorded" needs no
// flag. Every date this package parses is in UTC, which stamps keeps
// exactly.
type stamps struct {
	sec  [nTimes]int64 // seconds since time.Time{}
	nsec [nTimes]uint32
}

// The times an Entry keeps, indexes into stamps.
const (
	mtime = iota
	atime
	ctime
	nTimes
)

// zeroUnix is time.Time{}.Unix(): the Unix second of the zero time.
var zeroUnix = time.Time{}.Unix()

// set stores t, which must be in UTC, as time i.
func (s *stamps) set(i int, t time.Time) {
	if t.IsZero() {
		s.sec[i], s.nsec[i] = 0, 0
		return
	}
	s.sec[i], s.nsec[i] = t.Unix()-zeroUnix, uint32(t.Nanosecond())
}

// get returns time i in UTC, the zero time if it was not recorded.
func (s *stamps) get(i int) time.Time {
	if s.sec[i] == 0 && s.nsec[i] == 0 {
		return time.Time{}
	}
	return time.Unix(s.sec[i]+zeroUnix, int64(s.nsec[i])).UTC()
}
