package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/exitcode"
)

// iszBin is the isz binary built once by TestMain; the end-to-end tests run
// it as a user would. It is built without -race even under "go test -race"
// (that made this package take four minutes); the libraries' own tests run
// their concurrency under the race detector.
var iszBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "isz-test-bin")
	if err != nil {
		panic(err)
	}
	iszBin = filepath.Join(dir, "isz")
	build := exec.Command("go", "build", "-o", iszBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("building isz: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

// runISZ runs the binary with args; env entries are added to a clean
// environment (no ISZ_PASSWORD from the developer's shell), stdin is
// optional.
func runISZ(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(iszBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TZ=UTC"}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running isz %q: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// mustRun runs isz and fails the test unless it exits 0 with an empty
// stderr (no progress bar off a terminal, no warnings).
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	return mustRunEnv(t, nil, args...)
}

// mustRunEnv is mustRun with extra environment variables.
func mustRunEnv(t *testing.T, env []string, args ...string) string {
	t.Helper()
	r := runISZ(t, "", env, args...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("isz %q: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r.stdout
}

// wantFail runs isz and checks the exit code and that stderr is exactly
// one line starting "isz: " and containing msg.
func wantFail(t *testing.T, env []string, code int, msg string, args ...string) {
	t.Helper()
	r := runISZ(t, "", env, args...)
	if r.code != code {
		t.Fatalf("isz %q: exit %d, want %d (stderr %q)", args, r.code, code, r.stderr)
	}
	first, _, _ := strings.Cut(r.stderr, "\n")
	if !strings.HasPrefix(first, "isz: ") || !strings.Contains(first, msg) {
		t.Fatalf("isz %q: stderr %q, want a line \"isz: ...%s...\"", args, r.stderr, msg)
	}
}

func TestHelp(t *testing.T) {
	out := mustRun(t, "help")
	for _, want := range []string{"Commands:", "create", "info", "verify", "extract", "ls", "cat", "Exit codes (the same for isz and iszmount):", "ISZ_PASSWORD", "1024"} {
		if !strings.Contains(out, want) {
			t.Errorf("isz help lacks %q", want)
		}
	}
	if v := mustRun(t, "version"); !strings.HasPrefix(v, "isz ") {
		t.Errorf("isz version = %q", v)
	}
	if got := mustRun(t, "--help"); got != out {
		t.Errorf("isz --help differs from isz help")
	}
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			out := mustRun(t, args...)
			if !strings.HasPrefix(out, "usage: isz "+c.name+" ") {
				t.Errorf("isz %q: help starts %q", args, out[:min(len(out), 40)])
			}
		}
	}
	// Every flag of every command is described.
	for _, c := range commands {
		out := mustRun(t, c.name, "-h")
		for _, flagName := range flagNames(c) {
			if !strings.Contains(out, flagName+" ") && !strings.Contains(out, flagName+"\n") {
				t.Errorf("isz %s -h does not list %s", c.name, flagName)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	r := runISZ(t, "", nil)
	if r.code != exitcode.Usage || !strings.Contains(r.stderr, "usage: isz COMMAND") {
		t.Errorf("isz with no arguments: exit %d, stderr %q", r.code, r.stderr)
	}
	wantFail(t, nil, exitcode.Usage, `unknown command "frobnicate"`, "frobnicate")
	wantFail(t, nil, exitcode.Usage, `help: unknown command "nope"`, "help", "nope")
	wantFail(t, nil, exitcode.Usage, "unknown flag --bogus", "ls", "img.iso", "--bogus")
	wantFail(t, nil, exitcode.Usage, "-b: block size 134217728 is not a positive multiple of 2048 up to", "create", "-b", "128M", "a", "b")
	wantFail(t, nil, exitcode.Usage, "--split: 1 bytes is below", "create", "--split", "1", "a", "b")
	wantFail(t, nil, exitcode.Usage, "--split: 1 bytes is below", "create", "--split=1", "a", "b")
	wantFail(t, nil, exitcode.Usage, "want IMAGE and at least one PATH, got 1", "cat", "img.iso")
	wantFail(t, nil, exitcode.Usage, "want IN.iso and OUT.isz, got 3", "create", "a", "b", "c")
	wantFail(t, nil, exitcode.Usage, `-b: invalid size "12Q"`, "create", "a", "b", "-b", "12Q")
	wantFail(t, nil, exitcode.Usage, "not a positive multiple of 2048", "create", "-b", "1000", "a", "b")
	wantFail(t, nil, exitcode.Usage, `unknown codec "lzma"`, "create", "a", "b", "-c", "lzma")
	wantFail(t, nil, exitcode.Usage, "level 10 is not between 0 and 9", "create", "a", "b", "-l", "10")
	wantFail(t, nil, exitcode.Usage, "--aes: 100 bits", "create", "a", "b", "--aes", "100")
	wantFail(t, nil, exitcode.Usage, "--aes needs a password", "create", "a", "b", "--aes", "256")
	wantFail(t, nil, exitcode.Usage, "want one IMAGE.isz, got 0", "verify")
	wantFail(t, nil, exitcode.Usage, "want IMAGE.isz and OUT.iso, got 1", "extract", "img.isz")
	// A usage error names the command's synopsis on its second line.
	r = runISZ(t, "", nil, "verify")
	if !strings.Contains(r.stderr, "\nusage: isz verify ") {
		t.Errorf("isz verify: stderr %q lacks the synopsis", r.stderr)
	}
}

// TestSuggestions: a mistyped command or flag gets one line with the
// nearest known word.
func TestSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"extarct", "a"}, `isz: unknown command "extarct"; did you mean "extract"?`},
		{[]string{"help", "lss"}, `isz: help: unknown command "lss"; did you mean "ls"?`},
		{[]string{"-x", "ls"}, `isz: unknown flag -x before the command (run "isz help")`},
		{[]string{"ls", "--recursve", "a"}, "isz: ls: unknown flag --recursve; did you mean --recursive?"},
		{[]string{"create", "-split", "1G", "a", "b"}, "isz: create: unknown flag -split; did you mean --split?"},
		{[]string{"extract", "--fils", "d", "a"}, "isz: extract: unknown flag --fils; did you mean --files?"},
	} {
		r := runISZ(t, "", nil, tc.args...)
		if r.code != exitcode.Usage || r.stderr != tc.want+"\n" {
			t.Errorf("isz %q: exit %d, stderr %q; want exit 2 and the one line %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestGNUFlags: combined short flags, attached values, --flag=value,
// flags after the arguments, "--" and -V everywhere, as GNU getopt_long.
func TestGNUFlags(t *testing.T) {
	iso, want := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "img.isz")
	mustRun(t, "create", "-j2", "-b64K", "--codec=zlib", "--level", "1", iso, img, "--zero-chunks")
	mustRun(t, "extract", "-fj2", img, filepath.Join(dir, "out.iso"))
	if fileSum(t, filepath.Join(dir, "out.iso")) != want {
		t.Error("extract -fj2 wrote a different image")
	}
	if lr, l, r := mustRun(t, "ls", "-lR", img), mustRun(t, "ls", img, "-l", "--recursive"), mustRun(t, "ls", "-R", img); lr != l || len(lr) <= len(r) {
		t.Errorf("ls -lR differs from ls -l --recursive, or is no longer than ls -R:\n%s", lr)
	}
	// "--" ends the flags: a file named like a flag.
	dash := filepath.Join(dir, "-l")
	mustRun(t, "create", "--", iso, dash)
	if out := mustRun(t, "verify", "--", dash); out != dash+": OK\n" {
		t.Errorf("verify -- -l = %q", out)
	}
	for _, args := range [][]string{{"-V"}, {"--version"}, {"version"}, {"ls", "-V"}, {"create", "--version"}, {"extract", "x", "-V"}} {
		if v := mustRun(t, args...); !strings.HasPrefix(v, "isz ") || strings.Count(v, "\n") != 1 {
			t.Errorf("isz %q = %q, want the version line", args, v)
		}
	}
}

// TestMissingImage: an image that does not exist is an I/O error (1), not
// a "not found in the image" (7).
func TestMissingImage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.isz")
	for _, args := range [][]string{{"ls", missing}, {"info", missing}, {"verify", missing}, {"cat", missing, "x"}} {
		wantFail(t, nil, exitcode.Failure, "no such file or directory", args...)
	}
}

// flagNames lists a command's flags as the help spells them.
func flagNames(c *command) []string {
	fs, _ := newFlagSet(c)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		names = append(names, "--"+f.Name)
		if f.Shorthand != "" {
			names = append(names, "-"+f.Shorthand+", --"+f.Name)
		}
	})
	return names
}
