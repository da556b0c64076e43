package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/iszmount/iszmount/internal/mountinfo"
)

// A mount is one file system the harness mounted: a FUSE server it runs in
// the foreground as its own child (so it knows the pid, reads its peak RSS,
// and can kill it), or a kernel mount (squashfs on a loop device, tmpfs).
type mount struct {
	tool  string // the tool's name in the report
	dir   string
	pid   int           // the FUSE server; 0 for kernel mounts
	done  chan struct{} // closed when the server has exited
	werr  error         // the server's exit status (children only), valid after done
	ready time.Duration // from start to the first successful readdir of the root
	stder *bytes.Buffer
}

// mounts is the registry of everything mounted and not yet unmounted. The
// harness's cleanup, run on every exit path (error, panic, SIGINT, SIGTERM),
// unmounts what is left in it.
type mounts struct {
	mu   sync.Mutex
	live map[string]*mount
}

func newMounts() *mounts { return &mounts{live: map[string]*mount{}} }

// readyTimeout bounds how long a tool may take to mount.
const readyTimeout = 30 * time.Second

// startFUSE runs argv (a FUSE server told to stay in the foreground) and
// waits until dir is a mount point whose root can be listed. The pid is the
// server's, in its own process group so a terminal's Ctrl-C reaches only the
// harness, which then unmounts in order.
func (ms *mounts) startFUSE(tool, dir string, argv ...string) (*mount, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &mount{tool: tool, dir: dir, done: make(chan struct{}), stder: &bytes.Buffer{}}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = m.stder
	cmd.Stderr = m.stder
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err)
	}
	m.pid = cmd.Process.Pid
	ms.add(m)
	go func() { m.werr = cmd.Wait(); close(m.done) }()
	if err := waitReady(m, start); err != nil {
		ms.unmount(m)
		return nil, fmt.Errorf("%s did not mount %s: %w\n%s", tool, dir, err, m.stder.String())
	}
	return m, nil
}

// mountKernel runs mount(8) with args ending in the mount point dir.
func (ms *mounts) mountKernel(tool, dir string, args ...string) (*mount, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &mount{tool: tool, dir: dir}
	start := time.Now()
	if out, err := exec.Command("mount", append(args, dir)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: mount %s: %v: %s", tool, strings.Join(args, " "), err, out)
	}
	ms.add(m)
	if _, err := os.ReadDir(dir); err != nil {
		ms.unmount(m)
		return nil, fmt.Errorf("%s: listing %s: %w", tool, dir, err)
	}
	m.ready = time.Since(start)
	return m, nil
}

// adoptDaemon registers a FUSE server that daemonized itself (so it is not
// the harness's child): it is found by its command line, which names dir,
// and watched through /proc until it exits.
func (ms *mounts) adoptDaemon(tool, dir string) (*mount, error) {
	m := &mount{tool: tool, dir: dir, done: make(chan struct{})}
	ms.add(m)
	pid, err := pidByArg(dir)
	if err != nil {
		return m, err
	}
	m.pid = pid
	go func() {
		for syscall.Kill(pid, 0) == nil {
			time.Sleep(10 * time.Millisecond)
		}
		close(m.done)
	}()
	return m, nil
}

// pidByArg finds the one process (other than the harness) whose argv holds arg.
func pidByArg(arg string) (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var found []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for _, a := range bytes.Split(cmdline, []byte{0}) {
			if string(a) == arg {
				found = append(found, pid)
				break
			}
		}
	}
	if len(found) != 1 {
		return 0, fmt.Errorf("want one process with argument %s, found %v", arg, found)
	}
	return found[0], nil
}

func (ms *mounts) add(m *mount) {
	ms.mu.Lock()
	ms.live[m.dir] = m
	ms.mu.Unlock()
}

