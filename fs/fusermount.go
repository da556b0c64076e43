package fs

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// ErrNoFusermount is returned by [FS.Mount] when a mount needs fusermount3
// (not root, or auto_unmount) and there is none: Debian and Ubuntu ship it
// in the package fuse3.
var ErrNoFusermount = errors.New("fusermount3 not found (install the fuse3 package)")

// FusermountError is a failed fusermount3: its exit status and the first
// line it printed (without its "/usr/bin/fusermount3: " prefix).
type FusermountError struct {
	Status int
	Msg    string
}

func (e *FusermountError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("fusermount3 failed with exit status %d", e.Status)
	}
	return fmt.Sprintf("%s (fusermount3 exit status %d)", e.Msg, e.Status)
}

// NoDevice reports whether fusermount3 failed because the user may not
// open /dev/fuse ("failed to open /dev/fuse: ...") or there is none ("fuse
// device not found"): FUSE itself is unavailable, not the mount point at
// fault. fusermount3 says so only in words.
func (e *FusermountError) NoDevice() bool {
	return strings.Contains(e.Msg, "/dev/fuse") || strings.Contains(e.Msg, "fuse device not found")
}

// fusermountBin finds fusermount3 on PATH or in /bin (mount(8) clears PATH).
func fusermountBin() (string, error) {
	for _, p := range []string{"fusermount3", "/bin/fusermount3", "/usr/bin/fusermount3"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin, nil
		}
	}
	return "", ErrNoFusermount
}

// fusermount mounts dir through the setuid helper fusermount3 with the
// options opts and returns the /dev/fuse descriptor it passes back on the
// _FUSE_COMMFD socket. With auto_unmount among opts, fusermount3 does not
// exit: it stays to watch the socket and unmounts dir once the socket
// closes, which happens when this process ends in any way, kill -9
// included; then ctl is our end of the socket, to keep open for the
// mount's life. We run fusermount3 ourselves rather than let go-fuse do it
// to get its message and exit status in one line, and because go-fuse
// waits for it to exit and closes the socket at once.
func fusermount(dir string, opts []string) (fd int, ctl *os.File, err error) {
	bin, err := fusermountBin()
	if err != nil {
		return -1, nil, err
	}
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, os.NewSyscallError("socketpair", err)
	}
	local, remote := os.NewFile(uintptr(pair[0]), "fusermount-ctl"), os.NewFile(uintptr(pair[1]), "fusermount-commfd")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-o", strings.Join(opts, ","), "--", dir)
	cmd.Env = []string{"_FUSE_COMMFD=3", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.ExtraFiles = []*os.File{remote}
	cmd.Stderr = &stderr
	err = cmd.Start()
	remote.Close()
	if err != nil {
		local.Close()
		return -1, nil, err
	}
	fd, rerr := receiveFD(local)
	autoUnmount := false
	for _, o := range opts {
		autoUnmount = autoUnmount || o == "auto_unmount"
	}
	if rerr == nil && autoUnmount {
		go cmd.Wait() // it exits once it has unmounted
		return fd, local, nil
	}
	local.Close()
	werr := cmd.Wait()
	if rerr == nil && werr == nil {
		return fd, nil, nil
	}
	if rerr == nil {
		syscall.Close(fd)
	}
	msg := strings.TrimSpace(stderr.String())
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return -1, nil, &FusermountError{Status: cmd.ProcessState.ExitCode(), Msg: strings.TrimPrefix(msg, bin+": ")}
}

// receiveFD reads the descriptor fusermount3 sends on the socket.
func receiveFD(sock *os.File) (int, error) {
	conn, err := net.FileConn(sock)
	if err != nil {
		return -1, err
	}
	defer conn.Close()
	var data [4]byte
	oob := make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := conn.(*net.UnixConn).ReadMsgUnix(data[:], oob)
	if err != nil {
		return -1, err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return -1, fmt.Errorf("fusermount3 sent no descriptor")
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return -1, fmt.Errorf("fusermount3 sent no descriptor")
	}
	syscall.CloseOnExec(fds[0])
	return fds[0], nil
}

// fusermountUnmount unmounts dir with fusermount3 -u, retrying briefly as
// go-fuse does: the kernel may still count files just closed as open.
func fusermountUnmount(dir string, lazy bool) error {
	bin, err := fusermountBin()
	if err != nil {
		return err
	}
	args := []string{"-u", "--", dir}
	if lazy {
		args = []string{"-u", "-z", "--", dir}
	}
	delay := 5 * time.Millisecond
	for try := 0; ; try++ {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err == nil {
			return nil
		}
		if try == 4 {
			msg := strings.TrimPrefix(strings.TrimSpace(string(out)), bin+": ")
			return &FusermountError{Status: exitStatus(err), Msg: msg}
		}
		time.Sleep(delay)
		delay *= 2
	}
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Server is a mounted file system being served: go-fuse's server, whose
// Unmount goes through fusermount3 when the mount was made by it.
type Server struct {
	*fuse.Server
	dir        string
	fusermount bool
	ctl        *os.File // auto_unmount: fusermount3's socket, open while we live
}

// Unmount unmounts the file system and waits for the serving loop to end.
// A mount on a /dev/fd/N descriptor (made by our caller) cannot be
// unmounted by the server.
func (s *Server) Unmount() error {
	if !s.fusermount {
		return s.Server.Unmount()
	}
	if err := fusermountUnmount(s.dir, false); err != nil {
		return err
	}
	s.Server.Wait()
	if s.ctl != nil {
		s.ctl.Close() // fusermount3 auto_unmount exits
	}
	return nil
}

// Detach unmounts the file system lazily (umount -l): the kernel detaches
// it from the tree at once and ends it when its last open file is closed;
// then the serving loop ends.
func (s *Server) Detach() error { return Unmount(s.dir, true) }

// Unmount unmounts the FUSE mount at dir, lazily (umount -l) if lazy: with
// umount(2) as root, else with fusermount3 -u, which lets a user unmount
// only their own mounts.
func Unmount(dir string, lazy bool) error {
	if os.Geteuid() == 0 {
		flags := 0
		if lazy {
			flags = syscall.MNT_DETACH
		}
		return syscall.Unmount(dir, flags)
	}
	return fusermountUnmount(dir, lazy)
}
