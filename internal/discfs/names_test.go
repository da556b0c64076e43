package discfs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUniqueNames(t *testing.T) {
	in := []string{"a", "a", "a~2", "", ".", "..", "x/y", "a", strings.Repeat("é", 200)}
	UniqueNames(in)
	want := []string{"a", "a~3", "a~2", "_~2", "_.~2", "_..~2", "x_y~2", "a~4", strings.Repeat("é", 126) + "~2"}
	for i := range want {
		if in[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, in[i], want[i])
		}
	}
	seen := map[string]bool{}
	for _, n := range in {
		if seen[n] || !LegalName(n) {
			t.Errorf("%q repeated or illegal", n)
		}
		seen[n] = true
	}
}

func TestUniqueNamesKeepsLegalFirstSpellings(t *testing.T) {
	// A legal name keeps its spelling even when an earlier illegal name's
	// rename would have wanted it: renames take the first free suffix.
	in := []string{"", "_~2", "_"}
	UniqueNames(in)
	want := []string{"_~3", "_~2", "_"}
	for i := range want {
		if in[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, in[i], want[i])
		}
	}
}

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("x", MaxNameLen+10)
	for in, want := range map[string]string{
		"":        "_",
		".":       "_.",
		"..":      "_..",
		"a/b":     "a_b",
		"a\x00b":  "a_b",
		"...":     "...",
		"ok name": "ok name",
		long:      long[:MaxNameLen],
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
		if !LegalName(sanitizeName(in)) {
			t.Errorf("sanitizeName(%q) is not legal", in)
		}
	}
}

func TestLegalName(t *testing.T) {
	for s, want := range map[string]bool{
		"a": true, "...": true, "é": true, strings.Repeat("x", MaxNameLen): true,
		"": false, ".": false, "..": false, "a/b": false, "a\x00": false, strings.Repeat("x", MaxNameLen+1): false,
	} {
		if got := LegalName(s); got != want {
			t.Errorf("LegalName(%q) = %v", s, got)
		}
	}
}

func TestTruncateNameKeepsUTF8(t *testing.T) {
	s := "aé€😀" // 1, 2, 3 and 4 bytes
	for n := 0; n <= len(s)+1; n++ {
		got := truncateName(s, n)
		if len(got) > n || !utf8.ValidString(got) || !strings.HasPrefix(s, got) {
			t.Errorf("truncateName(%q, %d) = %q", s, n, got)
		}
		// It cuts no more than the one character that does not fit.
		if n < len(s) && len(got)+utf8.UTFMax <= n {
			t.Errorf("truncateName(%q, %d) = %q cut too much", s, n, got)
		}
	}
}
