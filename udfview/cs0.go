package udfview

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// OSTA CS0 "compressed Unicode" (UDF 2.1.1) stores a name as a compression
// ID byte followed by the characters:
//
//	8 (or 254): one byte per character, U+0000 to U+00FF
//	16 (or 255): two bytes per character, UTF-16 big-endian; UDF 2.50 and
//	             later allow surrogate pairs for characters outside the BMP
//
// 254 and 255 are UDF 2.50's marks for the names of deleted files; they
// decode the same way. Any other ID, an odd trailing byte and an unpaired
// surrogate decode as U+FFFD, so every byte string has a name.

// decodeCS0 decodes a CS0 string (compression ID included) to UTF-8.
func decodeCS0(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	body := b[1:]
	switch b[0] {
	case 8, 254:
		var sb strings.Builder
		sb.Grow(len(body))
		for _, c := range body {
			if c < utf8.RuneSelf {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(rune(c))
			}
		}
		return sb.String()
	case 16, 255:
		var sb strings.Builder
		sb.Grow(len(body) + len(body)/2)
		for i := 0; i+1 < len(body); i += 2 {
			u := rune(body[i])<<8 | rune(body[i+1])
			if utf16.IsSurrogate(u) {
				if i+3 < len(body) {
					v := rune(body[i+2])<<8 | rune(body[i+3])
					if r := utf16.DecodeRune(u, v); r != utf8.RuneError {
						sb.WriteRune(r)
						i += 2
						continue
					}
				}
				u = utf8.RuneError
			}
			sb.WriteRune(u)
		}
		if len(body)%2 != 0 {
			sb.WriteRune(utf8.RuneError)
		}
		return sb.String()
	}
	return string(utf8.RuneError)
}

// decodeDString decodes a fixed-size dstring field (ECMA-167 1/7.2.12): CS0
// bytes padded with zeros, the last byte giving the used length.
func decodeDString(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	n := int(b[len(b)-1])
	if n == 0 || n > len(b)-1 {
		return ""
	}
	return strings.TrimRight(decodeCS0(b[:n]), " \x00")
}

// regid returns the identifier of an entity identifier (ECMA-167 1/7.4, 32
// bytes: flags, 23 bytes of identifier, 8 bytes of suffix), trailing NULs
// removed.
func regid(b []byte) string {
	return strings.TrimRight(string(b[1:24]), "\x00")
}
