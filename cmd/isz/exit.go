package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
)

// Exit codes. They are part of the interface (scripts test them) and are
// documented in the README and in "isz help"; every error is mapped to one
// of them in exitCode and nowhere else.
const (
	exitOK          = 0 // success; verify: the image is good
	exitFailure     = 1 // any other failure: I/O errors, unwritable output, refused paths
	exitUsage       = 2 // bad command line
	exitBadImage    = 3 // not an ISZ/ISO image, malformed, truncated, missing segment
	exitCorrupt     = 4 // checksum mismatch or a chunk that does not decode
	exitPassword    = 5 // password missing or wrong
	exitUnsupported = 6 // a feature this tool does not implement (e.g. UDF-only discs)
	exitNotFound    = 7 // a PATH inside the image does not exist

	exitInterrupted = 130 // SIGINT or SIGTERM, as shells report 128+SIGINT
)

// exitTable maps errors to exit codes; the first row whose error matches
// (errors.Is) wins, so the more specific rows come first: a UDF-only disc
// is also "not ISO 9660", but the useful answer is "unsupported".
var exitTable = []struct {
	code int
	errs []error
}{
	{exitInterrupted, []error{context.Canceled}},
	{exitUsage, []error{errUsage, flag.ErrHelp}},
	{exitPassword, []error{isz.ErrNeedPassword, isz.ErrPassword}},
	{exitUnsupported, []error{iso9660view.ErrUDFOnly, isz.ErrUnsupported, iso9660view.ErrUnsupported}},
	{exitCorrupt, []error{isz.ErrChecksum, isz.ErrCorrupt}},
	{exitBadImage, []error{isz.ErrFormat, isz.ErrTruncated, isz.ErrSegment, iso9660view.ErrFormat, iso9660view.ErrNotISO9660}},
	{exitNotFound, []error{errNotInImage}},
}

// exitCode returns the exit code for err (exitOK for nil).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	for _, row := range exitTable {
		for _, e := range row.errs {
			if errors.Is(err, e) {
				return row.code
			}
		}
	}
	return exitFailure
}

var (
	// errUsage marks command-line mistakes.
	errUsage = errors.New("usage")
	// errNotInImage marks a PATH argument that names nothing in the image.
	errNotInImage = errors.New("no such file in the image")
)

// usageError is a command-line mistake; its message is shown as is and the
// exit code is exitUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) Unwrap() error { return errUsage }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}
