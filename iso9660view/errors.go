package iso9660view

import (
	"errors"
	"fmt"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers test with errors.Is; a *FormatError adds where the problem is.
var (
	// ErrNotISO9660 means the image has no ISO 9660 primary volume descriptor.
	ErrNotISO9660 = errors.New("iso9660view: no ISO 9660 file system")
	// ErrUDFOnly means the image carries a UDF volume but no ISO 9660 one.
	// errors.Is(err, ErrNotISO9660) is true for it too.
	ErrUDFOnly error = &wrappedSentinel{"iso9660view: UDF-only image (no usable ISO 9660 tree)", ErrNotISO9660}
	// ErrFormat means the on-disc structures are malformed.
	ErrFormat = errors.New("iso9660view: malformed file system")
	// ErrUnsupported means a valid feature this package does not implement.
	ErrUnsupported = errors.New("iso9660view: unsupported feature")
)

// wrappedSentinel is a sentinel error that also matches a more general one.
type wrappedSentinel struct {
	msg    string
	parent error
}

func (e *wrappedSentinel) Error() string { return e.msg }
func (e *wrappedSentinel) Unwrap() error { return e.parent }

// FormatError reports a malformed or unsupported structure and where it was
// found. It unwraps to ErrFormat or ErrUnsupported.
type FormatError struct {
	Offset int64  // byte offset in the image of the offending structure, or -1
	Path   string // path of the directory or file concerned, if known
	What   string // what is wrong
	Err    error  // ErrFormat or ErrUnsupported
}

func (e *FormatError) Error() string {
	return discfs.FormatMessage(e.Err, e.What, e.Path, e.Offset, sectorSize)
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

// Path decoration, all of it here: an error found while reading an entry
// (its directory listing, its data, its record) gets the entry's path
// through withPath, the path of a child being built through childPath.

// withPath returns err with the path filled in if it is a *FormatError
// without one.
func withPath(err error, path string) error {
	return discfs.WithPath(err, path, func(fe *FormatError) *string { return &fe.Path })
}

// childPath is the path of the entry named name in directory parent (nil
// for the root's own entry), before that entry exists.
func childPath(parent *Entry, name string) string {
	if parent == nil || parent.parent == nil {
		return name
	}
	return parent.Path() + "/" + name
}
