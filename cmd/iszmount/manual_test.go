package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/manual"
)

// TestManualExitCodes: the exit codes --help and the man page list are the
// ones this command returns.
func TestManualExitCodes(t *testing.T) {
	ours := []int{exitOK, exitError, exitUsage, exitMountPoint, exitImageOpen, exitImage, exitPassword, exitFUSE}
	var documented []int
	for _, e := range manual.Iszmount.Exits {
		documented = append(documented, e.Code)
	}
	if !slices.Equal(documented, ours) {
		t.Errorf("internal/manual documents exit codes %v, iszmount returns %v", documented, ours)
	}
}

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
