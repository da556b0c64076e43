package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"log/syslog"
	"strings"
	"sync/atomic"
)

// switchHandler is a slog.Handler whose destination can change: a daemon
// logs to the caller's terminal until the mount is up, then to syslog or its
// log file.
type switchHandler struct {
	h atomic.Pointer[slog.Handler]
}

func newSwitchHandler(h slog.Handler) *switchHandler {
	s := &switchHandler{}
	s.set(h)
	return s
}

func (s *switchHandler) set(h slog.Handler) { s.h.Store(&h) }
func (s *switchHandler) cur() slog.Handler  { return *s.h.Load() }

func (s *switchHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return s.cur().Enabled(ctx, l)
}
func (s *switchHandler) Handle(ctx context.Context, r slog.Record) error {
	return s.cur().Handle(ctx, r)
}
func (s *switchHandler) WithAttrs(a []slog.Attr) slog.Handler { return s.cur().WithAttrs(a) }
func (s *switchHandler) WithGroup(g string) slog.Handler      { return s.cur().WithGroup(g) }

// textHandler writes "level=... msg=... key=value" lines; withTime adds the
// time (for log files; a terminal and syslog have their own).
func textHandler(w io.Writer, level slog.Leveler, withTime bool) slog.Handler {
	return slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if !withTime && len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
}

// syslogHandler sends each record to syslog (the journal, under systemd)
// with the matching priority.
type syslogHandler struct {
	w     *syslog.Writer
	level slog.Leveler
	attrs []slog.Attr
}

func (h *syslogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *syslogHandler) Handle(ctx context.Context, r slog.Record) error {
	var b bytes.Buffer
	r2 := r.Clone()
	r2.AddAttrs(h.attrs...)
	r2.Level = slog.LevelError // the priority says it; keep the line short
	if err := textHandler(&b, slog.LevelDebug, false).Handle(ctx, r2); err != nil {
		return err
	}
	msg := strings.TrimPrefix(strings.TrimSuffix(b.String(), "\n"), "level=ERROR ")
	switch {
	case r.Level >= slog.LevelError:
		return h.w.Err(msg)
	case r.Level >= slog.LevelWarn:
		return h.w.Warning(msg)
	case r.Level >= slog.LevelInfo:
		return h.w.Info(msg)
	}
	return h.w.Debug(msg)
}

func (h *syslogHandler) WithAttrs(a []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], a...)
	return &h2
}

// WithGroup is not needed by this program; groups are flattened.
func (h *syslogHandler) WithGroup(string) slog.Handler { return h }
