package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestForeground mounts with -f: READY=1 arrives on $NOTIFY_SOCKET only
// once the mount is live (checked by mountForeground), the tree is served,
// and SIGTERM unmounts and ends the process with status 0 (its cleanup).
func TestForeground(t *testing.T) {
	m := mountForeground(t, bin, fx.image("zlib").path)
	compareTree(t, fx.src, m.dir)
	e, _ := mountAt(m.dir)
	if e.Source != fx.image("zlib").path || !slices.Contains(e.Options, "ro") {
		t.Errorf("mount %+v: want source %s, read-only", e, fx.image("zlib").path)
	}
}

// TestMountHelper mounts through mount(8) and mount.fuse3, as fstab and
// systemd do: "mount -t fuse.iszmount" and an fstab line with "mount -T".
// mount(8) clears PATH and mount.fuse3 runs "iszmount" through /bin/sh, so
// the binary must be in a standard directory: the test runs in a private
// mount namespace where the build directory is bound over /usr/local/sbin.
func TestMountHelper(t *testing.T) {
	mp := newMountPoint(t)
	img := fx.image("zlib").path
	fstab := fstabFor(t, img, mp, "ro,allow_other,nofail,x-systemd.automount,mode=raw")
	script := helperPrelude + `if [ -e /dev/log ]; then mount --bind /dev/null /dev/log; fi # no syslog
daemons() { # command lines of running iszmount processes (no procps needed)
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep "^/usr/local/sbin/iszmount " || true
	done
}
check() { # what the mount shows, then unmount and wait for the daemon to go
	grep " $MP " /proc/self/mounts | cut -d' ' -f1,3,4
	ls "$MP"
	umount "$MP"
	for i in $(seq 100); do [ -z "$(daemons)" ] && break; sleep 0.05; done
	[ -z "$(daemons)" ] || echo "daemon still running: $(daemons)"
}
echo "== mount -t"
mount -t fuse.iszmount "$IMG" "$MP" -o ro,allow_other
check
echo "== fstab"
mount -T "$FSTAB" "$MP"
check
echo "== mount -t without options (mount(8) passes rw)"
mount -t fuse.iszmount "$IMG" "$MP"
check
echo "== drop_privileges (mount.fuse3 mounts, iszmount gets /dev/fd/N)"
mount -t fuse.iszmount "$IMG" "$MP" -o ro,drop_privileges,mode=raw
daemons | grep -q " /dev/fd/[0-9]* $" && echo "served through /dev/fd"
check
`
	out, code := inMountNamespace(t, script, "LC_ALL=C", "MP="+mp, "BIN="+binDir, "IMG="+img, "FSTAB="+fstab)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// Each daemon says once, while mounting, that there is no syslog.
	var lines []string
	notices := 0
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if strings.Contains(l, "no syslog socket (/dev/log)") {
			notices++
		}
		if !strings.HasPrefix(l, "level=") {
			lines = append(lines, l)
		}
	}
	if notices != 4 {
		t.Errorf("%d notices of the missing syslog for 4 mounts:\n%s", notices, out)
	}
	got := strings.Join(lines, "")
	for _, part := range []string{
		"== mount -t\n" + img + " fuse.iszmount ro,",
		",allow_other,",
		"README.txt\nbig\ndeep\ndir\n",
		"== fstab\n" + img + " fuse.iszmount ro,",
		"\nzlib.iso\n",
		"== mount -t without options (mount(8) passes rw)\n" + img + " fuse.iszmount ro,",
		"served through /dev/fd\niszmount fuse.iszmount ro,",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("output lacks %q:\n%s", part, got)
		}
	}
	if strings.Contains(got, "daemon still running") {
		t.Errorf("a daemon outlived its unmount:\n%s", got)
	}
}

