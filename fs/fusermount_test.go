package fs

import (
	"reflect"
	"testing"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// TestFusermountOptions: what fusermount3 gets besides ro, nosuid, nodev
// and default_permissions, with commas and backslashes of a source path
// escaped as its -o parser expects.
func TestFusermountOptions(t *testing.T) {
	got := fusermountOptions(&fuse.MountOptions{AllowOther: true, FsName: `/srv/a,b\c.isz`, Name: "iszmount", MaxWrite: MaxRequest})
	want := []string{"allow_other", `fsname=/srv/a\,b\\c.isz`, "subtype=iszmount", "max_read=1048576"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFusermountErrorNoDevice(t *testing.T) {
	for msg, want := range map[string]bool{
		"failed to open /dev/fuse: Permission denied":         true,
		"user has no write access to mountpoint /mnt":         false,
		"fuse device not found, try 'modprobe fuse' first":    true,
		"failed to access mountpoint /mnt: Permission denied": false,
	} {
		if got := (&FusermountError{Status: 1, Msg: msg}).NoDevice(); got != want {
			t.Errorf("NoDevice(%q) = %v, want %v", msg, got, want)
		}
	}
}
