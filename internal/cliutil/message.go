package cliutil

import (
	"errors"
	"regexp"
	"strings"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

// userText rewrites the libraries' sentinel error texts, which start with
// their package name as Go errors should, into words for the user of a
// command, who has never heard of the packages.
var userText = []struct {
	err  error
	text string
}{
	{isz.ErrFormat, "malformed ISZ image"},
	{isz.ErrUnsupported, "unsupported ISZ feature"},
	{isz.ErrTruncated, "ISZ image truncated"},
	{isz.ErrCorrupt, "corrupt chunk"},
	{isz.ErrChecksum, "checksum mismatch"},
	{isz.ErrNeedPassword, "the image is encrypted and needs a password"},
	{isz.ErrPassword, "wrong password"},
	{isz.ErrSegment, "missing or mismatched segment file"},
	{iso9660view.ErrNotISO9660, "no ISO 9660 file system"},
	{iso9660view.ErrFormat, "malformed ISO 9660 file system"},
	{iso9660view.ErrUnsupported, "unsupported ISO 9660 feature"},
	{udfview.ErrNotUDF, "no UDF file system"},
	{udfview.ErrFormat, "malformed UDF file system"},
	{udfview.ErrUnsupported, "unsupported UDF feature"},
}

// packagePrefix is a library's own "isz: ", "iso9660view: " or "udfview: " (and the
// writer's "create: ") at the start of a part of a message.
var packagePrefix = regexp.MustCompile(`(^|: )(?:isz|iso9660view|udfview): (?:create: )?`)

// Message is err's text as a command prints it after "PROGRAM: ": on one
// line (names can hold newlines, shown as \n), without the libraries'
// package names, and without a part said twice in a row (a file name that
// both the library and the command put in front).
func Message(err error) string {
	msg := joined(err)
	for _, u := range userText {
		if errors.Is(err, u.err) {
			msg = strings.ReplaceAll(msg, u.err.Error(), u.text)
		}
	}
	msg = packagePrefix.ReplaceAllString(msg, "$1")
	msg = strings.ReplaceAll(msg, joinSep, "; ")
	msg = strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(msg)
	parts := strings.Split(msg, ": ")
	out := parts[:1]
	for _, p := range parts[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ": ")
}

// joinSep stands for the newline errors.Join puts between its errors until
// the other newlines (in names) are escaped.
const joinSep = "\x00; "

// joined is err.Error() with the errors of an errors.Join in the chain
// separated by joinSep instead of a newline.
func joined(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		j, ok := e.(interface{ Unwrap() []error })
		if !ok {
			continue
		}
		var parts []string
		for _, inner := range j.Unwrap() {
			parts = append(parts, joined(inner))
		}
		prefix, _ := strings.CutSuffix(err.Error(), e.Error())
		return prefix + strings.Join(parts, joinSep)
	}
	return err.Error()
}
