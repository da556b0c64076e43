package test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// desktopEnv is a desktop session's environment, isolated in dir: its own
// home and XDG directories, the data of "make install PREFIX=prefix" on
// the search path, and GNOME as the desktop (xdg-mime and xdg-open then ask
// GIO, as they do in a GNOME session; in a session they do not know they
// fall back to file(1), which has no shared-mime-info types).
func desktopEnv(dir, prefix string) []string {
	home := filepath.Join(dir, "home")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "DBUS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_DIRS="+filepath.Join(prefix, "share")+":/usr/share",
		"XDG_CURRENT_DESKTOP=GNOME",
		"PATH="+filepath.Join(prefix, "bin")+":"+os.Getenv("PATH"),
	)
}

// inEnv runs a command in env and returns its trimmed output.
func inEnv(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // warnings (no syslog on this machine) are not the answer
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s%s", name, args, err, out, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// TestDesktop: the MIME type and the desktop entry of "make install" make
// a double-click (gio open) of an .isz mount it on /media/LABEL and open
// that in the file manager; the mount is browsable, listed by GIO as a
// drive, on an idle timer, and "iszmount -u" undoes it.
func TestDesktop(t *testing.T) {
	if out, err := exec.Command("desktop-file-validate", "../packaging/iszmount.desktop").CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "usr")
	env := desktopEnv(dir, prefix)
	disc := filepath.Join(dir, "disc.isz")
	renamed := filepath.Join(dir, "renamed") // found by its magic "IsZ!"
	data, err := os.ReadFile("../testdata/sample.isz")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{disc, renamed} {
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := inEnv(t, env, "xdg-mime", "query", "filetype", disc); got == "application/x-isz" {
		t.Fatalf("before the install, xdg-mime knows application/x-isz already")
	}
	runMake(t, "install", "PREFIX="+prefix)
	for _, f := range []string{disc, renamed} {
		if got := inEnv(t, env, "xdg-mime", "query", "filetype", f); got != "application/x-isz" {
			t.Errorf("xdg-mime query filetype %s = %q, want application/x-isz", filepath.Base(f), got)
		}
	}
	if got := inEnv(t, env, "gio", "mime", "application/x-isz"); !strings.Contains(got, "Default application for “application/x-isz”: iszmount.desktop") {
		t.Errorf("gio mime application/x-isz:\n%s", got)
	}

	// A file manager that writes down what it was asked to open.
	opened := filepath.Join(dir, "opened")
	fm := filepath.Join(dir, "filemanager")
	writeFile(t, fm, 0o755, "#!/bin/sh\necho \"$1\" >>"+opened+"\n")
	writeFile(t, filepath.Join(dir, "home/.local/share/applications/filemanager.desktop"), 0o644,
		"[Desktop Entry]\nType=Application\nName=File manager\nExec="+fm+" %f\nMimeType=inode/directory;\n")
	inEnv(t, env, "xdg-mime", "default", "filemanager.desktop", "inode/directory")

	// Double-click: gio open in a session bus.
	inEnv(t, env, "dbus-run-session", "--", "gio", "open", disc)
	var mp string
	waitFor(t, "the file manager to be opened", func() bool {
		data, _ := os.ReadFile(opened)
		mp = strings.TrimSpace(string(data))
		return mp != ""
	})
	t.Cleanup(func() {
		if _, ok := mountAt(mp); ok {
			syscall.Unmount(mp, syscall.MNT_DETACH)
			t.Errorf("%s still mounted", mp)
		}
	})
	if filepath.Dir(mp) != "/media" || !strings.HasPrefix(filepath.Base(mp), "ISZMOUNT_SAMPLE") {
		t.Errorf("mounted on %s, want /media/ISZMOUNT_SAMPLE (the volume label)", mp)
	}
	if e, ok := mountAt(mp); !ok || e.FSType != "fuse.iszmount" {
		t.Fatalf("the file manager was sent to %s, which is not an iszmount mount (%+v)", mp, e)
	}
	if got, err := os.ReadFile(filepath.Join(mp, "docs/hello.txt")); err != nil || len(got) == 0 {
		t.Errorf("browsing the mount: %v", err)
	}
	if got := inEnv(t, env, "gio", "mount", "-l"); !strings.Contains(got, "-> file://"+mp+"\n") && !strings.HasSuffix(got, "-> file://"+mp) {
		t.Errorf("gio mount -l does not list %s as a drive:\n%s", mp, got)
	}
	pid := daemonOf(mp)
	if cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); pid == 0 || !strings.Contains(string(cmdline), "idle=10m") {
		t.Errorf("the daemon of %s runs without idle=10m: %q", mp, cmdline)
	}

	// iszmount -u IMAGE unmounts it, and the directory is gone when it
	// returns (the daemon's removal of it once raced with the mount below,
	// which makes it again).
	iszmount := filepath.Join(prefix, "bin/iszmount")
	inEnv(t, env, iszmount, "-u", disc)
	if _, ok := mountAt(mp); ok {
		t.Errorf("%s still mounted after iszmount -u", mp)
	}
	if _, err := os.Stat(mp); !os.IsNotExist(err) {
		t.Errorf("%s still there after iszmount -u: %v", mp, err)
	}

	// idle=: a mount of the default form goes away by itself, directory
	// and all.
	mp = inEnv(t, env, iszmount, "-o", "idle=1s", disc)
	if e, ok := mountAt(mp); !ok || e.FSType != "fuse.iszmount" {
		t.Fatalf("iszmount IMAGE printed %q, which is not mounted", mp)
	}
	start := time.Now()
	waitFor(t, "the idle unmount", func() bool { _, ok := mountAt(mp); return !ok })
	waitFor(t, "the mount directory to go", func() bool { _, err := os.Stat(mp); return os.IsNotExist(err) })
	t.Logf("idle=1s mount gone after %v", time.Since(start).Round(100*time.Millisecond))
}

