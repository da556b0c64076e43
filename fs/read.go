package fs

import (
	"context"
	"log/slog"
	"sync"
)

// errorLog keeps the error log quiet under repeated failures: the first
// failure with a given error text is logged at error level, later ones at
// debug level. A chunk error's text names the chunk (not the request), so
// this is once per damaged chunk. It forgets everything when it holds
// maxErrorKeys texts, so its memory is bounded.
type errorLog struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

const maxErrorKeys = 4096

// first records key and reports whether it was new.
func (l *errorLog) first(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[key]; ok {
		return false
	}
	if l.seen == nil || len(l.seen) >= maxErrorKeys {
		l.seen = make(map[string]struct{})
	}
	l.seen[key] = struct{}{}
	return true
}

// report logs one line for a failed read of size bytes at off in file name.
// The error is logged as a value: an error that knows where it happened
// (an *isz.ChunkError, a slog.LogValuer) says so in its own attributes.
func (l *errorLog) report(log *slog.Logger, name string, off int64, size int, err error) {
	level := slog.LevelDebug
	if l.first(err.Error()) {
		level = slog.LevelError
	}
	log.LogAttrs(context.Background(), level, "read failed, answering EIO",
		slog.String("file", name),
		slog.Int64("offset", off),
		slog.Int("size", size),
		slog.Any("err", err))
}
