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
		{nil, exitOK},
		{errors.New("something"), exitFailure},
		{&fs.PathError{Op: "open", Path: "x", Err: os.ErrNotExist}, exitFailure}, // a missing IMAGE is an I/O error
		{usagef("bad"), exitUsage},
		{wrap(isz.ErrFormat), exitBadImage},
		{wrap(isz.ErrTruncated), exitBadImage},
		{wrap(isz.ErrSegment), exitBadImage},
		{wrap(iso9660view.ErrFormat), exitBadImage},
		{wrap(iso9660view.ErrNotISO9660), exitBadImage},
		{wrap(&isz.ChunkError{Chunk: 3, Err: isz.ErrChecksum}), exitCorrupt},
		{wrap(&isz.ChunkError{Chunk: 3, Err: isz.ErrCorrupt}), exitCorrupt},
		{wrap(isz.ErrNeedPassword), exitPassword},
		{passwordHint(isz.ErrNeedPassword), exitPassword},
		{wrap(isz.ErrPassword), exitPassword},
		{wrap(isz.ErrUnsupported), exitUnsupported},
		{wrap(iso9660view.ErrUnsupported), exitUnsupported},
		// a UDF-only disc is also "not ISO 9660": the specific answer wins
		{wrap(fmt.Errorf("%w: %w", iso9660view.ErrUDFOnly, iso9660view.ErrNotISO9660)), exitUnsupported},
		{fmt.Errorf("a/b: %w", errNotInImage), exitNotFound},
		{fmt.Errorf("reading: %w", context.Canceled), exitInterrupted},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
