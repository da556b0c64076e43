package inflate

import (
	"errors"
	"strconv"
)

// Sentinel errors; every error Decode returns is an *Error that unwraps to
// one of them.
var (
	// ErrCorrupt: the stream is not valid DEFLATE (reserved block type,
	// bad Huffman code, stored LEN/NLEN mismatch, invalid symbol,
	// distance before the start of the output).
	ErrCorrupt = errors.New("inflate: corrupt stream")
	// ErrOutputFull: the stream decodes to more than len(dst) bytes.
	ErrOutputFull = errors.New("inflate: output buffer full")
	// ErrTruncated: the input ends before the end of the final block.
	ErrTruncated = errors.New("inflate: stream truncated")
)

// Error reports where in the input decoding failed and why.
type Error struct {
	Offset int    // input byte being decoded when the error was detected
	Err    error  // ErrCorrupt, ErrOutputFull or ErrTruncated
	Detail string // what was wrong, for people
}

func (e *Error) Error() string {
	s := e.Err.Error() + " at input byte " + strconv.Itoa(e.Offset)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }
