package test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/fs"
	"github.com/iszmount/iszmount/internal/mountinfo"
	"github.com/iszmount/iszmount/internal/testutil"
)

// Set up by TestMain.
var (
	work   string // temporary directory of the whole run
	binDir string // holds iszmount (and iszmount-race)
	bin    string // the iszmount binary
	binRac string // the same, built with -race
	iszBin string // the isz command
	fx     *fixtures
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "the end-to-end tests mount file systems: run them as root (CI does)")
		return 1
	}
	for _, tool := range []string{"xorriso", "mount.fuse3", "fusermount3", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "missing %s: apt-get install fuse3 xorriso util-linux\n", tool)
			return 1
		}
	}
	// Daemons detach from their parent; as a subreaper this process adopts
	// them, so their exit can be waited for.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "prctl:", err)
		return 1
	}
	var err error
	if work, err = os.MkdirTemp("", "iszmount-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(work)
	// Readable by all: one test runs the binary as nobody.
	if err := os.Chmod(work, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = filepath.Join(work, "bin")
	bin = filepath.Join(binDir, "iszmount")
	binRac = filepath.Join(binDir, "iszmount-race")
	iszBin = filepath.Join(binDir, "isz")

	// Build the binaries while the fixtures are made.
	var wg sync.WaitGroup
	var buildErr [3]error
	for i, b := range []struct {
		out   string
		flags []string
		pkg   string
	}{{bin, nil, "../cmd/iszmount"}, {binRac, []string{"-race"}, "../cmd/iszmount"}, {iszBin, nil, "../cmd/isz"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"build", "-o", b.out}, b.flags...)
			out, err := exec.Command("go", append(args, b.pkg)...).CombinedOutput()
			if err != nil {
				buildErr[i] = fmt.Errorf("go build %v: %v\n%s", b.flags, err, out)
			}
		}()
	}
	fx, err = makeFixtures(filepath.Join(work, "fx"))
	wg.Wait()
	for _, e := range append(buildErr[:], err) {
		if e != nil {
			fmt.Fprintln(os.Stderr, e)
			return 1
		}
	}

	code := m.Run()
	if left := leftovers(); left != "" {
		fmt.Fprintf(os.Stderr, "FAIL: left behind after the tests:\n%s", left)
		code = 1
	}
	return code
}

// leftovers reports mounts under the work directory and live processes of
// the built binaries, and removes both, so that a failed run leaves nothing.
func leftovers() string {
	var b strings.Builder
	for _, m := range mountsUnder(work) {
		fmt.Fprintf(&b, "mount %s\n", m)
		unix.Unmount(m, unix.MNT_DETACH)
	}
	for _, p := range ourProcesses() {
		fmt.Fprintf(&b, "process %d\n", p)
		syscall.Kill(p, syscall.SIGKILL)
		reap(p, 2*time.Second)
	}
	return b.String()
}

// mountsUnder lists the mount points at or below dir, topmost last.
func mountsUnder(dir string) []string {
	var out []string
	for _, m := range readMountinfo() {
		if m.Point == dir || strings.HasPrefix(m.Point, dir+"/") {
			out = append(out, m.Point)
		}
	}
	return out
}

// readMountinfo lists the mounts this process sees.
func readMountinfo() []mountinfo.Mount {
	mounts, err := mountinfo.Read()
	if err != nil {
		panic(err)
	}
	return mounts
}

// mountAt returns the topmost mount at dir, if any.
func mountAt(dir string) (mountinfo.Mount, bool) {
	return mountinfo.At(readMountinfo(), dir)
}

