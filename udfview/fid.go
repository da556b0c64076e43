package udfview

import (
	"encoding/binary"
	"fmt"
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

// A listing reads its directory's data in windows of fidWindow bytes,
// enough for the longest descriptor (maxFID: 38 bytes, 65,535 of
// implementation use, a 255-byte identifier, padding) and as much again,
// so that a directory of a million entries costs no more memory than one
// of a thousand: reading a directory whole took 64 MiB (maxDirBytes) for
// the largest, several at once when a listing asks its subdirectories for
// their link counts.
const (
	maxFID    = (fidHeader + 0xffff + 0xff + 3) &^ 3
	fidWindow = 128 << 10
)

// forEachFID calls fn with each file identifier descriptor of the
// directory fe, in order, reading its data through win (at least maxFID
// bytes long: a listing's scratch); f.name is valid only during the call.
// An error fn returns ends the walk and is returned.
func (im *Image) forEachFID(fe *fileEntry, win []byte, fn func(f fid) error) error {
	r, err := im.reader(fe)
	if err != nil {
		return err
	}
	r.meta = true
	win = win[:min(fe.size, int64(len(win)))]
	var start int64 // the directory position of win[0]
	end := 0        // win[:end] holds data
	for pos := int64(0); pos < fe.size; {
		// Refill unless the window holds the longest descriptor or the
		// rest of the directory.
		if i := int(pos - start); end-i < maxFID && start+int64(end) < fe.size {
			end = copy(win, win[i:end])
			start = pos
			m := int(min(int64(len(win)-end), fe.size-start-int64(end)))
			if _, err := r.ReadAt(win[end:end+m], start+int64(end)); err != nil {
				return err
			}
			end += m
		}
		b := win[pos-start : end]
		if len(b) < fidHeader && allZero(b) {
			break // padding at the end of the last block
		}
		f, n, err := parseFID(b, fe.off)
		if err != nil {
			// The offset is the directory's file entry; say where in
			// its data the identifier was.
			if ferr, ok := err.(*FormatError); ok {
				c := *ferr
				c.What += fmt.Sprintf(" (file identifier at byte %d of the directory's data)", pos)
				err = &c
			}
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		pos += int64(n)
	}
	return nil
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
