package discfs

import (
	"errors"
	"fmt"
	"testing"
)

var errFmt = errors.New("xview: malformed file system")

// fmtError has the shape of a reader's FormatError.
type fmtError struct {
	Offset int64
	Path   string
	What   string
}

func (e *fmtError) Error() string { return FormatMessage(errFmt, e.What, e.Path, e.Offset, 2048) }

func TestFormatMessage(t *testing.T) {
	for _, tc := range []struct {
		what, path string
		off, ss    int64
		want       string
	}{
		{"bad", "", -1, 2048, "xview: malformed file system: bad"},
		{"bad", "", 0, 2048, "xview: malformed file system: bad at byte 0 (sector 0)"},
		{"bad", "a/b", 4097, 2048, `xview: malformed file system: bad in "/a/b" at byte 4097 (sector 2)`},
		{"bad", "a\"b", 4097, 0, `xview: malformed file system: bad in "/a\"b" at byte 4097`},
	} {
		if got := FormatMessage(errFmt, tc.what, tc.path, tc.off, tc.ss); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	if QuotePath("") != `"/"` || QuotePath("a/b") != `"/a/b"` {
		t.Errorf("QuotePath: %s %s", QuotePath(""), QuotePath("a/b"))
	}
}

func TestWithPath(t *testing.T) {
	pathOf := func(e *fmtError) *string { return &e.Path }
	orig := &fmtError{Offset: 5, What: "bad"}
	wrapped := fmt.Errorf("context: %w", orig)
	got := WithPath(wrapped, "d/f", pathOf)
	var fe *fmtError
	if !errors.As(got, &fe) || fe.Path != "d/f" || fe.Offset != 5 || fe.What != "bad" {
		t.Fatalf("WithPath = %v", got)
	}
	if orig.Path != "" {
		t.Error("WithPath changed the original error")
	}
	// A path already there stays; other errors pass through as they are.
	if again := WithPath(got, "elsewhere", pathOf); again != got {
		t.Errorf("WithPath replaced a path: %v", again)
	}
	other := errors.New("i/o")
	if WithPath(other, "x", pathOf) != other || WithPath(nil, "x", pathOf) != nil {
		t.Error("WithPath changed an error it does not know")
	}
}
