package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
)

func TestExitCode(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("img.isz: %w", err) }
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitcode.OK},
		{errors.New("something"), exitcode.Failure},
		{&fs.PathError{Op: "open", Path: "x", Err: os.ErrNotExist}, exitcode.Failure}, // a missing IMAGE is an I/O error
		{usagef("bad"), exitcode.Usage},
		{wrap(isz.ErrFormat), exitcode.BadImage},
		{wrap(isz.ErrTruncated), exitcode.BadImage},
		{wrap(isz.ErrSegment), exitcode.BadImage},
		{wrap(iso9660view.ErrFormat), exitcode.BadImage},
		{wrap(iso9660view.ErrNotISO9660), exitcode.BadImage},
		{wrap(&isz.ChunkError{Chunk: 3, Err: isz.ErrChecksum}), exitcode.Corrupt},
		{wrap(&isz.ChunkError{Chunk: 3, Err: isz.ErrCorrupt}), exitcode.Corrupt},
		{wrap(isz.ErrNeedPassword), exitcode.Password},
		{passwordHint(isz.ErrNeedPassword), exitcode.Password},
		{wrap(isz.ErrPassword), exitcode.Password},
		{wrap(isz.ErrUnsupported), exitcode.Unsupported},
		{wrap(iso9660view.ErrUnsupported), exitcode.Unsupported},
		// a UDF-only disc is also "not ISO 9660": the specific answer wins
		{wrap(fmt.Errorf("%w: %w", iso9660view.ErrUDFOnly, iso9660view.ErrNotISO9660)), exitcode.Unsupported},
		{fmt.Errorf("a/b: %w", errNotInImage), exitcode.NotFound},
		{fmt.Errorf("reading: %w", context.Canceled), exitcode.Interrupted},
	}
	for _, tt := range tests {
		if got := exitcode.Of(tt.err); got != tt.want {
			t.Errorf("exitcode.Of(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
