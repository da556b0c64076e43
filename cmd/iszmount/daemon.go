package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ifs "github.com/iszmount/iszmount/fs"
	"github.com/iszmount/iszmount/internal/cliutil"
)

// notifyEnv names the environment variable that tells a daemon child which
// descriptor to report readiness on.
const notifyEnv = "_ISZMOUNT_NOTIFY_FD"

// readyMsg is what the child writes on the notify pipe once mounted.
const readyMsg = "ready"

// daemonize runs the mount in a child process, detached in its own session,
// and returns the exit status the caller (a shell, mount(8), systemd) gets:
// 0 once the kernel has accepted the mount, or the child's exit status
// after its error message (the child's stderr is copied to ours until then).
func daemonize(cfg *config) int {
	password, err := cliutil.ImagePassword(cfg.image, cfg.password, cfg.passfile)
	if err != nil {
		return fail(withCode(exitPassword, err))
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	image, err := filepath.Abs(cfg.image)
	if err != nil {
		return fail(err)
	}
	mp := cfg.mountPoint
	if !ifs.IsDevFD(mp) {
		if mp, err = filepath.Abs(mp); err != nil {
			return fail(err)
		}
	}
	notifyR, notifyW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	defer notifyR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	defer errR.Close()

	cmd := exec.Command(exe, cfg.childArgs(image, mp)...)
	cmd.Stderr = errW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// A /dev/fd/N mount point must stay descriptor N in the child.
	if ifs.IsDevFD(mp) {
		n, _ := strconv.Atoi(filepath.Base(mp))
		if n >= 3 {
			cmd.ExtraFiles = make([]*os.File, n-2)
			cmd.ExtraFiles[n-3] = os.NewFile(uintptr(n), mp)
		}
	}
	notifyFD := 3 + len(cmd.ExtraFiles)
	for i, f := range cmd.ExtraFiles {
		if f == nil {
			notifyFD = 3 + i
			break
		}
	}
	if notifyFD == 3+len(cmd.ExtraFiles) {
		cmd.ExtraFiles = append(cmd.ExtraFiles, notifyW)
	} else {
		cmd.ExtraFiles[notifyFD-3] = notifyW
	}
	cmd.Env = append(childEnv(os.Environ()), notifyEnv+"="+strconv.Itoa(notifyFD))
	if password != "" {
		cmd.Env = append(cmd.Env, cliutil.PasswordEnv+"="+password)
	}
	// A signal to us while the child starts (Ctrl-C on a mount that hangs
	// opening a FIFO, say) goes to the child too: it runs in its own
	// session, and would be left behind, blocked, with no one waiting.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	notifyW.Close()
	errW.Close()
	started := make(chan struct{})
	defer close(started)
	go func() {
		for {
			select {
			case sig := <-sigs:
				cmd.Process.Signal(sig)
			case <-started:
				return
			}
		}
	}()

	copied := make(chan struct{})
	go func() {
		io.Copy(os.Stderr, errR)
		close(copied)
	}()
	msg, _ := io.ReadAll(notifyR)
	if string(msg) == readyMsg {
		// The child closes its stderr right after; wait for the last of
		// its messages, but not forever.
		select {
		case <-copied:
		case <-time.After(2 * time.Second):
		}
		cmd.Process.Release()
		return exitOK
	}
	cmd.Wait()
	<-copied
	if code := cmd.ProcessState.ExitCode(); code > 0 {
		return code
	}
	fmt.Fprintf(os.Stderr, "iszmount: the mount process ended before mounting (%v)\n", cmd.ProcessState)
	return exitError
}

// childEnv is our environment without the variables daemonize sets itself.
func childEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, notifyEnv+"=") && !strings.HasPrefix(kv, cliutil.PasswordEnv+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// daemonChild prepares a process started by daemonize: it takes the notify
// descriptor and moves to / so it keeps no directory busy. It returns the
// notify file, or nil when this process is not a daemon child.
func daemonChild() (*os.File, error) {
	v, ok := os.LookupEnv(notifyEnv)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(notifyEnv)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("bad %s=%q", notifyEnv, v)
	}
	syscall.CloseOnExec(fd)
	if err := os.Chdir("/"); err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "notify"), nil
}

// detachStdio points descriptors 0, 1 and 2 at /dev/null, so that the
// daemon holds no pipe or terminal of the process that started it (a shell's
// $(...) or mount(8) would otherwise wait for the daemon to exit).
func detachStdio() error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	for fd := 0; fd <= 2; fd++ {
		if err := syscall.Dup3(int(null.Fd()), fd, 0); err != nil {
			return err
		}
	}
	return nil
}
