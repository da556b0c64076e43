package discfs

import (
	"errors"
	"fmt"
	"io/fs"
)

// Errors of the shared code. They carry no package name: a reader returns
// them inside its own errors (an *fs.PathError, a message naming the
// reader), and callers test them with errors.Is.
var (
	// ErrNotDir means a path goes through something that is not a
	// directory. It is also fs.ErrInvalid.
	ErrNotDir error = &invalidError{"not a directory"}
	// ErrTooManyLinks means a path needs more than MaxSymlinkHops
	// symlinks.
	ErrTooManyLinks = errors.New("too many levels of symbolic links")
	// ErrNegativeOffset is what a file's ReadAt returns for an offset
	// below 0. It is also fs.ErrInvalid.
	ErrNegativeOffset error = &invalidError{"negative read offset"}
)

// invalidError is an error that is also fs.ErrInvalid.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return fs.ErrInvalid }

// QuotePath quotes a path of the tree ("" is the root) for a message, with
// a leading slash: `"/"`, `"/dir/file"`.
func QuotePath(p string) string {
	if p == "" {
		return `"/"`
	}
	return fmt.Sprintf("%q", "/"+p)
}

// FormatMessage is the text of a reader's FormatError: the sentinel's
// text, what is wrong, the path concerned if known, and the byte offset
// if known (off >= 0), with the sector it falls in if sectorSize > 0. For
// example:
//
//	iso9660view: malformed file system: directory record length 3 in "/a/b" at byte 38912 (sector 19)
func FormatMessage(sentinel error, what, path string, off, sectorSize int64) string {
	msg := sentinel.Error() + ": " + what
	if path != "" {
		msg += " in " + QuotePath(path)
	}
	if off >= 0 {
		msg += fmt.Sprintf(" at byte %d", off)
		if sectorSize > 0 {
			msg += fmt.Sprintf(" (sector %d)", off/sectorSize)
		}
	}
	return msg
}

// WithPath returns err with path filled in if err is, or wraps, a *F (a
// reader's FormatError) whose path, reached through pathOf, is still
// empty; the *F is copied, not changed. Any other err is returned as is.
// This is how an error found deep in a directory's or file's structures
// learns which entry it concerns.
func WithPath[F any, PF interface {
	*F
	error
}](err error, path string, pathOf func(*F) *string) error {
	var fe PF
	if errors.As(err, &fe) && *pathOf(fe) == "" {
		c := *fe
		*pathOf(&c) = path
		return PF(&c)
	}
	return err
}
