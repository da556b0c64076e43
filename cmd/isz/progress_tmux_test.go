package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestProgressNarrowResized draws the progress bar in a 60-column tmux
// pane that is narrowed to 40 columns while the bar runs: every line on
// the screen fits the pane and the only trace left is the final bar, at
// 100% (no debris of earlier, wider lines).
func TestProgressNarrowResized(t *testing.T) {
	dir := t.TempDir()
	zeros := filepath.Join(dir, "zeros.iso")
	if err := os.WriteFile(zeros, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(zeros, 600<<20); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "zeros.isz")
	mustRun(t, "create", "-c", "bzip2", zeros, img) // bzip2: a few seconds to extract

	sock := fmt.Sprintf("isz-test-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	cmdline := fmt.Sprintf("%s extract -j1 '%s' '%s'; echo END-OF-RUN; sleep 60", iszBin, img, filepath.Join(dir, "out.iso"))
	tmux("new-session", "-d", "-s", "bar", "-x", "60", "-y", "8", cmdline)
	t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })

	waitFor := func(what string) string {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if screen := tmux("capture-pane", "-p", "-t", "bar"); strings.Contains(screen, what) {
				return screen
			}
		}
		t.Fatalf("%q never appeared on the screen", what)
		return ""
	}
	waitFor("extract ")
	tmux("resize-window", "-t", "bar", "-x", "40", "-y", "8")
	screen := waitFor("END-OF-RUN")
	var lines []string
	for _, l := range strings.Split(screen, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			lines = append(lines, l)
		}
		if n := utf8.RuneCountInString(l); n > 40 {
			t.Errorf("line of %d columns in a 40-column pane: %q", n, l)
		}
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "extract 100%") || lines[1] != "END-OF-RUN" {
		t.Errorf("screen after the run:\n%s", screen)
	}
}
