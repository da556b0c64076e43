package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseOpen(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
		want *openRequest
		err  string
	}{
		{[]string{"disc.isz"}, true, &openRequest{image: "disc.isz"}, ""},
		{[]string{"--open", "disc.isz"}, true, &openRequest{image: "disc.isz", open: true}, ""},
		{[]string{"disc.isz", "--open", "-o", "mode=raw", "-onorock"}, true,
			&openRequest{image: "disc.isz", open: true, args: []string{"-o", "mode=raw", "-o", "norock"}}, ""},
		{[]string{"-u", "/media/DISC"}, true, &openRequest{unmount: "/media/DISC"}, ""},
		{[]string{"--unmount", "disc.isz"}, true, &openRequest{unmount: "disc.isz"}, ""},
		{[]string{"--", "-disc.isz"}, true, &openRequest{image: "-disc.isz"}, ""},
		// Mount command lines are parseArgs'.
		{[]string{"disc.isz", "/mnt"}, false, nil, ""},
		{[]string{"-f", "disc.isz"}, false, nil, ""},
		{[]string{"--help"}, false, nil, ""},
		{nil, false, nil, ""},
		// Mistakes.
		{[]string{"--open"}, true, nil, "--open takes one IMAGE"},
		{[]string{"--open", "a.isz", "b.isz"}, true, nil, "--open takes one IMAGE"},
		{[]string{"-u", "/mnt", "x"}, true, nil, "-u takes one"},
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
		if err != nil || !reflect.DeepEqual(req, tc.want) {
			t.Errorf("parseOpen(%q) = %+v, %v; want %+v", tc.args, req, err, tc.want)
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
