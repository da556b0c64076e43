package iso9660view

import (
	"strings"
)

// isoName turns an ISO 9660 file identifier into a name: the version suffix
// (";1") and then a trailing dot (what "FILE." with no extension leaves) are
// removed. Case is kept as recorded.
func isoName(b []byte) string {
	return trimVersion(string(b))
}

// jolietName decodes a Joliet (UCS-2 big-endian) identifier the same way.
func jolietName(b []byte) string {
	return trimVersion(decodeUCS2(b))
}

func trimVersion(s string) string {
	if i := strings.LastIndexByte(s, ';'); i >= 0 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	if len(s) > 1 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
