package main

import (
	"errors"
	"io/fs"
	"os/exec"
	"syscall"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
)

// Exit codes. They are interface: scripts and the README rely on them, and
// --help and the man page list them (internal/manual holds that table).
// This file is the only place that maps errors to codes.
const (
	exitOK         = 0 // mounted (or --help, --version); after a clean unmount
	exitError      = 1 // anything not listed below
	exitUsage      = 2 // bad command line or -o option
	exitMountPoint = 3 // cannot mount there: missing, not a directory, already mounted, refused by the kernel
	exitImageOpen  = 4 // the image cannot be opened: missing, unreadable
	exitImage      = 5 // the image is not a readable ISZ or ISO 9660 image (corrupt, truncated, unsupported, segment missing)
	exitPassword   = 6 // the image is encrypted and the password is missing or wrong
	exitFUSE       = 7 // FUSE is unavailable or not permitted (no /dev/fuse, no fusermount3, allow_other refused)
)

// exitErr gives an error its exit code; the stage that knows what went wrong
// (opening the image, mounting) wraps its errors with one.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitErr{code, err}
}

// exitCode maps an error to the exit status of the table above.
func exitCode(err error) int {
	var ee *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, isz.ErrNeedPassword), errors.Is(err, isz.ErrPassword):
		return exitPassword
	case errors.Is(err, isz.ErrFormat), errors.Is(err, isz.ErrUnsupported),
		errors.Is(err, isz.ErrTruncated), errors.Is(err, isz.ErrCorrupt),
		errors.Is(err, isz.ErrChecksum), errors.Is(err, isz.ErrSegment),
		errors.Is(err, iso9660view.ErrNotISO9660), errors.Is(err, iso9660view.ErrUDFOnly),
		errors.Is(err, iso9660view.ErrFormat),
		errors.Is(err, iso9660view.ErrUnsupported):
		return exitImage
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EISDIR):
		return exitImageOpen // the mount stage wraps its own errors
	}
	return exitError
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
