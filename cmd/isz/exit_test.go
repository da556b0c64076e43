package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/exitcode"
	"github.com/iszmount/iszmount/isz"
)

func TestCommandErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{usagef("bad"), exitcode.Usage},
		{hintf("did you mean"), exitcode.Usage},
		{fmt.Errorf("a/b: %w", errNotInImage), exitcode.NotFound},
		{passwordHint(fmt.Errorf("x: %w", isz.ErrNeedPassword)), exitcode.Password},
	} {
		if got := exitcode.Of(tc.err); got != tc.want {
			t.Errorf("exitcode.Of(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestExitCodesInStep runs isz and iszmount on the same bad images and
// checks that both exit with the same code and name the file once: the
// two commands follow one policy (internal/exitcode). iszmount fails on
// these before it mounts anything.
func TestExitCodesInStep(t *testing.T) {
	iszmount := buildIszmount(t)
	iso, _ := fixtureISO(t)
	dir := t.TempDir()
	enc := filepath.Join(dir, "enc.isz")
	mustRun(t, "create", "--password", "right", iso, enc)
	junk := filepath.Join(dir, "junk.iso")
	if err := os.WriteFile(junk, make([]byte, 100<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "trunc.isz")
	if err := os.WriteFile(truncated, append([]byte("IsZ!"), make([]byte, 200)...), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.isz")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.iso")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mp := t.TempDir()
	for _, tc := range []struct {
		name  string
		image string
		env   []string
		code  int
	}{
		{"no password", enc, nil, exitcode.Password},
		{"wrong password", enc, []string{"ISZ_PASSWORD=wrong"}, exitcode.Password},
		{"not an image", junk, nil, exitcode.BadImage},
		{"truncated header", truncated, nil, exitcode.BadImage},
		{"missing", filepath.Join(dir, "missing.isz"), nil, exitcode.Failure},
		{"FIFO", fifo, nil, exitcode.Failure},
		{"empty", empty, nil, exitcode.BadImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runISZ(t, "", tc.env, "ls", tc.image)
			if r.code != tc.code {
				t.Errorf("isz ls: exit %d, want %d (%q)", r.code, tc.code, r.stderr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a FIFO once blocked it
			defer cancel()
			cmd := exec.CommandContext(ctx, iszmount, "-f", tc.image, mp)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("iszmount: exit %d, want %d (%q)", code, tc.code, out)
			}
			for _, msg := range []string{r.stderr, string(out)} {
				if n := strings.Count(msg, filepath.Base(tc.image)); n != 1 || strings.Count(msg, "\n") != 1 {
					t.Errorf("message %q: want one line naming the image once", msg)
				}
				if strings.Contains(msg, "iso9660view") || strings.Contains(msg, "isz: isz") {
					t.Errorf("message %q names a package", msg)
				}
			}
		})
	}
}

// TestInfoNamesFile: a header error from info names the image, once.
func TestInfoNamesFile(t *testing.T) {
	iso, _ := fixtureISO(t)
	img := filepath.Join(t.TempDir(), "img.isz")
	mustRun(t, "create", iso, img)
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	data[5] = 0xEE // version
	bad := filepath.Join(t.TempDir(), "hdr.isz")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runISZ(t, "", nil, "info", bad)
	if r.code != exitcode.Unsupported || r.stderr != "isz: info: "+bad+": unsupported ISZ feature: version 238\n" {
		t.Errorf("info: exit %d, stderr %q", r.code, r.stderr)
	}
}

var (
	iszmountOnce sync.Once
	iszmountBin  string
	iszmountErr  error
)

// buildIszmount builds iszmount next to the isz binary, once, for the tests
// that compare the two commands.
func buildIszmount(t *testing.T) string {
	t.Helper()
	iszmountOnce.Do(func() {
		iszmountBin = filepath.Join(filepath.Dir(iszBin), "iszmount")
		out, err := exec.Command("go", "build", "-o", iszmountBin, "../iszmount").CombinedOutput()
		if err != nil {
			iszmountErr = fmt.Errorf("building iszmount: %v\n%s", err, out)
		}
	})
	if iszmountErr != nil {
		t.Fatal(iszmountErr)
	}
	return iszmountBin
}

// TestVersionInStep: both commands print their version the same way.
func TestVersionInStep(t *testing.T) {
	out, err := exec.Command(buildIszmount(t), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	mount, ok := strings.CutPrefix(string(out), "iszmount ")
	tool, ok2 := strings.CutPrefix(mustRun(t, "-V"), "isz ")
	if !ok || !ok2 || mount != tool || strings.Count(mount, "\n") != 1 {
		t.Errorf("iszmount --version = %q, isz -V = %q: want the same version", out, tool)
	}
}
