package udfview

import (
	"errors"
	"fmt"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers test with errors.Is; a *FormatError adds where the problem is.
var (
	// ErrNotUDF means the image has no UDF anchor volume descriptor
	// pointer at any of the places one must be.
	ErrNotUDF = errors.New("udfview: no UDF file system")
	// ErrFormat means the on-disc structures are malformed.
	ErrFormat = errors.New("udfview: malformed file system")
	// ErrUnsupported means a valid feature this package does not implement.
	ErrUnsupported = errors.New("udfview: unsupported feature")
)

// FormatError reports a malformed or unsupported structure and where it was
// found. It unwraps to ErrFormat or ErrUnsupported.
type FormatError struct {
	Offset int64  // byte offset in the image of the offending structure, or -1
	Path   string // path of the directory or file concerned, if known
	What   string // what is wrong
	Err    error  // ErrFormat or ErrUnsupported
}

func (e *FormatError) Error() string {
	return discfs.FormatMessage(e.Err, e.What, e.Path, e.Offset, 0)
}

func (e *FormatError) Unwrap() error { return e.Err }

// formatErr builds a *FormatError wrapping ErrFormat.
func formatErr(off int64, format string, args ...any) *FormatError {
	return &FormatError{Offset: off, What: fmt.Sprintf(format, args...), Err: ErrFormat}
}

// isFormatError reports whether err is or wraps a *FormatError.
func isFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}

// unsupportedErr builds a *FormatError wrapping ErrUnsupported.
func unsupportedErr(off int64, format string, args ...any) *FormatError {
	return &FormatError{Offset: off, What: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

// withPath returns err with the path filled in if it is a *FormatError
// without one.
func withPath(err error, path string) error {
	return discfs.WithPath(err, path, func(fe *FormatError) *string { return &fe.Path })
}
