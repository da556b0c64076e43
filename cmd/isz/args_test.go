package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		long    bool
		level   int
		name    string
		wantErr bool
	}{
		{args: nil, pos: nil},
		{args: []string{"img", "path"}, pos: []string{"img", "path"}},
		{args: []string{"-l", "img"}, pos: []string{"img"}, long: true},
		{args: []string{"img", "-l"}, pos: []string{"img"}, long: true},
		{args: []string{"img", "--long", "path"}, pos: []string{"img", "path"}, long: true},
		{args: []string{"img", "-n", "x", "path"}, pos: []string{"img", "path"}, name: "x"},
		{args: []string{"img", "--name=x", "path"}, pos: []string{"img", "path"}, name: "x"},
		{args: []string{"img", "--name", "-l"}, pos: []string{"img"}, name: "-l"}, // a value that looks like a flag
		{args: []string{"img", "-level", "7"}, pos: []string{"img"}, level: 7},
		{args: []string{"-", "out"}, pos: []string{"-", "out"}},                              // "-" is stdin/stdout
		{args: []string{"img", "--", "-l", "--x"}, pos: []string{"img", "-l", "--x"}},        // -- ends flags
		{args: []string{"-l", "--", "--"}, pos: []string{"--"}, long: true},                  // only the first -- is special
		{args: []string{"img", "--long=false", "-l=true"}, pos: []string{"img"}, long: true}, // last wins
		{args: []string{"img", "-n"}, wantErr: true},                                         // value missing
		{args: []string{"img", "--bogus"}, wantErr: true},                                    // unknown flag
		{args: []string{"img", "-level", "x"}, wantErr: true},                                // bad int
		{args: []string{"-h"}, wantErr: true},                                                // help is ErrHelp
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		long := fs.Bool("l", false, "")
		fs.BoolVar(long, "long", false, "")
		name := fs.String("n", "", "")
		fs.StringVar(name, "name", "", "")
		level := fs.Int("level", 0, "")
		pos, err := parseInterspersed(fs, tt.args)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%q: no error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !slices.Equal(pos, tt.pos) || *long != tt.long || *name != tt.name || *level != tt.level {
			t.Errorf("%q: got pos %q long %v name %q level %d; want %q %v %q %d",
				tt.args, pos, *long, *name, *level, tt.pos, tt.long, tt.name, tt.level)
		}
	}
}

// FuzzParseInterspersed: whatever the arguments, no panic, and every
// positional returned is one of the arguments, in order.
func FuzzParseInterspersed(f *testing.F) {
	f.Add("img\x00-l\x00--name\x00x\x00--\x00-R")
	f.Add("-level=3\x00-\x00--name")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Bool("l", false, "")
		fs.String("name", "", "")
		fs.Int("level", 0, "")
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return
		}
		i := 0
		for _, p := range pos {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("positional %q not among the arguments %q in order", p, args)
			}
			i++
		}
	})
}
