package main

import (
	"errors"
	"fmt"

	"github.com/iszmount/iszmount/internal/exitcode"
)

// Exit codes come from internal/exitcode, the policy isz shares with
// iszmount; exitcode.Of maps every error to one of them in main.

// errNotInImage marks a PATH argument that names nothing in the image.
var errNotInImage = exitcode.With(exitcode.NotFound, errors.New("no such file in the image"))

// usageError is a command-line mistake; its message is shown as is and the
// exit code is exitcode.Usage. A hint (a "did you mean", "give --force",
// "are the arguments swapped?") says what to do in its one line: no
// usage lines follow it.
type usageError struct {
	msg  string
	hint bool
}

func (e usageError) Error() string { return e.msg }
func (e usageError) Unwrap() error { return exitcode.ErrUsage }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// hintf is a usage error that carries its own advice.
func hintf(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...), hint: true}
}
