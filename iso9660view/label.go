package iso9660view

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// The volume label.
//
// A disc with Joliet carries its label twice: in the primary descriptor,
// 32 characters of a subset of ASCII (d-characters, so usually upper case,
// with '_' for whatever ASCII cannot hold), and in the Joliet descriptor,
// 16 UCS-2 characters. Mastering tools write the same label to both, so
// the Joliet one is often the first 16 characters of the real label and
// the primary one the rest of it in degraded form. blkid (util-linux)
// rebuilds the label from the two, and desktops name mounted discs after
// what blkid says; volumeLabel applies the same rule, so a disc mounted by
// iszmount is named as the kernel-mounted disc would be.

// volumeLabel returns the label of a volume with primary descriptor pvd
// and Joliet descriptor joliet (nil without Joliet).
func volumeLabel(pvd, joliet *descriptor) string {
	if joliet == nil {
		return pvd.identifier(40, 72)
	}
	if u, ok := mergeLabel(joliet.raw[40:72], pvd.raw[40:72]); ok {
		return strings.TrimRight(string(utf16.Decode(u)), " \x00")
	}
	return joliet.identifier(40, 72)
}

// mergeLabel joins a Joliet identifier (UTF-16BE) with the primary
// descriptor's ASCII one when the Joliet one is a prefix of it, character
// by character: a '_' on either side stands for the other side's
// character (one ASCII could not hold, or one Joliet replaced), and
// letters match whatever their case (the primary's upper case being forced
// by the standard, Joliet's case is kept where it is the primary's upper
// case). The primary identifier's characters beyond Joliet's 16 follow.
// ok is false when the two disagree: they are then different labels and
// Joliet's is the label.
func mergeLabel(joliet, ascii []byte) (label []uint16, ok bool) {
	a := 0
	for u := 0; u+1 < len(joliet) && a < len(ascii); u, a = u+2, a+1 {
		c := binary.BigEndian.Uint16(joliet[u:])
		if utf16.IsSurrogate(rune(c)) && c < 0xDC00 && u+3 < len(joliet) {
			if low := binary.BigEndian.Uint16(joliet[u+2:]); low >= 0xDC00 && low <= 0xDFFF {
				// A character beyond U+FFFF takes two UTF-16 units
				// and one ASCII '_'.
				label = append(label, c)
				u, c = u+2, low
			}
		}
		switch p := ascii[a]; {
		case p == '_':
			label = append(label, c)
		case c == '_':
			label = append(label, uint16(p))
		case c < 0x100 && asciiUpper(byte(c)) == asciiUpper(p):
			if asciiUpper(p) == p && p >= 'A' && p <= 'Z' {
				label = append(label, c)
			} else {
				label = append(label, uint16(p))
			}
		default:
			return nil, false
		}
	}
	for ; a < len(ascii); a++ {
		label = append(label, uint16(ascii[a]))
	}
	return label, true
}

// asciiUpper upper-cases an ASCII letter and leaves any other byte alone.
func asciiUpper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}
