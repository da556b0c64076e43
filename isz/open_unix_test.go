//go:build unix

package isz

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenNonRegular: a named pipe given as the image, or standing where a
// member of a split set should be, is refused at once and by name; opening
// it for reading would block until a writer came.
func TestOpenNonRegular(t *testing.T) {
	h := variant([]ChunkType{ZL, D, BZ, ZL, Z}, testSize)
	files := h.buildSplit(t, 45000)
	for _, tc := range []struct{ name, fifo, open string }{
		{"image", "img.isz", "img.isz"},
		{"member", "img.i01", "img.isz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, []string{"img.isz", "img.i01", "img.i02"}, files)
			fifo := filepath.Join(dir, tc.fifo)
			os.Remove(fifo)
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				r, err := Open(filepath.Join(dir, tc.open), nil)
				if err == nil {
					r.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.fifo+" is a named pipe") {
					t.Errorf("Open: %v; want ErrUnsupported naming %s as a named pipe", err, tc.fifo)
				}
			case <-time.After(10 * time.Second):
				// Unblock the open so the test ends.
				if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
					w.Close()
				}
				t.Fatal("Open blocked on a named pipe")
			}
		})
	}
}
