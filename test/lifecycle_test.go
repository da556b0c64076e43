package test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/isz"
)

// userMountPoint makes a mount point owned by u, reachable by u.
func userMountPoint(t *testing.T, u *unprivUser) string {
	t.Helper()
	mp := newMountPoint(t)
	openUp(t, mp)
	if err := os.Chown(mp, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
	return mp
}

// inMountNamespace runs script with sh in a private mount namespace, so
// that it may hide or replace files (/dev/fuse, fusermount3, /dev/log,
// /usr/local/sbin) for the commands it runs, and whatever it mounts stays
// there; it returns the combined output and the exit status.
func inMountNamespace(t *testing.T, script string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("unshare: %v", err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// usableFuse is a script line that makes /dev/fuse usable by every user
// inside a private mount namespace, as Debian's udev rules do (mode 0666);
// test machines in containers may have it 0600.
const usableFuse = `mknod "$T/fuse" c 10 229; chmod 666 "$T/fuse"; mount --bind "$T/fuse" /dev/fuse`

// noSyslogNotice is what a daemon says on a machine with no syslog.
const noSyslogNotice = "level=WARN msg=\"no syslog socket (/dev/log): the daemon's messages are discarded from now on; -o logfile=FILE keeps them\"\n"

// TestUserMount mounts as an unprivileged user through fusermount3: the
// mount is made, with nosuid, nodev and default_permissions; its files
// (owned by root on the disc, some 0600) belong to the user by default and
// are readable, while uid=0 keeps them root's; and the user unmounts with
// fusermount3 -u, which ends the daemon.
func TestUserMount(t *testing.T) {
	u := newUser(t)
	for _, tc := range []struct {
		opts        string
		owner, read string
	}{
		{"", fmt.Sprint(u.uid), "ok"},
		{"-o uid=0", "0", "refused"},
	} {
		t.Run("opts="+tc.opts, func(t *testing.T) {
			mp := userMountPoint(t, u)
			script := usableFuse + `
set -e
$AS "$BIN" "$IMG" "$MP" $OPTS
grep -q " $MP .* - fuse.iszmount .*default_permissions" /proc/self/mountinfo && echo "default_permissions"
grep -q " $MP [^ ]*nosuid,nodev" /proc/self/mountinfo && echo "nosuid,nodev"
echo "owner: $($AS stat -c %u "$MP/modes/private")"
if $AS cat "$MP/modes/private" >/dev/null 2>&1; then echo "read: ok"; else echo "read: refused"; fi
$AS fusermount3 -u "$MP"
for i in $(seq 200); do
	grep -lqs "$MP" /proc/[0-9]*/cmdline || break
	sleep 0.05
done
grep -lqs "$MP" /proc/[0-9]*/cmdline && echo "daemon still running"
exit 0
`
			out, code := inMountNamespace(t, script, "T="+t.TempDir(), "AS="+u.asUser(), "BIN="+bin, "IMG="+fx.iso, "MP="+mp, "OPTS="+tc.opts)
			out = strings.Replace(out, noSyslogNotice, "", 1)
			want := fmt.Sprintf("default_permissions\nnosuid,nodev\nowner: %s\nread: %s\n", tc.owner, tc.read)
			if code != 0 || out != want {
				t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out, want)
			}
		})
	}
}

// TestUserMountFailures: what a user's mount says when FUSE is not usable,
// each in one line with the documented status: /dev/fuse not accessible (7),
// fusermount3 missing (7, naming the package fuse3), a mount point the user
// may not write (3, with fusermount3's reason and exit status, not a wait
// status).
func TestUserMountFailures(t *testing.T) {
	u := newUser(t)
	as := u.asUser()
	for _, tc := range []struct {
		name, setup string
		own         bool // the user owns the mount point
		code        int
		want        []string
	}{
		{"no access to /dev/fuse", `mknod "$T/fuse" c 10 229; chmod 600 "$T/fuse"; mount --bind "$T/fuse" /dev/fuse`, true, 7,
			[]string{"/dev/fuse", "Permission denied"}},
		{"no fusermount3", usableFuse + `; for f in /usr/bin/fusermount3 /bin/fusermount3; do [ -e $f ] && mount --bind /dev/null $f; done`, true, 7,
			[]string{"fusermount3 not found", "fuse3 package"}},
		{"mount point not writable", usableFuse, false, 8,
			[]string{"no write access to mountpoint", "exit status 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp := newMountPoint(t)
			openUp(t, mp)
			if tc.own {
				os.Chown(mp, u.uid, u.gid)
			}
			script := tc.setup + "\n" + `exec $AS "$BIN" "$IMG" "$MP"`
			out, code := inMountNamespace(t, script, "T="+t.TempDir(), "AS="+as, "BIN="+bin, "IMG="+fx.iso, "MP="+mp)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != tc.code || len(lines) != 1 {
				t.Errorf("exit %d, output %q; want exit %d and one line", code, out, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			if strings.Contains(out, "code 256") || strings.Contains(out, "printed why above") {
				t.Errorf("output %q shows a raw wait status", out)
			}
			if mounts := mountsUnder(filepath.Dir(mp)); len(mounts) > 0 {
				t.Errorf("left mounted: %v", mounts)
			}
		})
	}
}

// TestAutoUnmount: with -o auto_unmount, a daemon killed with SIGKILL
// leaves no dead mount: fusermount3 unmounts it within a second or two.
// Without it, the dead mount stays, and the next iszmount on it clears it
// and mounts (TestDeadMount).
func TestAutoUnmount(t *testing.T) {
	m := mountDaemon(t, bin, fx.iso, "auto_unmount")
	compareTree(t, fx.src, m.dir)
	syscall.Kill(m.pid, syscall.SIGKILL)
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := mountAt(m.dir); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still mounted 2s after the daemon was killed", m.dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDeadMount kills a daemon with SIGKILL, which leaves a dead mount
// ("transport endpoint is not connected"); mounting there again clears it,
// says so, and serves the new image.
func TestDeadMount(t *testing.T) {
	m := mountDaemon(t, bin, fx.iso)
	syscall.Kill(m.pid, syscall.SIGKILL)
	reap(m.pid, 5*time.Second)
	var st syscall.Statfs_t
	if err := syscall.Statfs(m.dir, &st); err != syscall.ENOTCONN {
		t.Fatalf("statfs of the dead mount: %v, want ENOTCONN", err)
	}
	log := filepath.Join(t.TempDir(), "log")
	code, out := runStatus(t, bin, "-f", fx.image("zlib").path, m.dir, "-o", "logfile="+log, "-o", "idle=1s")
	data, _ := os.ReadFile(log)
	if code != 0 || !strings.Contains(string(data), "cleared a dead iszmount mount") {
		t.Errorf("re-mount: exit %d, %q, log %q; want 0 and the dead mount cleared", code, out, data)
	}
	if n := len(mountsUnder(m.dir)); n != 0 {
		t.Errorf("%d mounts left at %s", n, m.dir)
	}
}

// TestStartupSignal: a start-up that blocks (a FIFO as IMAGE with no
// writer) ends on SIGTERM to the command, daemon child included, and
// leaves no process and no mount behind.
func TestStartupSignal(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.isz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	mp := newMountPoint(t)
	cmd := exec.Command(bin, fifo, mp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("iszmount still running 5s after SIGTERM\n%s", &out)
	}
	waitFor(t, "the daemon child to end", func() bool { return daemonFor(mp) == 0 })
	if cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("exit 0 for a FIFO image:\n%s", &out)
	}
	if mounts := mountsUnder(filepath.Dir(mp)); len(mounts) > 0 {
		t.Errorf("left mounted: %v", mounts)
	}
}

// TestDamagedChunkZero: a tree mount of an image whose chunk 0 (holding the
// volume descriptors) is corrupt fails with the chunk error (exit 5) rather
// than falling back to raw mode as if the image had no ISO 9660 tree.
func TestDamagedChunkZero(t *testing.T) {
	p := copyImage(t, "zlib")
	r, err := isz.Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Chunk(0)
	at := int64(r.Header().DataOffs) + c.StreamOff + c.Stored/2
	r.Close()
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef}, at)
	f.Close()
	mp := newMountPoint(t)
	code, out := runStatus(t, bin, p, mp)
	if code != 4 || !strings.Contains(out, "damaged") || !strings.Contains(out, "chunk 0") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("exit %d, %q; want 4 (corrupt data) and one line naming chunk 0", code, out)
	}
	if mounts := mountsUnder(filepath.Dir(mp)); len(mounts) > 0 {
		t.Errorf("left mounted: %v", mounts)
	}
}
