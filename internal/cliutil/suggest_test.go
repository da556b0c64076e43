package cliutil

import "testing"

func TestSuggest(t *testing.T) {
	commands := []string{"create", "info", "verify", "extract", "ls", "cat"}
	options := []string{"allow_other", "allow_root", "cache", "passfile", "password", "mode", "idle"}
	for _, c := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"extarct", commands, "extract"}, // transposition
		{"creat", commands, "create"},    // deletion
		{"infoo", commands, "info"},      // insertion
		{"lss", commands, "ls"},
		{"veryfy", commands, "verify"},
		{"mount", commands, ""}, // nothing close
		{"x", commands, ""},
		{"", commands, ""},
		{"alow_other", options, "allow_other"},
		{"allow_roots", options, "allow_root"},
		{"cahce", options, "cache"},
		{"passwrd", options, "password"},
		{"passfle", options, "passfile"},
		{"mod", options, "mode"},
		{"verbose", options, ""},
		{"ca", options, ""}, // "cache" is three edits away
	} {
		if got := Suggest(c.word, c.candidates); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"abc", "abc", 0},
		{"abc", "acb", 1}, {"abc", "abd", 1}, {"abc", "abcd", 1}, {"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a transposed pair
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := editDistance(c.b, c.a); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}
