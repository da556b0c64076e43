package discfs

import "time"

// Stamps packs an entry's three UTC times into 36 bytes (40 with the
// padding to its alignment) instead of time.Time's 3×24: seconds since the zero time (January 1, year 1) and
// nanoseconds, in separate arrays so that no padding sits between them. A
// zero second and nanosecond is the zero time, so "not recorded" needs no
// flag. Both readers convert every date they parse to UTC, which Stamps
// keeps exactly; the zone is not kept.
type Stamps struct {
	sec  [nTimes]int64 // seconds since time.Time{}
	nsec [nTimes]uint32
}

// The times an entry keeps, indexes into Stamps.
const (
	MTime = iota // modification
	ATime        // access
	CTime        // attribute change
	nTimes
)

// zeroUnix is time.Time{}.Unix(): the Unix second of the zero time.
var zeroUnix = time.Time{}.Unix()

// Set stores t as time i (MTime, ATime or CTime).
func (s *Stamps) Set(i int, t time.Time) {
	if t.IsZero() {
		s.sec[i], s.nsec[i] = 0, 0
		return
	}
	s.sec[i], s.nsec[i] = t.Unix()-zeroUnix, uint32(t.Nanosecond())
}

// Get returns time i in UTC, the zero time if it was not recorded.
func (s *Stamps) Get(i int) time.Time {
	if s.sec[i] == 0 && s.nsec[i] == 0 {
		return time.Time{}
	}
	return time.Unix(s.sec[i]+zeroUnix, int64(s.nsec[i])).UTC()
}
