package discfs

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the longest name handed out: Linux's NAME_MAX, and the
// longest name a FUSE file system may return.
const MaxNameLen = 255

// LegalName reports whether s can be used as a directory entry name as is:
// not "", "." or "..", at most MaxNameLen bytes, without "/" or NUL.
func LegalName(s string) bool {
	return s != "" && s != "." && s != ".." && len(s) <= MaxNameLen && !strings.ContainsAny(s, "/\x00")
}

// sanitizeName makes an illegal name legal: "/" and NUL become "_", an empty
// name becomes "_", "." and ".." get a "_" prefix, and overlong names are cut
// at a character boundary.
func sanitizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == 0 {
			return '_'
		}
		return r
	}, s)
	switch s {
	case "":
		s = "_"
	case ".", "..":
		s = "_" + s
	}
	return truncateName(s, MaxNameLen)
}

// truncateName cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// UniqueNames makes the names of one directory legal and unique,
// deterministically: in on-disc order, every legal name keeps its spelling
// the first time it occurs; the others (illegal names and later duplicates)
// are sanitized and given the first free suffix "~2", "~3", ... Nothing is
// dropped. It rewrites names in place.
func UniqueNames(names []string) {
	taken := make(map[string]struct{}, len(names))
	var renamed []int
	for i, n := range names {
		if _, dup := taken[n]; dup || !LegalName(n) {
			renamed = append(renamed, i)
			continue
		}
		taken[n] = struct{}{}
	}
	next := make(map[string]int) // first suffix worth trying, per base
	for _, i := range renamed {
		base := sanitizeName(names[i])
		for k := max(next[base], 2); ; k++ {
			suffix := "~" + strconv.Itoa(k)
			cand := truncateName(base, MaxNameLen-len(suffix)) + suffix
			if _, dup := taken[cand]; !dup {
				taken[cand] = struct{}{}
				names[i] = cand
				next[base] = k + 1
				break
			}
		}
	}
}
