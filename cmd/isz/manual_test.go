package main

import (
	"slices"
	"sort"
	"testing"

	"github.com/iszmount/iszmount/internal/manual"
)

// TestManual: the commands, flags and exit codes that "isz help", the
// man page and the completions describe (internal/manual) are the ones
// isz has. TestHelp checks the other direction for flags.
func TestManual(t *testing.T) {
	var ours, documented []string
	for _, c := range commands {
		ours = append(ours, c.name)
		m := manual.Isz.Command(c.name)
		if m == nil {
			t.Errorf("internal/manual does not document isz %s", c.name)
			continue
		}
		var names []string
		for _, f := range m.Flags {
			if f.Short != "" {
				names = append(names, "-"+f.Short)
			}
			if f.Long != "" {
				names = append(names, "--"+f.Long)
			}
		}
		have := flagNames(c)
		sort.Strings(names)
		sort.Strings(have)
		if !slices.Equal(names, have) {
			t.Errorf("isz %s: internal/manual documents flags %v, the command has %v", c.name, names, have)
		}
	}
	for _, c := range manual.Isz.Commands {
		documented = append(documented, c.Name)
	}
	if !slices.Equal(ours, documented) {
		t.Errorf("internal/manual documents commands %v, isz has %v", documented, ours)
	}
}
