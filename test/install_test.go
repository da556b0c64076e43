package test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// installed are the files "make install" puts below PREFIX.
var installed = []string{
	"bin/isz",
	"bin/iszmount",
	"share/applications/iszmount.desktop",
	"share/bash-completion/completions/isz",
	"share/bash-completion/completions/iszmount",
	"share/fish/vendor_completions.d/isz.fish",
	"share/fish/vendor_completions.d/iszmount.fish",
	"share/man/man1/isz.1",
	"share/man/man1/iszmount.1",
	"share/mime/packages/iszmount.xml",
	"share/zsh/site-functions/_isz",
	"share/zsh/site-functions/_iszmount",
}

// runMake runs make in the repository with the build directory in the
// test's temporary directory, so nothing is written into the tree.
func runMake(t *testing.T, args ...string) string {
	t.Helper()
	args = append([]string{"-C", "..", "BUILD=" + filepath.Join(work, "make-build")}, args...)
	out, err := exec.Command("make", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("make %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// filesBelow lists the regular files and symlinks below dir, relative to it.
func filesBelow(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) || os.IsPermission(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestInstallMake: "make install" with DESTDIR and PREFIX installs every
// file where it belongs, and "make uninstall" removes them all.
func TestInstallMake(t *testing.T) {
	dest := t.TempDir()
	runMake(t, "install", "DESTDIR="+dest, "PREFIX=/opt/isz")
	got := filesBelow(t, filepath.Join(dest, "opt/isz"))
	if !slices.Equal(got, installed) {
		t.Errorf("make install DESTDIR=... PREFIX=/opt/isz installed\n%q\nwant\n%q", got, installed)
	}
	if left := filesBelow(t, dest); len(left) != len(installed) {
		t.Errorf("files outside DESTDIR/PREFIX: %q", left)
	}
	st, err := os.Stat(filepath.Join(dest, "opt/isz/bin/iszmount"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("bin/iszmount: %v, mode %v", err, st.Mode())
	}
	runMake(t, "uninstall", "DESTDIR="+dest, "PREFIX=/opt/isz")
	if left := filesBelow(t, dest); len(left) > 0 {
		t.Errorf("make uninstall left %q", left)
	}

	// Without DESTDIR, install refreshes the MIME and desktop databases of
	// PREFIX, and uninstall takes the type out again.
	prefix := t.TempDir()
	runMake(t, "install", "PREFIX="+prefix)
	for _, f := range []string{"share/mime/application/x-isz.xml", "share/applications/mimeinfo.cache"} {
		if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
			t.Errorf("make install PREFIX=%s: no %s: %v", prefix, f, err)
		}
	}
	cache, _ := os.ReadFile(filepath.Join(prefix, "share/applications/mimeinfo.cache"))
	if !strings.Contains(string(cache), "application/x-isz=iszmount.desktop;") {
		t.Errorf("mimeinfo.cache after make install:\n%s", cache)
	}
	runMake(t, "uninstall", "PREFIX="+prefix)
	if _, err := os.Stat(filepath.Join(prefix, "share/mime/application/x-isz.xml")); !os.IsNotExist(err) {
		t.Errorf("make uninstall left the MIME type in the database: %v", err)
	}
}

// systemFiles lists the files dpkg -i and --purge may touch.
func systemFiles(t *testing.T) []string {
	var all []string
	for _, dir := range []string{"/usr", "/etc", "/var/lib/dpkg/info"} {
		for _, f := range filesBelow(t, dir) {
			all = append(all, filepath.Join(dir, f))
		}
	}
	slices.Sort(all)
	return all
}

// TestInstallDeb builds the Debian package (make deb), installs it with
// dpkg -i, mounts through the installed files (mount -t fuse.iszmount runs
// /usr/bin/iszmount), finds the man pages with man -w, then purges the
// package and checks the system has exactly the files it had before.
func TestInstallDeb(t *testing.T) {
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "iszmount").CombinedOutput(); err == nil && strings.Contains(string(out), "installed") {
		t.Fatalf("the iszmount package is installed already (%s): dpkg --purge iszmount first", out)
	}
	dist := t.TempDir()
	runMake(t, "deb", "DIST="+dist)
	debs, _ := filepath.Glob(filepath.Join(dist, "iszmount_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb made %q", debs)
	}
	info, err := exec.Command("dpkg-deb", "--field", debs[0], "Package", "Depends").Output()
	if err != nil || string(info) != "Package: iszmount\nDepends: fuse3\n" {
		t.Errorf("dpkg-deb --field: %v: %q", err, info)
	}
	contents, err := exec.Command("dpkg-deb", "--contents", debs[0]).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range installed {
		f = strings.Replace("./usr/"+f, "zsh/site-functions", "zsh/vendor-completions", 1)
		if strings.HasSuffix(f, ".1") {
			f += ".gz" // Debian compresses man pages
		}
		if !strings.Contains(string(contents), " "+f+"\n") {
			t.Errorf("the package lacks %s", f)
		}
	}

	before := systemFiles(t)
	t.Cleanup(func() { exec.Command("dpkg", "--purge", "iszmount").Run() })
	if out, err := exec.Command("dpkg", "-i", debs[0]).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -i: %v\n%s", err, out)
	}

	// man finds the installed pages.
	for _, page := range []string{"iszmount", "isz"} {
		out, err := exec.Command("man", "-w", page).CombinedOutput()
		if want := "/usr/share/man/man1/" + page + ".1.gz"; err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("man -w %s: %v: %q, want %s", page, err, out, want)
		}
	}
	// postinst made the MIME type and the desktop entry known.
	if _, err := os.Stat("/usr/share/mime/application/x-isz.xml"); err != nil {
		t.Errorf("MIME database: %v", err)
	}
	if cache, _ := os.ReadFile("/usr/share/applications/mimeinfo.cache"); !strings.Contains(string(cache), "application/x-isz=iszmount.desktop;") {
		t.Errorf("/usr/share/applications/mimeinfo.cache lacks application/x-isz")
	}

	// mount(8) finds /usr/bin/iszmount through mount.fuse3.
	sample, _ := filepath.Abs("../testdata/sample.isz")
	mp := newMountPoint(t)
	if out, err := exec.Command("mount", "-t", "fuse.iszmount", sample, mp, "-o", "ro").CombinedOutput(); err != nil {
		t.Fatalf("mount -t fuse.iszmount: %v\n%s", err, out)
	}
	e, ok := mountAt(mp)
	if !ok || e.FSType != "fuse.iszmount" {
		t.Fatalf("mount -t fuse.iszmount exited 0, but %s shows %+v", mp, e)
	}
	pid := daemonOf(mp)
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe != "/usr/bin/iszmount" {
		t.Errorf("the mount is served by %q, want /usr/bin/iszmount", exe)
	}
	data, err := os.ReadFile(filepath.Join(mp, "docs/hello.txt"))
	if err != nil || len(data) == 0 {
		t.Errorf("reading the mount: %v (%d bytes)", err, len(data))
	}
	if err := syscall.Unmount(mp, 0); err != nil {
		t.Fatalf("umount: %v", err)
	}
	if pid == 0 {
		t.Errorf("no /usr/bin/iszmount process served the mount")
	} else if _, ok := reap(pid, 10*time.Second); !ok {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("/usr/bin/iszmount still running after the unmount")
	}

	if out, err := exec.Command("dpkg", "--purge", "iszmount").CombinedOutput(); err != nil {
		t.Fatalf("dpkg --purge: %v\n%s", err, out)
	}
	after := systemFiles(t)
	for _, f := range after {
		if _, found := slices.BinarySearch(before, f); !found {
			t.Errorf("left after the purge: %s", f)
		}
	}
	for _, f := range before {
		if _, found := slices.BinarySearch(after, f); !found {
			t.Errorf("gone after install and purge: %s", f)
		}
	}
	for _, f := range after {
		if strings.Contains(f, "iszmount") {
			t.Errorf("left after the purge: %s", f)
		}
	}
}

// daemonOf is the iszmount process (whichever binary) serving mount
// point mp, whose command line ends with it, or 0.
func daemonOf(mp string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		if err == nil && filepath.Base(argv0) == "iszmount" && strings.HasSuffix(string(cmdline), "\x00"+mp+"\x00") {
			return pid
		}
	}
	return 0
}
