package main

import (
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/manual"
)

// TestManualOptions: every -o option and flag the manual documents is one
// the parser accepts.
func TestManualOptions(t *testing.T) {
	sample := map[string]string{
		"SIZE": "64M", "FILE": "/etc/hostname", "PW": "secret", "DURATION": "10m",
		"USER": "0", "GROUP": "0", "MASK": "022", "NAME": "disc", "TYPE": "disc",
	}
	for _, o := range manual.Iszmount.Options {
		opt := o.Name
		switch {
		case len(o.Values) > 0:
			opt += "=" + o.Values[0]
		case o.Arg != "":
			v, ok := sample[o.Arg]
			if !ok {
				t.Fatalf("no sample value for %s=%s", o.Name, o.Arg)
			}
			opt += "=" + v
		}
		if _, err := parseArgs([]string{"-o", opt, "img", "mnt"}); err != nil {
			t.Errorf("documented option %s: %v", opt, err)
		}
	}
	for _, o := range manual.Iszmount.Ignored {
		opt := strings.NewReplacer("=", "=x", "*", "anything").Replace(o)
		if _, err := parseArgs([]string{"-o", opt, "img", "mnt"}); err != nil {
			t.Errorf("documented as ignored: %s: %v", opt, err)
		}
	}
	for _, f := range manual.Iszmount.Flags {
		if f.Arg != "" || f.Long == "open" || f.Long == "unmount" {
			continue // -o above; --open and -u in open_test.go
		}
		for _, name := range []string{"-" + f.Short, "--" + f.Long} {
			if _, err := parseArgs([]string{name, "img", "mnt"}); err != nil {
				t.Errorf("documented flag %s: %v", name, err)
			}
		}
	}
}
