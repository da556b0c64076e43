package discfs

// Owner is an entry's owner and group as the disc records them, in two
// words and no flag: NoOwner's value in either, UDF's own encoding of
// "none", means the disc records no owner. Rock Ridge's PX records both or
// neither; one that says (uid_t)-1, which no file can be owned by, counts
// as none.
type Owner struct{ uid, gid uint32 }

// noID is UDF's "no owner" (and (uid_t)-1).
const noID = 0xFFFFFFFF

// NoOwner is the Owner of an entry whose disc records none.
var NoOwner = Owner{noID, noID}

// MakeOwner returns the Owner of a recorded uid and gid.
func MakeOwner(uid, gid uint32) Owner { return Owner{uid, gid} }

// Recorded reports whether the disc records the owner and the group.
func (o Owner) Recorded() bool { return o.uid != noID && o.gid != noID }

// UID returns the owner, or 0 if none is recorded.
func (o Owner) UID() uint32 {
	if !o.Recorded() {
		return 0
	}
	return o.uid
}

// GID returns the group, or 0 if none is recorded.
func (o Owner) GID() uint32 {
	if !o.Recorded() {
		return 0
	}
	return o.gid
}