// helperPrelude begins a script that mounts through mount(8) and
// mount.fuse3 in the private mount namespace of inMountNamespace: mount(8)
// clears PATH and mount.fuse3 runs "iszmount" through /bin/sh, so the
// build directory ($BIN) is bound over /usr/local/sbin; on exit $MP is
// unmounted, whatever happened.
const helperPrelude = `set -e
trap 'umount -l "$MP" 2>/dev/null || true' EXIT
mount --bind "$BIN" /usr/local/sbin
`

// fstabFor writes an fstab file with one line mounting img on mp with
// opts, for "mount -T FILE MOUNTPOINT", and returns its path.
func fstabFor(t *testing.T, img, mp, opts string) string {
	t.Helper()
	fstab := filepath.Join(t.TempDir(), "fstab")
	line := fmt.Sprintf("%s %s fuse.iszmount %s 0 0\n", img, mp, opts)
	if err := os.WriteFile(fstab, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	return fstab
}

// TestFailures checks that failed mounts say why in one line and exit with
// the documented status, leaving nothing mounted.
func TestFailures(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.isz")
	if err := os.WriteFile(junk, make([]byte, 100<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.isz")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	aes := fx.image("aes256").path
	for _, tc := range []struct {
		name string
		args func(mp string) []string
		env  []string
		code int
		msg  string
	}{
		{"missing image", func(mp string) []string { return []string{"/no/such.isz", mp} }, nil, 1, "no such file"},
		{"not an image", func(mp string) []string { return []string{junk, mp} }, nil, 3, "neither an ISZ image nor an ISO 9660"},
		{"missing mount point", func(mp string) []string { return []string{fx.iso, mp + "/nonexistent"} }, nil, 8, "cannot mount on"},
		{"mount point is a file", func(mp string) []string { return []string{fx.iso, fx.iso} }, nil, 8, "cannot mount on"},
		{"no password", func(mp string) []string { return []string{aes, mp} }, []string{"ISZ_PASSWORD="}, 5, "password"},
		{"wrong password", func(mp string) []string { return []string{aes, mp} }, []string{"ISZ_PASSWORD=wrong"}, 5, "password"},
		{"wrong password, foreground", func(mp string) []string { return []string{"-f", aes, mp, "-o", "password=wrong"} }, nil, 5, "password"},
		{"unknown option", func(mp string) []string { return []string{fx.iso, mp, "-o", "ro,bogus"} }, nil, 2, `unknown option "bogus"`},
		{"tree of a UDF-less raw blob", func(mp string) []string { return []string{junk, mp, "-o", "mode=tree"} }, nil, 3, "no usable directory tree"},
		{"empty image", func(mp string) []string { return []string{empty, mp} }, nil, 3, "empty file, not a disc image"},
		{"empty image, raw", func(mp string) []string { return []string{empty, mp, "-o", "mode=raw"} }, nil, 3, "empty file, not a disc image"},
		{"cache beyond RAM", func(mp string) []string { return []string{fx.iso, mp, "-o", "cache=999T"} }, nil, 2, "more than this machine's memory"},
		{"logfile not writable", func(mp string) []string { return []string{fx.iso, mp, "-o", "logfile=/nonexistent/dir/log"} }, nil, 2, "logfile=/nonexistent/dir/log"},
		{"logfile not writable, foreground", func(mp string) []string { return []string{"-f", fx.iso, mp, "-o", "logfile=/nonexistent/dir/log"} }, nil, 2, "logfile=/nonexistent/dir/log"},
		{"mistyped option", func(mp string) []string { return []string{fx.iso, mp, "-o", "alow_other"} }, nil, 2, `did you mean "allow_other"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp := newMountPoint(t)
			cmd := exec.Command(bin, tc.args(mp)...)
			cmd.Env = append(os.Environ(), tc.env...)
			out, _ := cmd.CombinedOutput()
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if code := cmd.ProcessState.ExitCode(); code != tc.code || !strings.Contains(string(out), tc.msg) {
				t.Errorf("exit %d, output %q; want exit %d and %q", code, out, tc.code, tc.msg)
			}
			if len(lines) != 1 {
				t.Errorf("want one line of error, got %q", out)
			}
			if mounts := mountsUnder(filepath.Dir(mp)); len(mounts) > 0 {
				t.Errorf("left mounted: %v", mounts)
			}
		})
	}
}

// TestDoubleMount: a second mount on a live iszmount mount point fails
// clearly instead of stacking a second file system on it.
func TestDoubleMount(t *testing.T) {
	m := mountDaemon(t, bin, fx.iso)
	code, out := runStatus(t, bin, fx.image("zlib").path, m.dir)
	if code != 8 || !strings.Contains(out, "already an iszmount mount point") {
		t.Errorf("second mount: exit %d, %q; want 8, already mounted", code, out)
	}
	if n := len(mountsUnder(m.dir)); n != 1 {
		t.Errorf("%d mounts at %s, want 1", n, m.dir)
	}
}

// TestAllowOtherRefused: a user without user_allow_other in /etc/fuse.conf
// gets one clear line (and the FUSE exit status) for allow_other.
func TestAllowOtherRefused(t *testing.T) {
	conf, _ := os.ReadFile("/etc/fuse.conf")
	for _, line := range strings.Split(string(conf), "\n") {
		if strings.TrimSpace(line) == "user_allow_other" {
			t.Fatal("/etc/fuse.conf has user_allow_other; this test needs the Debian default")
		}
	}
	mp := newMountPoint(t)
	os.Chmod(filepath.Dir(mp), 0o755)
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, fx.iso, mp, "-o", "allow_other")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 7 || !strings.Contains(string(out), "user_allow_other") ||
		strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Errorf("exit %d, %q; want 7 and one line naming user_allow_other", code, out)
	}
}

// TestVerifyOption: verify checks the image in the background and logs it.
func TestVerifyOption(t *testing.T) {
	m := mountDaemon(t, bin, fx.image("bzip2").path, "verify")
	waitFor(t, "the verify result in the log", func() bool { return strings.Contains(m.logText(), "verify: image OK") })
}

// TestAccessOptions checks who may use the mount (allow_other, allow_root,
// neither) and the owner and mask options, as another user (nobody).
func TestAccessOptions(t *testing.T) {
	asNobody := func(args ...string) error {
		return exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups"}, args...)...).Run()
	}
	for _, tc := range []struct {
		opts   []string
		nobody bool // may nobody read README.txt?
	}{
		{nil, false},
		{[]string{"allow_other"}, true},
		{[]string{"allow_root"}, false},
	} {
		t.Run(strings.Join(append([]string{"opts"}, tc.opts...), "+"), func(t *testing.T) {
			m := mountDaemon(t, bin, fx.iso, tc.opts...)
			for d := filepath.Dir(m.dir); d != os.TempDir(); d = filepath.Dir(d) {
				os.Chmod(d, 0o755) // let nobody reach the mount point
			}
			readme := filepath.Join(m.dir, "README.txt")
			if err := asNobody("cat", readme); (err == nil) != tc.nobody {
				t.Errorf("nobody reading %s: %v; want allowed=%v", readme, err, tc.nobody)
			}
			if _, err := os.ReadFile(readme); err != nil {
				t.Errorf("root reading %s: %v", readme, err)
			}
		})
	}
	t.Run("owner and masks", func(t *testing.T) {
		m := mountDaemon(t, bin, fx.iso, "uid=1000", "gid=nogroup", "umask=002", "fmask=111", "dmask=050")
		for name, want := range map[string]os.FileMode{
			"modes/exec":   0o644,
			"modes/sticky": os.ModeDir | os.ModeSticky | 0o725,
			"links/rel":    os.ModeSymlink | 0o777,
		} {
			fi, err := os.Lstat(filepath.Join(m.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if fi.Mode() != want || st.Uid != 1000 || st.Gid != 65534 {
				t.Errorf("%s: mode %v owner %d:%d; want %v 1000:65534", name, fi.Mode(), st.Uid, st.Gid, want)
			}
		}
	})
}
