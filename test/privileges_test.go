package test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// unprivUser is a user account created for one test.
type unprivUser struct {
	name, group string
	uid, gid    int // the user's own uid and primary gid
	extraGID    int // a supplementary group the user belongs to
}

// newUser creates an unprivileged user with its own primary group and one
// supplementary group (useradd, groupadd), and deletes all three when the
// test ends.
func newUser(t *testing.T) *unprivUser {
	t.Helper()
	u := &unprivUser{name: fmt.Sprintf("iszt%06d", rand.IntN(1e6))}
	u.group = u.name + "x"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out)
		}
	}
	run("groupadd", u.group)
	t.Cleanup(func() { exec.Command("groupdel", u.group).Run() })
	run("useradd", "--no-create-home", "--user-group", "--shell", "/bin/sh", "--groups", u.group, u.name)
	t.Cleanup(func() { exec.Command("userdel", u.name).Run() })
	id := func(flag string) int {
		out, err := exec.Command("id", flag, u.name).Output()
		n, err2 := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || err2 != nil {
			t.Fatalf("id %s %s: %v %v", flag, u.name, err, err2)
		}
		return n
	}
	u.uid, u.gid = id("-u"), id("-g")
	out, err := exec.Command("getent", "group", u.group).Output()
	f := strings.Split(string(out), ":")
	if err != nil || len(f) < 3 {
		t.Fatalf("getent group %s: %v %q", u.group, err, out)
	}
	u.extraGID, _ = strconv.Atoi(f[2])
	return u
}

// asUser is the setpriv prefix that runs a command as u, with its groups.
func (u *unprivUser) asUser() string {
	return fmt.Sprintf("setpriv --reuid=%d --regid=%d --init-groups", u.uid, u.gid)
}

// openUp makes every directory from dir up to / searchable by all, so that
// another user can reach a mount point under a test's temporary directory.
func openUp(t *testing.T, dir string) {
	for d := dir; d != "/"; d = filepath.Dir(d) {
		var st unix.Stat_t
		if err := unix.Stat(d, &st); err != nil {
			t.Fatal(err)
		}
		if st.Mode&0o555 != 0o555 { // only a test's own 0700 directories: /tmp keeps its sticky bit
			if err := unix.Chmod(d, st.Mode&0o7777|0o555); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// privilegeImage makes an ISO 9660 image (Rock Ridge, owners and modes
// kept) holding what a disc may not grant: a setuid-root copy of id(1), a
// 0600 root file, a 0700 root directory with a file and a symlink, a file
// of the user's supplementary
// group, and a character device (1,5: /dev/zero); plus a public file.
func privilegeImage(t *testing.T, u *unprivUser) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	id, err := os.ReadFile("/usr/bin/id")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		os.MkdirAll(filepath.Join(src, "private"), 0o755),
		os.WriteFile(filepath.Join(src, "suid-id"), id, 0o755),
		os.WriteFile(filepath.Join(src, "secret"), []byte("secret\n"), 0o600),
		os.WriteFile(filepath.Join(src, "private/inner"), []byte("inner\n"), 0o644),
		os.Symlink("inner", filepath.Join(src, "private/link")),
		os.WriteFile(filepath.Join(src, "group-only"), []byte("group\n"), 0o640),
		os.WriteFile(filepath.Join(src, "public"), []byte("public\n"), 0o644),
		unix.Chmod(filepath.Join(src, "suid-id"), 0o4755), // os.Chmod would drop the high bits
		os.Chmod(filepath.Join(src, "private"), 0o700),
		os.Chmod(filepath.Join(src, "secret"), 0o600),
		os.Chown(filepath.Join(src, "group-only"), 0, u.extraGID),
		unix.Mknod(filepath.Join(src, "zero"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 5))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	iso := filepath.Join(t.TempDir(), "priv.iso")
	if out, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-R", "-o", iso, src).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	return iso
}

// TestPrivileges mounts a disc holding a setuid-root program, a 0600 root
// file, a 0700 root directory and a device node with allow_other, and uses
// it as an unprivileged user created for the test: the program does not
// run as root, the user reads neither the root file nor the directory, and
// the device cannot be used, even once root has looked everything up (so
// the kernel answers lookups from its caches), whichever way the disc is
// mounted: by
// iszmount itself (the kernel enforces nosuid, nodev, default_permissions)
// or by mount.fuse3 with drop_privileges, plain and from an fstab line
// (the kernel mount has none of them: iszmount enforces them itself). As
// controls, the user reads a public file and one of its supplementary
// group. mount(8) and mount.fuse3 run in a private mount namespace with the
// build directory over /usr/local/sbin (see helperPrelude).
func TestPrivileges(t *testing.T) {
	u := newUser(t)
	img := privilegeImage(t, u)
	for _, how := range []string{"iszmount", "mount.fuse3 drop_privileges", "fstab drop_privileges"} {
		t.Run(how, func(t *testing.T) {
			mp := newMountPoint(t)
			openUp(t, mp)
			fstab := fstabFor(t, img, mp, "ro,allow_other,drop_privileges,nofail")
			script := helperPrelude + `case "$HOW" in
iszmount) iszmount "$IMG" "$MP" -o allow_other ;;
"mount.fuse3 drop_privileges") mount -t fuse.iszmount "$IMG" "$MP" -o ro,allow_other,drop_privileges ;;
"fstab drop_privileges") mount -T "$FSTAB" "$MP" ;;
esac
try() { # what: command...; prints "what: ok" or "what: refused"
	what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "$what: ok"; else echo "$what: refused"; fi
}
ls -lR "$MP" >/dev/null; cat "$MP/private/inner" "$MP/private/link" >/dev/null # root warms the kernel's caches
echo "euid: $($AS "$MP/suid-id" -u)"
try public $AS cat "$MP/public"
try group-only $AS cat "$MP/group-only"
try secret $AS cat "$MP/secret"
try "private list" $AS ls "$MP/private"
try "private inner" $AS cat "$MP/private/inner"
try "private cd" $AS sh -c "cd '$MP/private'"
try "private readlink" $AS readlink "$MP/private/link"
try "device as user" $AS head -c 1 "$MP/zero"
echo "device bytes as root: $(head -c 4 "$MP/zero" 2>/dev/null | wc -c)"
echo "suid bit: $(stat -c %A "$MP/suid-id")"
umount "$MP"
`
			out, code := inMountNamespace(t, script, "LC_ALL=C", "MP="+mp, "BIN="+binDir, "IMG="+img, "FSTAB="+fstab, "HOW="+how, "AS="+u.asUser())
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			var missing []string
			for _, want := range []string{
				fmt.Sprintf("euid: %d\n", u.uid),
				"public: ok\n",
				"group-only: ok\n",
				"secret: refused\n",
				"private list: refused\n",
				"private inner: refused\n",
				"private cd: refused\n",
				"private readlink: refused\n",
				"device as user: refused\n",
				"device bytes as root: 0\n",
			} {
				if !strings.Contains(string(out), want) {
					missing = append(missing, want)
				}
			}
			if len(missing) > 0 {
				t.Errorf("output lacks %q:\n%s", missing, out)
			}
			if how != "iszmount" && !strings.Contains(string(out), "suid bit: -rwxr-xr-x") {
				t.Errorf("the setuid bit is reported on a mount without nosuid:\n%s", out)
			}
		})
	}
}
