package main

import (
	"errors"
	"os/exec"
	"syscall"

	"github.com/iszmount/iszmount/internal/exitcode"
)

// Exit codes: iszmount follows the policy it shares with isz
// (internal/exitcode, one table in the README and in --help). The names
// below are the codes the stages of a mount use.
const (
	exitOK         = exitcode.OK
	exitError      = exitcode.Failure
	exitUsage      = exitcode.Usage
	exitMountPoint = exitcode.MountPoint
	exitPassword   = exitcode.Password
	exitFUSE       = exitcode.FUSE
)

// withCode gives err the exit code code; the stage that knows what went
// wrong (opening the image, mounting) wraps its errors with it.
func withCode(code int, err error) error { return exitcode.With(code, err) }

// exitCode maps an error to its exit status.
func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return exitUsage
	}
	return exitcode.Of(err)
}

// mountErrCode classifies an error of mount(2) or fusermount3: not being
// allowed to mount at all, or having no fusermount3, is a FUSE problem;
// everything else concerns the mount point.
func mountErrCode(err error) int {
	if errors.Is(err, syscall.EPERM) || errors.Is(err, exec.ErrNotFound) {
		return exitFUSE
	}
	return exitMountPoint
}