// ourProcesses lists live (not zombie) processes running a built binary.
func ourProcesses() []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil || !strings.HasPrefix(exe, binDir+"/") {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// daemonFor finds the process serving mount point mp: a built binary whose
// command line names mp.
func daemonFor(mp string) int {
	for _, pid := range ourProcesses() {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && bytes.HasSuffix(cmdline, []byte("\x00"+mp+"\x00")) {
			return pid
		}
	}
	return 0
}

// reap waits up to d for process pid (our child or adopted) to exit and
// returns its wait status; ok is false if it is still running.
func reap(pid int, d time.Duration) (ws unix.WaitStatus, ok bool) {
	deadline := time.Now().Add(d)
	for {
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if got == pid {
			return ws, true
		}
		if err != nil { // not our child (any more): wait for it to vanish
			if _, serr := os.Stat(fmt.Sprintf("/proc/%d", pid)); serr != nil {
				return ws, true
			}
		}
		if time.Now().After(deadline) {
			return ws, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := bytes.Cut(stat, []byte(") "))
	return len(rest) > 0 && rest[0] != 'Z'
}

// mnt is one live mount made by a test.
type mnt struct {
	dir string
	pid int    // the serving process
	log string // its logfile= (daemon mode), or "" when it logs to out
	out *testutil.SyncBuffer
}

// newMountPoint makes an empty directory for a mount.
func newMountPoint(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mountDaemon runs "BINARY IMAGE MOUNTPOINT -o opts" (daemon mode), which
// must exit 0 with the mount live, and registers the unmount.
func mountDaemon(t *testing.T, binary, image string, opts ...string) *mnt {
	t.Helper()
	m := &mnt{dir: newMountPoint(t)}
	m.log = filepath.Join(t.TempDir(), "iszmount.log")
	// Escape the path as mount.fuse3 would: test names may hold commas.
	logOpt := "logfile=" + strings.NewReplacer(`\`, `\\`, ",", `\,`).Replace(m.log)
	args := []string{image, m.dir, "-o", strings.Join(append(opts, logOpt), ",")}
	out, err := exec.Command(binary, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("iszmount %q: %v\n%s", args, err, out)
	}
	if e, ok := mountAt(m.dir); !ok || e.FSType != "fuse.iszmount" {
		t.Fatalf("iszmount exited 0 but %s is not mounted (%+v)", m.dir, e)
	}
	if m.pid = daemonFor(m.dir); m.pid == 0 {
		t.Fatalf("no daemon process serves %s", m.dir)
	}
	checkReadAhead(t, m.dir)
	t.Cleanup(func() { m.unmount(t) })
	return m
}

// mountForeground runs "BINARY -f IMAGE MOUNTPOINT -o opts" with
// NOTIFY_SOCKET set, waits for READY=1 and checks that the mount was live by
// then; cleanup stops it with SIGTERM, which must end it with status 0.
func mountForeground(t *testing.T, binary, image string, opts ...string) *mnt {
	t.Helper()
	m := &mnt{dir: newMountPoint(t), out: new(testutil.SyncBuffer)}
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(conn)
	if err := unix.Bind(conn, &unix.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	args := []string{"-f", image, m.dir}
	if len(opts) > 0 {
		args = append(args, "-o", strings.Join(opts, ","))
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	cmd.Stdout, cmd.Stderr = m.out, m.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m.pid = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ready := make(chan string, 1)
	go func() {
		buf := make([]byte, 256)
		n, _, err := unix.Recvfrom(conn, buf, 0)
		if err == nil {
			_, live := mountAt(m.dir)
			ready <- fmt.Sprintf("%s live=%v", buf[:n], live)
		}
	}()
	select {
	case msg := <-ready:
		if msg != "READY=1 live=true" {
			t.Fatalf("notification %q, want READY=1 with the mount live", msg)
		}
		checkReadAhead(t, m.dir)
	case err := <-exited:
		t.Fatalf("iszmount -f exited before READY=1: %v\n%s", err, m.out)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no READY=1 within 30s\n%s", m.out)
	}
	t.Cleanup(func() {
		if _, ok := mountAt(m.dir); ok {
			cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("iszmount -f after SIGTERM: %v\n%s", err, m.out)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("iszmount -f still running 10s after SIGTERM\n%s", m.out)
		}
		if _, ok := mountAt(m.dir); ok {
			unix.Unmount(m.dir, unix.MNT_DETACH)
			t.Errorf("%s still mounted after iszmount -f exited", m.dir)
		}
	})
	return m
}

// checkReadAhead checks that the mount at dir, live and mounted by root,
// has the readahead fs.Mount gives it rather than the kernel's 128 KiB.
func checkReadAhead(t *testing.T, dir string) {
	t.Helper()
	e, _ := mountAt(dir)
	data, err := os.ReadFile("/sys/class/bdi/" + e.Dev() + "/read_ahead_kb")
	if err != nil {
		t.Fatalf("readahead of %s: %v", dir, err)
	}
	if got, want := strings.TrimSpace(string(data)), strconv.Itoa(fs.ReadAhead>>10); got != want {
		t.Errorf("read_ahead_kb of %s (bdi %s) is %s, want %s", dir, e.Dev(), got, want)
	}
}

// unmount unmounts a daemon-mode mount and checks that the mount and its
// daemon are gone; it is idempotent.
func (m *mnt) unmount(t *testing.T) {
	t.Helper()
	if _, ok := mountAt(m.dir); ok {
		if err := unix.Unmount(m.dir, 0); err != nil {
			t.Errorf("umount %s: %v", m.dir, err)
			unix.Unmount(m.dir, unix.MNT_DETACH)
		}
	}
	if _, ok := reap(m.pid, 10*time.Second); !ok {
		syscall.Kill(m.pid, syscall.SIGKILL)
		reap(m.pid, 2*time.Second)
		t.Errorf("daemon %d still running after the unmount of %s", m.pid, m.dir)
	}
	if _, ok := mountAt(m.dir); ok {
		unix.Unmount(m.dir, unix.MNT_DETACH)
		t.Errorf("%s still mounted", m.dir)
	}
	if t.Failed() && m.log != "" {
		if data, err := os.ReadFile(m.log); err == nil && len(data) > 0 {
			t.Logf("log of the daemon of %s:\n%s", m.dir, data)
		}
	}
}

// logText is what the mount's process has logged so far.
func (m *mnt) logText() string {
	if m.out != nil {
		return m.out.String()
	}
	data, _ := os.ReadFile(m.log)
	return string(data)
}

// runStatus runs the binary and returns its exit status and output.
func runStatus(t *testing.T, binary string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("%s %q: %v", binary, args, err)
		}
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
