package udfview

import (
	"encoding/binary"
	"strings"
)

// A directory's data is a run of File Identifier Descriptors (ECMA-167
// 4/14.4), each padded to a multiple of 4 bytes, that may cross block
// boundaries:
//
//	0  tag (257)
//	16 uint16 file version number
//	18 uint8  file characteristics: 1 hidden, 2 directory, 4 deleted,
//	          8 parent, 16 metadata (a named stream's directory)
//	19 uint8  length of the file identifier (L_FI)
//	20 long_ad ICB: where the file entry is
//	36 uint16 length of implementation use (L_IU)
//	38 implementation use, then the file identifier (CS0), then padding

const (
	fidHeader = 38
	fidHidden = 1 << 0
	fidDir    = 1 << 1
	fidDelete = 1 << 2
	fidParent = 1 << 3
	fidStream = 1 << 4
)

// fid is a parsed file identifier descriptor.
type fid struct {
	chars byte
	icb   longAD
	name  []byte // CS0, compression ID first; empty for the parent
}

// parseFID decodes the descriptor at the start of b (image offset off, for
// errors) and returns it and its padded length.
func parseFID(b []byte, off int64) (fid, int, error) {
	if len(b) < fidHeader {
		return fid{}, 0, formatErr(off, "file identifier descriptor cut short by the end of the directory")
	}
	lfi := int(b[19])
	liu := int(binary.LittleEndian.Uint16(b[36:]))
	n := fidHeader + liu + lfi
	if n > len(b) {
		return fid{}, 0, formatErr(off, "file identifier descriptor of %d bytes runs past the end of the directory", n)
	}
	// Writers differ on whether the CRC covers the padding.
	padded := min((n+3)&^3, len(b))
	if _, err := checkTag(b[:padded], tagFID, -1, off); err != nil {
		return fid{}, 0, err
	}
	f := fid{chars: b[18], icb: parseLongAD(b[20:]), name: b[fidHeader+liu : n]}
	return f, padded, nil
}

// symlinkTarget decodes a symlink's data, a sequence of path components
// (ECMA-167 4/14.16): a type byte, the identifier's length, a version
// (2 bytes) and the identifier (CS0). Types: 1 the root of an unspecified
// file system and 2 the root of this one (both "/"), 3 "..", 4 ".", 5 a
// name.
func symlinkTarget(b []byte, off int64) (string, error) {
	var parts []string
	abs := false
	for p := 0; p < len(b); {
		if p+4 > len(b) {
			return "", formatErr(off, "symlink path component cut short")
		}
		typ, n := b[p], int(b[p+1])
		if p+4+n > len(b) {
			return "", formatErr(off, "symlink path component of %d bytes runs past the data", n)
		}
		id := b[p+4 : p+4+n]
		switch typ {
		case 1, 2:
			parts, abs = parts[:0], true
		case 3:
			parts = append(parts, "..")
		case 4:
			parts = append(parts, ".")
		case 5:
			name := decodeCS0(id)
			if name == "" || strings.Contains(name, "/") {
				return "", formatErr(off, "symlink path component %q", name)
			}
			parts = append(parts, name)
		default:
			return "", formatErr(off, "symlink path component of type %d", typ)
		}
		p += 4 + n
	}
	t := strings.Join(parts, "/")
	if abs {
		t = "/" + t
	}
	return t, nil
}
