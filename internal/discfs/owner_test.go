package discfs

import "testing"

func TestOwner(t *testing.T) {
	for _, tc := range []struct {
		o        Owner
		uid, gid uint32
		recorded bool
	}{
		{MakeOwner(1000, 100), 1000, 100, true},
		{MakeOwner(0, 0), 0, 0, true},
		{NoOwner, 0, 0, false},
		{MakeOwner(1000, 0xFFFFFFFF), 0, 0, false}, // UDF: a group of "none" is no owner
		{MakeOwner(0xFFFFFFFF, 5), 0, 0, false},
	} {
		if tc.o.UID() != tc.uid || tc.o.GID() != tc.gid || tc.o.Recorded() != tc.recorded {
			t.Errorf("%+v: %d:%d recorded %v; want %d:%d %v", tc.o, tc.o.UID(), tc.o.GID(), tc.o.Recorded(), tc.uid, tc.gid, tc.recorded)
		}
	}
}