func writeFile(t *testing.T, name string, mode os.FileMode, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

// TestDesktopUser: a user's "iszmount IMAGE" mounts, through fusermount3,
// on ~/Discs/LABEL, which GIO lists as a drive; the user can read it, and
// "iszmount -u IMAGE" unmounts it and removes the directory. The user is
// created for the test; /dev/fuse (0600 on this machine) is opened to all
// only inside a private mount namespace, by a device node bound over it.
func TestDesktopUser(t *testing.T) {
	dir, err := os.MkdirTemp("", "iszmount-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	user := fmt.Sprintf("iszt%d", os.Getpid())
	home := filepath.Join(dir, "home")
	if out, err := exec.Command("useradd", "--create-home", "--home-dir", home, "--shell", "/bin/sh", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", user).Run() })
	data, err := os.ReadFile("../testdata/sample.isz")
	if err != nil {
		t.Fatal(err)
	}
	disc := filepath.Join(dir, "disc.isz")
	writeFile(t, disc, 0o644, string(data))
	devDir := filepath.Join(dir, "dev")
	if err := os.Mkdir(devDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// As the user: mount, read, ask GIO, unmount; one line per fact.
	userScript := fmt.Sprintf(`mp=$(%[1]s %[2]s) || exit 1
echo "mounted $mp"
grep -F " $mp fuse.iszmount " /proc/self/mounts | grep -o "user_id=[0-9]*"
test -s "$mp/docs/hello.txt" && echo readable
gio mount -l | grep -qF -- "-> file://$mp" && echo listed
%[1]s -u %[2]s && echo unmounted
i=0; while [ -e "$mp" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -e "$mp" ] || echo removed
`, bin, disc)
	script := fmt.Sprintf(`set -e
mount -t tmpfs dev %[1]s
mknod -m 666 %[1]s/fuse c 10 229
mount --bind %[1]s/fuse /dev/fuse
exec su -s /bin/sh -c "$1" %[2]s`, devDir, user)
	out, err := exec.Command("unshare", "-m", "sh", "-c", script, "sh", userScript).CombinedOutput()
	if err != nil {
		t.Fatalf("as %s: %v\n%s", user, err, out)
	}
	uid := strings.TrimSpace(inEnv(t, os.Environ(), "id", "-u", user))
	want := fmt.Sprintf("mounted %s/Discs/ISZMOUNT_SAMPLE\nuser_id=%s\nreadable\nlisted\nunmounted\nremoved\n", home, uid)
	// A machine without a syslog socket (this one, CI) adds the daemon's
	// one warning that its log is discarded; nothing else may appear.
	got := strings.Join(slices.DeleteFunc(strings.SplitAfter(string(out), "\n"), func(l string) bool {
		return strings.HasPrefix(l, `level=WARN msg="no syslog socket`)
	}), "")
	if got != want {
		t.Errorf("as %s:\n%s\nwant:\n%s", user, out, want)
	}
}
