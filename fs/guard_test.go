package fs

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/mountinfo"
)

func TestGuardOf(t *testing.T) {
	full := mountinfo.Mount{Options: []string{"ro", "nosuid", "nodev"}, SuperOptions: []string{"ro", "default_permissions"}}
	// What "mount.fuse3 -o ro,allow_other,drop_privileges" gives (util-linux
	// 2.38, fuse3 3.14): ro,relatime - fuse.iszmount iszmount ro,user_id=0,group_id=0,allow_other
	dropped := mountinfo.Mount{Options: []string{"ro", "relatime"}, SuperOptions: []string{"ro", "user_id=0", "group_id=0", "allow_other"}}
	nodevOnly := mountinfo.Mount{Options: []string{"ro", "nodev"}, SuperOptions: []string{"default_permissions"}}
	for _, tc := range []struct {
		mounts []mountinfo.Mount
		want   guard
	}{
		{nil, guardAll},
		{[]mountinfo.Mount{full}, 0},
		{[]mountinfo.Mount{dropped}, guardAll},
		{[]mountinfo.Mount{nodevOnly}, guardSuid},
		{[]mountinfo.Mount{full, nodevOnly}, guardSuid}, // any candidate lacking it
	} {
		if got := guardOf(tc.mounts); got != tc.want {
			t.Errorf("guardOf(%v) = %v, want %v", tc.mounts, got, tc.want)
		}
	}
	if s := guardAll.String(); s != "nosuid,nodev,default_permissions" {
		t.Errorf("String() = %q", s)
	}
}

func TestProcGroups(t *testing.T) {
	p := filepath.Join(t.TempDir(), "status")
	os.WriteFile(p, []byte("Name:\tsh\nUid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 1000 \nNgid:\t0\n"), 0o644)
	if got := procGroups(p); !reflect.DeepEqual(got, []uint32{4, 24, 1000}) {
		t.Errorf("procGroups = %v", got)
	}
	if got := procGroups(p + ".missing"); got != nil {
		t.Errorf("procGroups of a missing file = %v", got)
	}
	// This process: the same groups as getgroups(2).
	want, _ := os.Getgroups()
	got := procGroups("/proc/self/status")
	if len(got) != len(want) {
		t.Errorf("procGroups(/proc/self/status) = %v, getgroups = %v", got, want)
	}
}

func TestMay(t *testing.T) {
	f := newFS(nil, &Options{}, 2048, 1)
	f.guard.Store(uint32(guardAll))
	file := func(mode, uid, gid uint32) attrInput {
		return attrInput{mode: syscall.S_IFREG | mode, uid: uid, gid: gid}
	}
	dir := func(mode, uid, gid uint32) attrInput {
		return attrInput{mode: syscall.S_IFDIR | mode, uid: uid, gid: gid}
	}
	dev := attrInput{mode: syscall.S_IFCHR | 0o666}
	user := func() *caller { return &caller{uid: 1000, gid: 1000, groups: []uint32{24}, read: true} }
	root := func() *caller { return &caller{} }
	for _, tc := range []struct {
		name string
		c    *caller
		a    attrInput
		mask uint32
		want bool
	}{
		{"root reads a 0600 file of another", root(), file(0o600, 5, 5), rOK, true},
		{"root runs a file with no x bit", root(), file(0o644, 0, 0), xOK, false},
		{"root runs a file with one x bit", root(), file(0o744, 5, 5), xOK, true},
		{"root searches a 0 directory", root(), dir(0, 5, 5), xOK, true},
		{"user reads root's 0600 file", user(), file(0o600, 0, 0), rOK, false},
		{"user reads own 0600 file", user(), file(0o600, 1000, 0), rOK, true},
		{"owner bits decide for the owner", user(), file(0o066, 1000, 1000), rOK, false},
		{"primary group", user(), file(0o640, 0, 1000), rOK, true},
		{"supplementary group", user(), file(0o640, 0, 24), rOK, true},
		{"other group", user(), file(0o640, 0, 25), rOK, false},
		{"others", user(), file(0o604, 0, 25), rOK, true},
		{"search a 0700 directory of root", user(), dir(0o700, 0, 0), xOK, false},
		{"search a 0711 directory of root", user(), dir(0o711, 0, 0), xOK, true},
		{"read and search", user(), dir(0o755, 0, 0), rOK | xOK, true},
		{"device shown as a mode 0 file", user(), dev, rOK, false},
	} {
		if got := f.may(tc.c, tc.a, tc.mask); got != tc.want {
			t.Errorf("%s: may = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPresent(t *testing.T) {
	f := newFS(nil, &Options{Umask: 0o022}, 2048, 1)
	for _, tc := range []struct {
		g        guard
		in, want uint32
	}{
		{0, syscall.S_IFREG | syscall.S_ISUID | 0o755, syscall.S_IFREG | syscall.S_ISUID | 0o755},
		{guardSuid, syscall.S_IFREG | syscall.S_ISUID | syscall.S_ISGID | 0o777, syscall.S_IFREG | 0o755},
		{guardSuid, syscall.S_IFDIR | syscall.S_ISVTX | 0o777, syscall.S_IFDIR | syscall.S_ISVTX | 0o755},
		{0, syscall.S_IFCHR | 0o666, syscall.S_IFCHR | 0o644},
		{guardDev, syscall.S_IFCHR | 0o666, syscall.S_IFREG},
		{guardDev, syscall.S_IFBLK | 0o660, syscall.S_IFREG},
		{guardDev, syscall.S_IFIFO | 0o666, syscall.S_IFIFO | 0o644},
	} {
		f.guard.Store(uint32(tc.g))
		if got := f.present(tc.in); got != tc.want {
			t.Errorf("present(%o) under %v = %o, want %o", tc.in, tc.g, got, tc.want)
		}
	}
}

// TestMountReadsItsOptions: a mount made by Mount has nosuid, nodev and
// default_permissions, which Mount finds in mountinfo, so the daemon
// guards nothing itself (it guards everything until it knows).
func TestMountReadsItsOptions(t *testing.T) {
	f := NewRaw("disc.iso", newHoleySource(), time.Now(), nil)
	if f.guarding(guardAll) {
		t.Fatal("guarding before Mount")
	}
	dir := mountFS(t, f, nil)
	if g := guard(f.guard.Load()); g != 0 {
		t.Errorf("guard after mounting on %s: %v, want none", dir, g)
	}
}
