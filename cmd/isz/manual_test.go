package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/manual"
)

// TestManual: internal/manual, the one source of "isz help", "isz CMD -h",
// isz(1) and the completions, documents exactly the commands isz has and,
// for each, exactly the flags its flag set defines (plus -h and -V, which
// every command takes): the same long and short names, a value where the
// flag takes one, and the default the flag set has wherever the text names
// one. Every flag the synopses, descriptions and examples mention exists.
func TestManual(t *testing.T) {
	var ours, documented []string
	for _, c := range manual.Isz.Commands {
		documented = append(documented, c.Name)
	}
	all := map[string]bool{} // every flag spelling of every command
	for _, c := range commands {
		ours = append(ours, c.name)
		m := manual.Isz.Command(c.name)
		if m == nil {
			t.Errorf("internal/manual does not document isz %s", c.name)
			continue
		}
		fs, _ := newFlagSet(c)
		have := map[string]bool{}
		doc := map[string]manual.Flag{} // by long name
		for _, f := range append(slices.Clone(m.Flags), manual.Isz.Flags...) {
			if f.Long == "" || f.Text == "" {
				t.Errorf("isz %s: internal/manual documents a flag -%s without a long name or text", c.name, f.Short)
			}
			doc[f.Long] = f
		}
		fs.VisitAll(func(pf *pflag.Flag) {
			for _, n := range []string{"--" + pf.Name, "-" + pf.Shorthand} {
				if n != "-" {
					have[n], all[n] = true, true
				}
			}
			f, ok := doc[pf.Name]
			if !ok {
				t.Errorf("isz %s --%s: not documented in internal/manual", c.name, pf.Name)
				return
			}
			delete(doc, pf.Name)
			if f.Short != pf.Shorthand {
				t.Errorf("isz %s --%s: internal/manual gives the short name %q, the command %q", c.name, pf.Name, f.Short, pf.Shorthand)
			}
			takesValue := pf.Value.Type() != "bool"
			if takesValue != (f.Arg != "") {
				t.Errorf("isz %s --%s: takes a value: %v, internal/manual names the value %q", c.name, pf.Name, takesValue, f.Arg)
			}
			if d := pf.DefValue; takesValue && d != "" && d != "0" && !strings.Contains(f.Text, "(default "+d+")") {
				t.Errorf("isz %s --%s: the text %q does not say \"(default %s)\"", c.name, pf.Name, f.Text, d)
			}
		})
		for long := range doc {
			t.Errorf("internal/manual documents isz %s --%s, which the command does not have", c.name, long)
		}
		prose := strings.Join(m.Synopsis, "\n") + "\n" + blocksText(m.Body)
		for _, n := range mentions(prose) {
			if !named(have, n) {
				t.Errorf("internal/manual names %s for isz %s, which has no such flag", n, c.name)
			}
		}
	}
	if !slices.Equal(ours, documented) {
		t.Errorf("internal/manual documents commands %v, isz has %v", documented, ours)
	}
	// The page's own prose may name any command's flags.
	prose := strings.Join(manual.Isz.Synopsis, "\n") + "\n" + blocksText(manual.Isz.Description)
	for _, s := range manual.Isz.Sections {
		prose += blocksText(s.Body)
	}
	for _, n := range mentions(prose) {
		if !named(all, n) {
			t.Errorf("internal/manual names %s, which no isz command has", n)
		}
	}
}

// TestMentions: the flag finder of TestManual sees flags in synopses and
// prose, and not dashes inside words or the "-" of standard input.
func TestMentions(t *testing.T) {
	got := mentions(`[-f] [-b SIZE] [--password P|--passfile F] ("-lR", "--split=SIZE") UDF-only, "-" = stdin, -> TARGET, AES-256`)
	want := []string{"-f", "-b", "--password", "--passfile", "-lR", "--split"}
	if !slices.Equal(got, want) {
		t.Errorf("mentions = %q, want %q", got, want)
	}
}

var flagMention = regexp.MustCompile(`(?:^|[\s(\["|,])(--?[A-Za-z][A-Za-z0-9-]*)`)

// mentions are the flags named in text: "-x", "--long", or combined short
// flags with an attached value ("-lR", "-j2").
func mentions(text string) []string {
	var out []string
	for _, m := range flagMention.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// named reports whether the flag n is in flags: "-x" or "--long", and
// for combined short flags ("-lR", "-j2") each letter up to an attached
// number.
func named(flags map[string]bool, n string) bool {
	if strings.HasPrefix(n, "--") || len(n) == 2 {
		return flags[n]
	}
	for i, r := range n[1:] {
		if i > 0 && r >= '0' && r <= '9' {
			return true
		}
		if !flags["-"+string(r)] {
			return false
		}
	}
	return true
}

// blocksText is the text of blocks, for searching.
func blocksText(blocks []manual.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text + "\n" + bl.Code + "\n")
		for _, it := range bl.Items {
			b.WriteString(it.Term + " " + it.Text + "\n")
		}
	}
	return b.String()
}

// TestManualREADME: the list of short flags and their long names in the
// README's isz section ("`-b/--block-size`, ...") is the manual's, no pair
// more or less.
func TestManualREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## The `isz` command\n")
	section, _, _ = strings.Cut(section, "\n## ")
	inREADME := map[string]bool{}
	for _, m := range regexp.MustCompile("`(-[A-Za-z]/--[a-z-]+)`").FindAllStringSubmatch(section, -1) {
		inREADME[m[1]] = true
	}
	inManual := map[string]bool{}
	for _, c := range manual.Isz.Commands {
		for _, f := range append(slices.Clone(c.Flags), manual.Isz.Flags...) {
			if f.Short != "" {
				inManual["-"+f.Short+"/--"+f.Long] = true
			}
		}
	}
	for pair := range inManual {
		if !inREADME[pair] {
			t.Errorf("README.md does not list `%s`", pair)
		}
	}
	for pair := range inREADME {
		if !inManual[pair] {
			t.Errorf("README.md lists `%s`, which no isz command has", pair)
		}
	}
}
