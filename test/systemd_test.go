package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// systemdCache holds the Debian root TestSystemd boots, one per day: made
// once by mmdebstrap (about 20 s), then reused read-only by every run of
// the day (systemd-nspawn --volatile=overlay keeps it unchanged).
const systemdCache = "/var/cache/iszmount-test"

// systemdRoot returns today's root, making it if needed, and removes
// older ones.
func systemdRoot(t *testing.T) string {
	t.Helper()
	if err := os.MkdirAll(systemdCache, 0o755); err != nil {
		t.Fatal(err)
	}
	name := "bookworm-systemd-" + time.Now().UTC().Format("20060102")
	root := filepath.Join(systemdCache, name)
	old, _ := filepath.Glob(filepath.Join(systemdCache, "bookworm-systemd-*"))
	for _, o := range old {
		if o != root && !strings.Contains(filepath.Base(o), ".tmp") {
			os.RemoveAll(o)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "usr/lib/systemd/systemd")); err == nil {
		return root
	}
	tmp := fmt.Sprintf("%s.tmp%d", root, os.Getpid())
	defer os.RemoveAll(tmp)
	start := time.Now()
	out, err := exec.Command("mmdebstrap", "--variant=apt", "--include=systemd,systemd-sysv,fuse3,dbus",
		"bookworm", tmp).CombinedOutput()
	if err != nil {
		t.Fatalf("mmdebstrap: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, root); err != nil && !os.IsExist(err) {
		// A concurrent run may have won the race: use its root.
		if _, serr := os.Stat(root); serr != nil {
			t.Fatal(err)
		}
	}
	t.Logf("built %s with mmdebstrap in %v", root, time.Since(start).Round(time.Second))
	return root
}

// TestSystemd boots a real systemd (Debian bookworm in systemd-nspawn) and
// checks there, with the built binary, what the README says of systemd:
// an fstab line of type fuse.iszmount as mnt-disc.mount (start, the daemon
// in the unit's cgroup, its log in journalctl -u, stop), idle= inside a
// mount unit, and the Type=notify service (active only once mounted, its
// log in the journal, stop unmounts, no daemon left). testdata/systemd/
// check.sh runs in the container as a oneshot unit, writes one line per
// check and powers off. systemd refuses automount units in a container, so
// x-systemd.automount is not tested here.
func TestSystemd(t *testing.T) {
	root := systemdRoot(t)
	dir := t.TempDir()
	stage, result := filepath.Join(dir, "t"), filepath.Join(dir, "result")
	for _, d := range []string{stage, result} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for src, dst := range map[string]string{bin: "iszmount", "../testdata/sample.isz": "sample.isz", "testdata/systemd/check.sh": "check.sh"} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stage, dst), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	unit, err := filepath.Abs("testdata/systemd/iszmount-check.service")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "systemd-nspawn", "-q", "-b", "-D", root,
		"--volatile=overlay", "--register=no", "--keep-unit",
		"--bind=/dev/fuse", "--property=DeviceAllow=/dev/fuse rwm",
		"--bind-ro="+stage+":/opt/t", "--bind="+result+":/result",
		"--bind-ro="+unit+":/etc/systemd/system/iszmount-check.service",
		"systemd.wants=iszmount-check.service")
	start := time.Now()
	console, err := cmd.CombinedOutput()
	took := time.Since(start)
	logText, _ := os.ReadFile(filepath.Join(result, "log"))
	detail, _ := os.ReadFile(filepath.Join(result, "detail"))
	if err != nil || !strings.HasSuffix(string(logText), "DONE\n") {
		t.Errorf("the container did not finish its checks (%v after %v)", err, took.Round(time.Second))
	}
	script, _ := os.ReadFile("testdata/systemd/check.sh")
	want := strings.Count(string(script), "\ncheck \"")
	var passed int
	for _, line := range strings.Split(string(logText), "\n") {
		switch {
		case strings.HasPrefix(line, "ok "):
			passed++
		case strings.HasPrefix(line, "FAIL "):
			t.Error(line)
		}
	}
	if passed != want {
		t.Errorf("%d of %d checks passed", passed, want)
	}
	if t.Failed() {
		t.Logf("checks:\n%s\ncommand output in the container:\n%s\nconsole:\n%s", logText, detail, console)
	}
	t.Logf("booted, checked and powered off in %v", took.Round(100*time.Millisecond))
}
