package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
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

// TestManualOptionsComplete is the other direction: every flag and -o
// option the parser accepts is documented. The parser's cases are not a
// table, so the candidates are the string literals of this package's
// source, and the parser itself says which it accepts: a candidate is
// accepted when parseArgs (or parseOpen, for --open and -u) answers with
// anything but "unknown flag" or "unknown option".
func TestManualOptionsComplete(t *testing.T) {
	flags := map[string]bool{}
	for _, f := range manual.Iszmount.Flags {
		flags["-"+f.Short], flags["--"+f.Long] = true, true
	}
	options := map[string]bool{}
	for _, o := range manual.Iszmount.Options {
		options[o.Name] = true
	}
	documentedOption := func(name string) bool {
		if options[name] {
			return true
		}
		for _, ign := range manual.Iszmount.Ignored {
			if ok, _ := path.Match(strings.TrimSuffix(ign, "="), name); ok {
				return true
			}
		}
		return false
	}
	flagWord := regexp.MustCompile(`^--?[a-zA-Z][a-zA-Z-]*=?$`)
	optionWord := regexp.MustCompile(`^[a-z_][a-z0-9_.-]*$`)
	var nFlags, nOptions int
	for _, lit := range sourceStrings(t) {
		switch {
		case flagWord.MatchString(lit):
			_, isOpen, _ := parseOpen([]string{lit, "img"})
			_, err := parseArgs([]string{lit, "img", "mnt"})
			if !isOpen && err != nil && strings.Contains(err.Error(), "unknown flag") {
				continue
			}
			nFlags++
			if !flags[strings.TrimSuffix(lit, "=")] {
				t.Errorf("iszmount accepts the flag %s, which internal/manual does not document", lit)
			}
		case optionWord.MatchString(lit):
			accepted := false
			for _, o := range []string{lit, lit + "=1"} {
				_, err := parseArgs([]string{"-o", o, "img", "mnt"})
				accepted = accepted || err == nil || !strings.Contains(err.Error(), "unknown option")
			}
			if !accepted {
				continue
			}
			nOptions++
			if !documentedOption(lit) {
				t.Errorf("iszmount accepts -o %s, which internal/manual does not document", lit)
			}
		}
	}
	// The probe found the parser's cases (it would pass vacuously if the
	// source were not read).
	if nFlags < len(manual.Iszmount.Flags) || nOptions < len(manual.Iszmount.Options) {
		t.Errorf("found %d accepted flags and %d options in the source, want at least %d and %d", nFlags, nOptions, len(manual.Iszmount.Flags), len(manual.Iszmount.Options))
	}
}

// sourceStrings are the distinct string literals of the package's
// non-test Go files.
func sourceStrings(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}
