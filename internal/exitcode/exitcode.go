// Package exitcode is the one exit-status policy of the module's two
// commands, isz and iszmount: the codes, the table their help texts, man
// pages (internal/manual renders both) and the README print, and the
// mapping from errors to codes.
//
// A code says what kind of thing went wrong, the same in both commands, so
// a script that runs either can test for a bad password or a damaged image
// the same way. Each command uses the codes that can happen to it: only
// iszmount mounts (FUSE, MountPoint), only isz looks up paths inside an
// image (NotFound).
//
// Errors get their code in two ways. Library errors are classified by
// [Of] through errors.Is against the libraries' sentinel errors (the
// [Table] rows' Errs), so a wrapped isz.ErrPassword is a Password failure
// wherever it comes from. A stage of a command that knows better (mounting,
// which fails for reasons no sentinel names) wraps its error with [With].
//
//	os.Exit(exitcode.Of(err))
package exitcode

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

// The exit codes. They are interface: scripts, systemd units and the
// README rely on them.
const (
	OK          = 0   // success; isz verify: the image is good; iszmount: mounted
	Failure     = 1   // anything else: I/O error, file missing or unreadable, output not writable, unsafe path
	Usage       = 2   // bad command line, flag, -o option or size
	BadImage    = 3   // not an ISZ or ISO 9660 image, malformed, truncated, missing segment file
	Corrupt     = 4   // checksum mismatch or a chunk that does not decode
	Password    = 5   // the image is encrypted and the password is missing or wrong
	Unsupported = 6   // a feature this program does not implement (e.g. UDF-only discs in tree mode)
	FUSE        = 7   // iszmount: FUSE unavailable or not permitted
	MountPoint  = 8   // iszmount: cannot mount on MOUNTPOINT
	NotFound    = 9   // isz: a PATH inside the image does not exist
	Interrupted = 130 // isz: SIGINT or SIGTERM, as shells report 128+SIGINT
)

// ErrUsage marks command-line mistakes; both commands wrap their usage
// errors with it.
var ErrUsage = errors.New("usage")

// Row is one line of the exit-code table.
type Row struct {
	Code    int
	Meaning string
	Errs    []error // the errors (errors.Is) that Of maps to Code
}

// Table lists every code with its meaning, in the order Of tries them: the
// first row whose error matches wins, so the more specific rows come first
// (a wrong password often shows up as a chunk that does not decode).
var Table = []Row{
	{OK, "success (`isz verify`: the image is good; `iszmount`: mounted, or a clean unmount with -f)", nil},
	{Interrupted, "interrupted by SIGINT or SIGTERM (`isz`); what was there before is left as it was", []error{context.Canceled}},
	{Usage, "bad command line: unknown command, flag or -o option, wrong arguments, bad size", []error{ErrUsage}},
	{Password, "the image is encrypted and the password is missing or wrong", []error{isz.ErrNeedPassword, isz.ErrPassword}},
	{Unsupported, "unsupported feature of the ISZ, ISO 9660 or UDF format", []error{isz.ErrUnsupported, iso9660view.ErrUnsupported, udfview.ErrUnsupported}},
	{Corrupt, "corrupt data: checksum mismatch, or a chunk that does not decode", []error{isz.ErrChecksum, isz.ErrCorrupt}},
	{BadImage, "bad image: not ISZ, ISO 9660 or UDF (or not the file system asked for), malformed, truncated, missing or mismatched segment file", []error{isz.ErrFormat, isz.ErrTruncated, isz.ErrSegment, iso9660view.ErrFormat, iso9660view.ErrNotISO9660, udfview.ErrFormat, udfview.ErrNotUDF, disc.ErrNoFileSystem, disc.ErrTreeShape}},
	{NotFound, "`isz`: a PATH does not exist in the image", nil},
	{FUSE, "`iszmount`: FUSE unavailable or not permitted (no /dev/fuse, no fusermount3, allow_other refused)", nil},
	{MountPoint, "`iszmount`: cannot mount on MOUNTPOINT (missing, not a directory, already mounted, refused)", nil},
	{Failure, "any other failure: I/O error, IMAGE missing or unreadable, output not writable, unsafe path refused", nil},
}

// Error gives an error its exit code; see With.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// With wraps err so that Of returns code for it; nil stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{code, err}
}

// Of returns the exit code for err: OK for nil, the code of the outermost
// *Error in its chain, else the first Table row with a matching error,
// else Failure.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	for _, row := range Table {
		for _, target := range row.Errs {
			if errors.Is(err, target) {
				return row.Code
			}
		}
	}
	return Failure
}

// Markdown is the table as README.md holds it (a test keeps the two equal).
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Code | Meaning |\n|---|---|\n")
	for _, row := range Sorted() {
		fmt.Fprintf(&b, "| %d | %s |\n", row.Code, row.Meaning)
	}
	return b.String()
}

// Sorted is Table in the order of the codes, as the manual pages, the
// help texts (rendered by internal/manual) and the README show it.
func Sorted() []Row {
	return slices.SortedFunc(slices.Values(Table), func(a, b Row) int { return cmp.Compare(a.Code, b.Code) })
}