// waitReady polls until m.dir appears in the mount table and its root lists,
// or the server exits, or readyTimeout passes.
func waitReady(m *mount, start time.Time) error {
	deadline := start.Add(readyTimeout)
	for {
		select {
		case <-m.done:
			return fmt.Errorf("exited early: %v", m.werr)
		default:
		}
		if ok, err := isMountPoint(m.dir); err != nil {
			return err
		} else if ok {
			if _, err := os.ReadDir(m.dir); err == nil {
				m.ready = time.Since(start)
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(500 * time.Microsecond)
	}
}

// unmount unmounts m and, for a FUSE server, waits for it to exit (SIGTERM,
// then SIGKILL to its pid if it lingers). A busy mount is detached lazily so
// the harness never leaves one behind. The error reports only what could
// not be cleaned up.
func (ms *mounts) unmount(m *mount) error {
	ms.mu.Lock()
	delete(ms.live, m.dir)
	ms.mu.Unlock()
	var errs []error
	if err := umountDir(m.dir, m.pid != 0); err != nil {
		errs = append(errs, err)
	}
	if m.pid != 0 {
		select {
		case <-m.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(m.pid, syscall.SIGTERM)
			select {
			case <-m.done:
			case <-time.After(3 * time.Second):
				_ = syscall.Kill(m.pid, syscall.SIGKILL)
				<-m.done
				errs = append(errs, fmt.Errorf("%s (pid %d) had to be killed after unmount", m.tool, m.pid))
			}
		}
	}
	return errors.Join(errs...)
}

// umountDir unmounts dir, retrying while it is busy, then lazily.
func umountDir(dir string, fuse bool) error {
	var last []byte
	for i := 0; i < 20; i++ {
		var cmd *exec.Cmd
		if fuse {
			cmd = exec.Command("fusermount3", "-u", "-q", dir)
		} else {
			cmd = exec.Command("umount", dir)
		}
		out, err := cmd.CombinedOutput()
		if err == nil {
			return nil
		}
		last = out
		if ok, _ := isMountPoint(dir); !ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("cannot unmount %s: %s / %s", dir, bytes.TrimSpace(last), bytes.TrimSpace(out))
	}
	return fmt.Errorf("%s was busy and was detached lazily: %s", dir, bytes.TrimSpace(last))
}

// cleanup unmounts everything still registered. It is safe to call more
// than once and from a signal handler's goroutine.
func (ms *mounts) cleanup() error {
	ms.mu.Lock()
	left := make([]*mount, 0, len(ms.live))
	for _, m := range ms.live {
		left = append(left, m)
	}
	ms.mu.Unlock()
	var errs []error
	for _, m := range left {
		if err := ms.unmount(m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// peakRSS reads the server's high-water resident set size (VmHWM) from
// /proc; zero for kernel mounts.
func (m *mount) peakRSS() int64 { return m.statusBytes("VmHWM:") }

// rss reads the server's resident set size now (VmRSS); zero for kernel
// mounts.
func (m *mount) rss() int64 { return m.statusBytes("VmRSS:") }

func (m *mount) statusBytes(field string) int64 {
	if m.pid == 0 {
		return 0
	}
	return procStatusFileKB(fmt.Sprintf("/proc/%d/status", m.pid), field) * 1024
}

// procStatusFileKB reads a "Field:  123 kB" line of a /proc status-like file.
func procStatusFileKB(path, field string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// mountPoints lists the mount points in /proc/self/mountinfo, unescaped.
func mountPoints() ([]string, error) {
	mounts, err := mountinfo.Read()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range mounts {
		out = append(out, m.Point)
	}
	return out, nil
}

func isMountPoint(dir string) (bool, error) {
	mps, err := mountPoints()
	if err != nil {
		return false, err
	}
	for _, mp := range mps {
		if mp == dir {
			return true, nil
		}
	}
	return false, nil
}

// sweepStale unmounts whatever an earlier, killed run of the harness left
// mounted under root (deepest first) and reports what it found.
func sweepStale(root string) ([]string, error) {
	mps, err := mountPoints()
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, mp := range mps {
		if mp == root || strings.HasPrefix(mp, root+string(filepath.Separator)) {
			stale = append(stale, mp)
		}
	}
	// Deepest first, so nested mounts come off before their parents.
	for i := len(stale) - 1; i >= 0; i-- {
		if err := umountDir(stale[i], true); err != nil {
			if err2 := umountDir(stale[i], false); err2 != nil {
				return stale, err
			}
		}
	}
	return stale, nil
}

// run runs a command to completion, killing its whole process group if ctx
// ends, and returns its stdout; a failure includes its stderr.
func run(ctx context.Context, dir string, argv ...string) ([]byte, error) {
	cmd := command(ctx, argv...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, lastLines(stderr.String(), 5))
	}
	return stdout.Bytes(), nil
}

// command is exec.CommandContext whose cancellation kills the process group
// (a shell pipeline's every member), not only the direct child.
func command(ctx context.Context, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dropCaches writes back dirty pages and empties the kernel's page, dentry
// and inode caches, so the next read comes from the disk (and, for a FUSE
// file system, through its server).
func dropCaches() error {
	syscall.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0)
}
