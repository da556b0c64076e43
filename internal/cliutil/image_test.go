package cliutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/exitcode"
)

// TestOpenImage: regular files are sniffed; a FIFO (with no writer, which
// would block open(2) forever), a directory, a character device and an
// empty file are refused at once.
func TestOpenImage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	iszFile := write("a.isz", append([]byte("IsZ!"), make([]byte, 100)...))
	plain := write("a.iso", make([]byte, 4096))
	short := write("short", []byte("IsZ"))
	empty := write("empty", nil)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		isz     bool
		size    int64
		wantErr string
		code    int
	}{
		{name: iszFile, isz: true, size: 104},
		{name: plain, size: 4096},
		{name: short, size: 3},
		{name: empty, wantErr: "empty file", code: exitcode.BadImage},
		{name: fifo, wantErr: "not a regular file or block device (a FIFO)", code: exitcode.Failure},
		{name: dir, wantErr: "is a directory", code: exitcode.Failure},
		{name: "/dev/null", wantErr: "a character device", code: exitcode.Failure},
		{name: filepath.Join(dir, "missing"), wantErr: "no such file", code: exitcode.Failure},
	} {
		done := make(chan struct{})
		var im *ImageFile
		var err error
		go func() { im, err = OpenImage(tc.name); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("OpenImage(%s) blocks", tc.name)
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitcode.Of(err) != tc.code {
				t.Errorf("OpenImage(%s) = %v (exit %d), want %q (exit %d)", tc.name, err, exitcode.Of(err), tc.wantErr, tc.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("OpenImage(%s): %v", tc.name, err)
			continue
		}
		if im.ISZ != tc.isz || im.Size != tc.size {
			t.Errorf("OpenImage(%s) = ISZ %v size %d, want %v %d", tc.name, im.ISZ, im.Size, tc.isz, tc.size)
		}
		im.Close()
	}
}
