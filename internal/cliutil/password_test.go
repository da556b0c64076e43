package cliutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lf := write("lf", "secret\nsecond line\n")
	crlf := write("crlf", "secret\r\n")
	bare := write("bare", "secret")
	spaces := write("spaces", "  se cret \n")
	empty := write("empty", "")
	blank := write("blank", "\n")
	long := write("long", strings.Repeat("x", maxPassLine+1))
	max := write("max", strings.Repeat("y", maxPassLine)+"\n")

	tests := []struct {
		name            string
		value, passfile string
		stdin, env      string
		want            string
		wantErr         string
	}{
		{name: "value wins", value: "v", passfile: lf, env: "e", want: "v"},
		{name: "passfile before env", passfile: lf, env: "e", want: "secret"},
		{name: "crlf stripped", passfile: crlf, want: "secret"},
		{name: "no newline", passfile: bare, want: "secret"},
		{name: "spaces kept", passfile: spaces, want: "  se cret "},
		{name: "stdin", passfile: "-", stdin: "fromstdin\nrest", env: "e", want: "fromstdin"},
		{name: "env", env: "e", want: "e"},
		{name: "nothing", want: ""},
		{name: "missing file", passfile: filepath.Join(dir, "nope"), wantErr: "no such file"},
		{name: "empty file", passfile: empty, env: "e", wantErr: "empty password"},
		{name: "blank line", passfile: blank, wantErr: "empty password"},
		{name: "empty stdin", passfile: "-", wantErr: "standard input: empty password"},
		{name: "overlong line", passfile: long, wantErr: "longer than"},
		{name: "longest line", passfile: max, want: strings.Repeat("y", maxPassLine)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k != PasswordEnv {
					t.Errorf("getenv(%q), want %q", k, PasswordEnv)
				}
				return tt.env
			}
			got, err := readPassword(tt.value, tt.passfile, strings.NewReader(tt.stdin), getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestReadPasswordEnv checks the exported function really consults the
// environment variable.
func TestReadPasswordEnv(t *testing.T) {
	t.Setenv(PasswordEnv, "from-env")
	got, err := ReadPassword("", "")
	if err != nil || got != "from-env" {
		t.Fatalf("ReadPassword = %q, %v; want from-env", got, err)
	}
}
