package exitcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, OK},
		{errors.New("surprise"), Failure},
		{os.ErrNotExist, Failure},
		{fmt.Errorf("x: %w", ErrUsage), Usage},
		{fmt.Errorf("x: %w", context.Canceled), Interrupted},
		{fmt.Errorf("x: %w", isz.ErrNeedPassword), Password},
		{fmt.Errorf("x: %w", isz.ErrPassword), Password},
		{fmt.Errorf("x: %w", isz.ErrFormat), BadImage},
		{fmt.Errorf("x: %w", isz.ErrTruncated), BadImage},
		{fmt.Errorf("x: %w", isz.ErrSegment), BadImage},
		{fmt.Errorf("x: %w", iso9660view.ErrNotISO9660), BadImage},
		{&isz.ChunkError{Chunk: 1, Err: isz.ErrCorrupt}, Corrupt},
		{fmt.Errorf("x: %w", isz.ErrChecksum), Corrupt},
		{fmt.Errorf("x: %w", iso9660view.ErrUDFOnly), BadImage}, // fs=iso9660 on a UDF-only disc
		{fmt.Errorf("x: %w", udfview.ErrNotUDF), BadImage},
		{fmt.Errorf("x: %w", udfview.ErrFormat), BadImage},
		{fmt.Errorf("x: %w", udfview.ErrUnsupported), Unsupported},
		{fmt.Errorf("x: %w", disc.ErrTreeShape), BadImage},
		{fmt.Errorf("x: %w", isz.ErrUnsupported), Unsupported},
		{With(MountPoint, os.ErrNotExist), MountPoint},
		{fmt.Errorf("outer: %w", With(FUSE, isz.ErrFormat)), FUSE}, // the stage's code wins
		{With(NotFound, nil), OK},
	} {
		if got := Of(tc.err); got != tc.want {
			t.Errorf("Of(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestTable: every code appears once, and every constant is in the table.
func TestTable(t *testing.T) {
	seen := map[int]bool{}
	for _, row := range Table {
		if seen[row.Code] {
			t.Errorf("code %d twice", row.Code)
		}
		seen[row.Code] = true
	}
	for _, c := range []int{OK, Failure, Usage, BadImage, Corrupt, Password, Unsupported, FUSE, MountPoint, NotFound, Interrupted} {
		if !seen[c] {
			t.Errorf("code %d missing from Table", c)
		}
	}
	if s := Sorted(); len(s) != len(Table) || !slices.IsSortedFunc(s, func(a, b Row) int { return a.Code - b.Code }) {
		t.Errorf("Sorted() = %v", s)
	}
}

// TestREADME: the README's exit-code table is Markdown(), so the
// documentation cannot drift from the code.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), Markdown()) {
		t.Errorf("README.md lacks the exit-code table; paste this:\n%s", Markdown())
	}
}
