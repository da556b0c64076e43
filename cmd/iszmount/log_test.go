package main

import (
	"log/slog"
	"log/syslog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSyslogHandler sends records through a syslog connection to a socket
// of the test and checks priority and text.
func TestSyslogHandler(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w, err := syslog.Dial("unixgram", sock, syslog.LOG_DAEMON|syslog.LOG_INFO, "iszmount")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := slog.New(&syslogHandler{w: w, level: slog.LevelInfo}).With("image", "a.isz")
	log.Debug("not sent")
	log.Error("read failed, answering EIO", "chunk", 7)
	log.Info("verify: image OK")
	for _, want := range []string{
		"<27>", // daemon (3<<3) | err (3)
		"<30>", // daemon | info (6)
	} {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 1024)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		msg := string(buf[:n])
		if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "image=a.isz") || strings.Contains(msg, "level=") {
			t.Errorf("syslog message %q: want priority %s, the attribute, no level key", msg, want)
		}
		if want == "<27>" && !strings.Contains(msg, `msg="read failed, answering EIO" `) {
			t.Errorf("message text missing: %q", msg)
		}
	}
}
