package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseOpen(t *testing.T) {
	type want struct {
		image, unmount string
		open           bool
		opts           []string // the mount's -o options
	}
	for _, tc := range []struct {
		args []string
		ok   bool
		want *want
		err  string
	}{
		{[]string{"disc.isz"}, true, &want{image: "disc.isz", opts: []string{"idle=10m"}}, ""},
		{[]string{"--open", "disc.isz"}, true, &want{image: "disc.isz", open: true, opts: []string{"idle=10m"}}, ""},
		{[]string{"disc.isz", "--open", "-o", "mode=raw", "-onorock", "--options=idle=1h"}, true,
			&want{image: "disc.isz", open: true, opts: []string{"mode=raw", "norock", "idle=1h"}}, ""},
		{[]string{"-u", "/media/DISC"}, true, &want{unmount: "/media/DISC"}, ""},
		{[]string{"--unmount", "disc.isz"}, true, &want{unmount: "disc.isz"}, ""},
		{[]string{"--", "-disc.isz"}, true, &want{image: "-disc.isz", opts: []string{"idle=10m"}}, ""},
		// Mount command lines are parseArgs'.
		{[]string{"disc.isz", "/mnt"}, false, nil, ""},
		{[]string{"-f", "disc.isz"}, false, nil, ""},
		{[]string{"--help"}, false, nil, ""},
		{nil, false, nil, ""},
		// Mistakes.
		{[]string{"--open"}, true, nil, "--open takes one IMAGE"},
		{[]string{"--open", "a.isz", "b.isz"}, true, nil, "--open takes one IMAGE"},
		{[]string{"-u", "/mnt", "x"}, true, nil, "-u takes one"},
		{[]string{"--open", "-o", "bogus", "disc.isz"}, true, nil, `unknown option "bogus"`},
	} {
		req, ok, err := parseOpen(tc.args)
		if ok != tc.ok {
			t.Errorf("parseOpen(%q): ok = %v, want %v", tc.args, ok, tc.ok)
			continue
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || exitCode(err) != exitUsage {
				t.Errorf("parseOpen(%q): err = %v, want a usage error with %q", tc.args, err, tc.err)
			}
			continue
		}
		if !ok {
			continue
		}
		if err != nil {
			t.Errorf("parseOpen(%q): %v", tc.args, err)
			continue
		}
		got := &want{image: req.image, unmount: req.unmount, open: req.open}
		if req.cfg != nil {
			got.opts = req.cfg.opts
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseOpen(%q) = %+v, want %+v", tc.args, got, tc.want)
		}
	}
}

func TestMakeMountDir(t *testing.T) {
	base := filepath.Join(t.TempDir(), "Discs")
	var got []string
	for range 3 {
		d, err := makeMountDir(base, "MY_DISC")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.Base(d))
	}
	if want := []string{"MY_DISC", "MY_DISC-2", "MY_DISC-3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("made %q, want %q", got, want)
	}
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		t.Errorf("base %s not made: %v", base, err)
	}
	for in, want := range map[string]string{"a/b": "a_b", " .hidden ": "hidden", "CD": "CD", "..": ""} {
		if got := dirName(in); got != want {
			t.Errorf("dirName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseOpen: arbitrary command lines never panic; parseOpen's errors
// are usage errors, and every line it leaves alone is one parseArgs reads
// (a mount, -f ..., --help), so no command line falls between the two.
func FuzzParseOpen(f *testing.F) {
	for _, seed := range [][3]string{
		{"--open", "disc.isz", ""}, {"disc.isz", "", ""}, {"-u", "/media/X", ""},
		{"-o", "mode=raw", "disc.isz"}, {"disc.isz", "/mnt", "-f"}, {"--", "-x", ""},
		{"-ofoo", "--options=idle=1s", "a"}, {"--open", "-u", "x"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var args []string
		for _, s := range []string{a, b, c} {
			if s != "" {
				args = append(args, s)
			}
		}
		req, ok, err := parseOpen(args)
		switch {
		case ok && err != nil:
			if exitCode(err) != exitUsage {
				t.Fatalf("parseOpen(%q): %v has exit code %d", args, err, exitCode(err))
			}
		case ok:
			if (req.unmount == "") == (req.image == "") || (req.image != "" && req.cfg == nil) {
				t.Fatalf("parseOpen(%q) = %+v", args, req)
			}
		default:
			if _, err := parseArgs(args); err != nil && exitCode(err) != exitUsage {
				t.Fatalf("parseArgs(%q): %v", args, err)
			}
		}
	})
}
