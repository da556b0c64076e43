package fs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/iszmount/iszmount/isz"
)

// readAt fills dest from r at off for node, a file of the given size. It
// clamps the request to the file, and it never returns a short read before
// the end of the file: any error there becomes EIO (see the package doc,
// Errors).
func (f *FS) readAt(node *fusefs.Inode, r io.ReaderAt, size int64, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off < 0 {
		return nil, syscall.EINVAL
	}
	if off >= size {
		return fuse.ReadResultData(nil), 0
	}
	if rest := size - off; int64(len(dest)) > rest {
		dest = dest[:rest]
	}
	n, err := r.ReadAt(dest, off)
	if n == len(dest) && (err == nil || err == io.EOF) {
		return fuse.ReadResultData(dest), 0
	}
	if err == nil {
		err = io.ErrUnexpectedEOF // a ReaderAt must not do this, but be safe
	}
	f.errs.report(f.log, "/"+node.Path(nil), off, len(dest), err)
	return nil, syscall.EIO
}

// errorLog keeps the error log quiet under repeated failures: the first
// failure of a chunk (or of an error text, when there is no chunk) is logged
// at error level, later ones at debug level. It forgets everything when it
// holds maxErrorKeys keys, so its memory is bounded.
type errorLog struct {
	mu   sync.Mutex
	seen map[any]struct{}
}

const maxErrorKeys = 4096

// first records key and reports whether it was new.
func (l *errorLog) first(key any) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[key]; ok {
		return false
	}
	if l.seen == nil || len(l.seen) >= maxErrorKeys {
		l.seen = make(map[any]struct{})
	}
	l.seen[key] = struct{}{}
	return true
}

type chunkKey int

// report logs one line for a failed read of size bytes at off in file name.
func (l *errorLog) report(log *slog.Logger, name string, off int64, size int, err error) {
	attrs := []slog.Attr{
		slog.String("file", name),
		slog.Int64("offset", off),
		slog.Int("size", size),
	}
	var key any = err.Error()
	var ce *isz.ChunkError
	if errors.As(err, &ce) {
		key = chunkKey(ce.Chunk)
		attrs = append(attrs,
			slog.Int("chunk", ce.Chunk),
			slog.Int64("image_offset", ce.Offset))
		if ce.File != "" {
			attrs = append(attrs,
				slog.String("segment", ce.File),
				slog.Int64("segment_offset", ce.FileOffset))
		}
	}
	attrs = append(attrs, slog.Any("err", err))
	level := slog.LevelDebug
	if l.first(key) {
		level = slog.LevelError
	}
	log.LogAttrs(context.Background(), level, "read failed, answering EIO", attrs...)
}
