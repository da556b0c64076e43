package fs

import (
	iofs "io/fs"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestUnixMode(t *testing.T) {
	for _, tc := range []struct {
		in   iofs.FileMode
		want uint32
	}{
		{0o644, syscall.S_IFREG | 0o644},
		{iofs.ModeDir | 0o755, syscall.S_IFDIR | 0o755},
		{iofs.ModeSymlink | 0o777, syscall.S_IFLNK | 0o777},
		{iofs.ModeDevice | iofs.ModeCharDevice | 0o600, syscall.S_IFCHR | 0o600},
		{iofs.ModeDevice | 0o660, syscall.S_IFBLK | 0o660},
		{iofs.ModeNamedPipe | 0o600, syscall.S_IFIFO | 0o600},
		{iofs.ModeSocket | 0o700, syscall.S_IFSOCK | 0o700},
		{iofs.ModeSetuid | iofs.ModeSetgid | 0o755, syscall.S_IFREG | syscall.S_ISUID | syscall.S_ISGID | 0o755},
		{iofs.ModeDir | iofs.ModeSticky | 0o777, syscall.S_IFDIR | syscall.S_ISVTX | 0o777},
	} {
		if got := unixMode(tc.in); got != tc.want {
			t.Errorf("unixMode(%v) = %o, want %o", tc.in, got, tc.want)
		}
	}
}

func TestApplyMasks(t *testing.T) {
	o := Options{Umask: 0o002, Fmask: 0o111, Dmask: 0o070}
	for _, tc := range []struct{ in, want uint32 }{
		{syscall.S_IFREG | 0o777, syscall.S_IFREG | 0o664},
		{syscall.S_IFDIR | 0o777, syscall.S_IFDIR | 0o705},
		{syscall.S_IFLNK | 0o777, syscall.S_IFLNK | 0o777},
		{syscall.S_IFCHR | 0o666, syscall.S_IFCHR | 0o664},
		{syscall.S_IFREG | syscall.S_ISUID | 0o755, syscall.S_IFREG | syscall.S_ISUID | 0o644},
	} {
		if got := o.applyMasks(tc.in); got != tc.want {
			t.Errorf("applyMasks(%o) = %o, want %o", tc.in, got, tc.want)
		}
	}
	// The masks never touch the type bits.
	all := Options{Umask: ^uint32(0)}
	if got := all.applyMasks(syscall.S_IFDIR | 0o7777); got != syscall.S_IFDIR {
		t.Errorf("umask of all ones left %o", got)
	}
}

func TestFuseRdev(t *testing.T) {
	// The kernel's new_encode_dev: minor low byte, major, minor high bits.
	for _, tc := range []struct {
		major, minor uint32
		want         uint32
	}{
		{8, 1, 0x801},
		{259, 0, 0x10300},
		{4, 300, 300&0xff | 4<<8 | (300&^0xff)<<12},
	} {
		if got := fuseRdev(unix.Mkdev(tc.major, tc.minor)); got != tc.want {
			t.Errorf("fuseRdev(%d,%d) = %#x, want %#x", tc.major, tc.minor, got, tc.want)
		}
	}
}
