package isz

import (
	"errors"
	"fmt"
	"log/slog"
)

// Sentinel errors. Every error returned by this package unwraps (errors.Is)
// to one of these, usually through a *ChunkError or a message naming the
// field or file at fault.
var (
	// ErrFormat: a header or table field is impossible (bad signature,
	// offsets outside the file, counts that contradict each other).
	ErrFormat = errors.New("isz: malformed image")
	// ErrUnsupported: a valid but unsupported feature (version > 1,
	// encryption type 1, ptr_len > 4, chunk size above MaxChunkSize), or
	// a file of the image that is not a regular file (a named pipe, a
	// device), which Open refuses before opening it.
	ErrUnsupported = errors.New("isz: unsupported feature")
	// ErrTruncated: the file (or a segment file) ends before the data its
	// header and tables describe.
	ErrTruncated = errors.New("isz: image truncated")
	// ErrCorrupt: a chunk does not decode to exactly its size.
	ErrCorrupt = errors.New("isz: corrupt chunk")
	// ErrChecksum: checksum1 or checksum2 does not match (Verify).
	ErrChecksum = errors.New("isz: checksum mismatch")
	// ErrNeedPassword: the image is AES-encrypted and no password was given.
	ErrNeedPassword = errors.New("isz: image is encrypted, a password is needed")
	// ErrPassword: the password does not decrypt the image.
	ErrPassword = errors.New("isz: wrong password")
	// ErrSegment: a file of a split set is missing or does not belong to
	// the set (other vsn, wrong seg_no, not an ISZ file).
	ErrSegment = errors.New("isz: missing or mismatched segment file")
)

// ChunkError reports a failure to read or decode one chunk.
type ChunkError struct {
	Chunk      int    // chunk index
	Offset     int64  // offset of the chunk in the uncompressed image
	File       string // segment file holding (the start of) the chunk, if known
	FileOffset int64  // offset of the chunk's stored data in File
	Err        error  // unwraps to a sentinel above
}

func (e *ChunkError) Error() string {
	return fmt.Sprintf("isz: chunk %d (image offset %d, %s offset %d): %v", e.Chunk, e.Offset, e.File, e.FileOffset, e.Err)
}

// Unwrap returns the underlying error, which unwraps to a sentinel.
func (e *ChunkError) Unwrap() error { return e.Err }

// LogValue makes a ChunkError a structured log value (slog.LogValuer): a
// group of chunk, image_offset, segment and segment_offset (when the file
// is known) and err, so that a caller logging the error it got from ReadAt
// (slog.Any("err", err) after errors.As) gets the chunk's position as
// fields without knowing this package.
func (e *ChunkError) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Int("chunk", e.Chunk), slog.Int64("image_offset", e.Offset)}
	if e.File != "" {
		attrs = append(attrs, slog.String("segment", e.File), slog.Int64("segment_offset", e.FileOffset))
	}
	return slog.GroupValue(append(attrs, slog.Any("err", e.Err))...)
}

// formatErr wraps ErrFormat with a message.
func formatErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
}
