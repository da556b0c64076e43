package discfs

import (
	"testing"
	"time"
	"unsafe"
)

func TestStamps(t *testing.T) {
	east := time.FixedZone("", 5*3600)
	for _, tc := range []struct {
		in, want time.Time
	}{
		{time.Time{}, time.Time{}},
		{time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}, // next to zero
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(1900, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(1900, 6, 1, 12, 0, 0, 0, time.UTC)}, // before Unix
		{time.Date(2026, 12, 2, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 12, 2, 23, 59, 59, 999999999, time.UTC)},
		{time.Date(2026, 1, 1, 5, 0, 0, 0, east), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, // kept in UTC
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	} {
		var s Stamps
		s.Set(ATime, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) // a neighbour that must not leak
		s.Set(MTime, tc.in)
		got := s.Get(MTime)
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("Set(%v) then Get = %v, want %v in UTC", tc.in, got, tc.want)
		}
		if tc.in.IsZero() && !got.IsZero() {
			t.Errorf("zero time came back as %v", got)
		}
		if s.Get(ATime).Year() != 2000 || !s.Get(CTime).IsZero() {
			t.Errorf("other times changed: %v %v", s.Get(ATime), s.Get(CTime))
		}
	}
	// Setting the zero time clears an earlier one.
	var s Stamps
	s.Set(CTime, time.Now())
	s.Set(CTime, time.Time{})
	if !s.Get(CTime).IsZero() {
		t.Error("Set(zero) did not clear")
	}
}

// TestStampsSize holds Stamps to its purpose: every listed entry has one.
func TestStampsSize(t *testing.T) {
	// 36 bytes of times, padded to 40 for the int64 alignment.
	if n := unsafe.Sizeof(Stamps{}); n != 40 {
		t.Errorf("Stamps is %d bytes, want 40", n)
	}
}
