package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/iszmount/iszmount/internal/exitcode"
	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
)

func writeFile(name, text string) error { return os.WriteFile(name, []byte(text), 0o644) }

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("surprise"), exitError},
		{usageErr("bad"), exitUsage},
		{fmt.Errorf("x: %w", isz.ErrNeedPassword), exitPassword},
		{fmt.Errorf("x: %w", isz.ErrPassword), exitPassword},
		{fmt.Errorf("x: %w", isz.ErrFormat), exitcode.BadImage},
		{&isz.ChunkError{Chunk: 1, Err: isz.ErrCorrupt}, exitcode.Corrupt},
		{fmt.Errorf("x: %w", isz.ErrSegment), exitcode.BadImage},
		{fmt.Errorf("x: %w", iso9660view.ErrUDFOnly), exitcode.BadImage},
		{&fs.PathError{Op: "open", Path: "x", Err: syscall.ENOENT}, exitError},
		{withCode(exitMountPoint, &fs.PathError{Op: "stat", Path: "m", Err: syscall.ENOENT}), exitMountPoint},
		{withCode(mountErrCode(syscall.EPERM), syscall.EPERM), exitFUSE},
		{withCode(mountErrCode(exec.ErrNotFound), exec.ErrNotFound), exitFUSE},
		{withCode(mountErrCode(syscall.ENOTDIR), syscall.ENOTDIR), exitMountPoint},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
