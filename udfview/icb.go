package udfview

import (
	"encoding/binary"
	"io/fs"
	"time"
)

// Every file is described by an information control block (ICB): a File
// Entry (tag 261, ECMA-167 4/14.9) or, from UDF 2.00, an Extended File
// Entry (tag 266, 4/14.17) with a creation time and named streams. Both
// start with an ICB tag (4/14.6) giving the strategy, the file type and the
// kind of allocation descriptors, then carry owner, permissions, link count,
// size, times, extended attributes and the allocation descriptors.
//
// Strategy 4 is one entry in one block. Strategy 4096 (write-once media)
// lets a file be re-recorded: the block after the entry may hold an indirect
// entry (tag 259) pointing at a newer ICB, and so on; the last entry
// reached is the current one.

// File types of the ICB tag (ECMA-167 4/14.6.6, UDF 2.3.5.2).
const (
	ftUnknown  = 0
	ftDir      = 4
	ftFile     = 5
	ftBlock    = 6
	ftChar     = 7
	ftFIFO     = 9
	ftSocket   = 10
	ftSymlink  = 12
	ftRealtime = 249
)

// ICB tag flags beyond the allocation descriptor kind (ECMA-167 4/14.6.8).
const (
	icbSetuid = 1 << 6
	icbSetgid = 1 << 7
	icbSticky = 1 << 8
)

const (
	strategy4   = 4
	strategy4kb = 4096
	maxICBHops  = 1024       // indirect entries followed before giving up
	noOwner     = 0xffffffff // uid or gid "none" (UDF 3.3.3.1)
	feHeader    = 176        // File Entry bytes before the extended attributes
	efeHeader   = 216        // Extended File Entry bytes before them
)

// fileEntry is a parsed (extended) file entry.
type fileEntry struct {
	loc      lbAddr // where it was read
	off      int64  // its image offset
	fileType uint8
	flags    uint16
	uid, gid uint32
	perm     uint32
	links    uint16 // file link count: the names the writer gave the file
	size     int64  // information length
	atime    time.Time
	mtime    time.Time
	ctime    time.Time // attribute time
	eas      []byte
	ads      []byte // allocation descriptors, or the data if embedded
	adKind   int
}

// readICB reads the current file entry of the ICB at loc, following
// strategy 4096 indirect entries. The entry is read through s (nil: into a
// new buffer), whose block its slices then share.
func (im *Image) readICB(loc lbAddr, s *scratch) (*fileEntry, error) {
	var seen map[lbAddr]bool
	// follow moves on to the entry an indirect entry at loc names,
	// refusing a chain that loops or runs past maxICBHops.
	follow := func(next lbAddr, hop int, off int64) error {
		if seen == nil {
			seen = make(map[lbAddr]bool)
		}
		if seen[next] || hop >= maxICBHops {
			return formatErr(off, "indirect entries loop back to block %d of partition %d", next.lbn, next.part)
		}
		seen[loc] = true
		loc = next
		return nil
	}
	for hop := 0; ; hop++ {
		buf, off, err := im.readDescriptor(loc, 0, s)
		if err != nil {
			return nil, err
		}
		t := parseTag(buf)
		if t.ident == tagIE {
			// An indirect entry where a file entry was expected: follow it.
			next := parseLongAD(buf[36:])
			if next.bytes() == 0 {
				return nil, formatErr(off, "indirect entry points nowhere")
			}
			if err := follow(next.loc, hop, off); err != nil {
				return nil, err
			}
			continue
		}
		if t.ident != tagFE && t.ident != tagEFE {
			return nil, formatErr(off, "descriptor tag %d where a file entry was expected", t.ident)
		}
		fe, err := im.parseFileEntry(buf, t.ident == tagEFE, loc, off)
		if err != nil {
			return nil, err
		}
		strategy := binary.LittleEndian.Uint16(buf[20:])
		if strategy == strategy4kb {
			// The block after the entry may hold an indirect entry to a
			// newer one.
			nextLoc := lbAddr{lbn: loc.lbn + 1, part: loc.part}
			if nb, _, err := im.readDescriptor(nextLoc, tagIE, nil); err == nil {
				if next := parseLongAD(nb[36:]); next.bytes() != 0 {
					if err := follow(next.loc, hop, off); err != nil {
						return nil, err
					}
					continue
				}
			}
		} else if strategy != strategy4 {
			return nil, unsupportedErr(off, "ICB strategy %d", strategy)
		}
		return fe, nil
	}
}

// parseFileEntry decodes a file entry (efe: an extended one) held in buf.
func (im *Image) parseFileEntry(buf []byte, efe bool, loc lbAddr, off int64) (*fileEntry, error) {
	le := binary.LittleEndian
	fe := &fileEntry{
		loc:      loc,
		off:      off,
		fileType: buf[27],
		flags:    le.Uint16(buf[34:]),
		uid:      le.Uint32(buf[36:]),
		gid:      le.Uint32(buf[40:]),
		perm:     le.Uint32(buf[44:]),
		links:    le.Uint16(buf[48:]),
		size:     int64(le.Uint64(buf[56:])),
	}
	fe.adKind = int(fe.flags & 7)
	hdr := feHeader
	if efe {
		hdr = efeHeader
		fe.atime, fe.mtime, fe.ctime = decodeTimestamp(buf[80:]), decodeTimestamp(buf[92:]), decodeTimestamp(buf[116:])
	} else {
		fe.atime, fe.mtime, fe.ctime = decodeTimestamp(buf[72:]), decodeTimestamp(buf[84:]), decodeTimestamp(buf[96:])
	}
	lea := int64(le.Uint32(buf[hdr-8:]))
	lad := int64(le.Uint32(buf[hdr-4:]))
	if lea > int64(len(buf)-hdr) || lad > int64(len(buf)-hdr)-lea {
		return nil, formatErr(off, "file entry with %d bytes of extended attributes and %d of allocation descriptors does not fit its block", lea, lad)
	}
	if fe.size < 0 {
		return nil, formatErr(off+56, "file entry of negative size")
	}
	if fe.adKind > adEmbedded {
		return nil, formatErr(off+34, "allocation descriptor type %d", fe.adKind)
	}
	if fe.adKind == adEmbedded && fe.size > lad {
		return nil, formatErr(off, "embedded data of %d bytes holds a file of %d", lad, fe.size)
	}
	fe.eas = buf[hdr : int64(hdr)+lea]
	fe.ads = buf[int64(hdr)+lea : int64(hdr)+lea+lad]
	return fe, nil
}

// mode maps the ICB file type, the permissions (ECMA-167 4/14.9.5: five
// bits each for other, group and owner: execute, write, read, change
// attributes, delete) and the setuid/setgid/sticky flags to an fs.FileMode.
// ok is false for a file type that has no place in a directory tree.
func (fe *fileEntry) mode() (m fs.FileMode, ok bool) {
	p := fe.perm
	m = fs.FileMode(p&7 | (p>>5&7)<<3 | (p>>10&7)<<6)
	if fe.flags&icbSetuid != 0 {
		m |= fs.ModeSetuid
	}
	if fe.flags&icbSetgid != 0 {
		m |= fs.ModeSetgid
	}
	if fe.flags&icbSticky != 0 {
		m |= fs.ModeSticky
	}
	switch fe.fileType {
	case ftFile, ftRealtime, ftUnknown:
	case ftDir:
		m |= fs.ModeDir
	case ftSymlink:
		m |= fs.ModeSymlink
	case ftBlock:
		m |= fs.ModeDevice
	case ftChar:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case ftFIFO:
		m |= fs.ModeNamedPipe
	case ftSocket:
		m |= fs.ModeSocket
	default:
		return m, false
	}
	return m, true
}

// fileExtents returns the extents of a file entry's data; an embedded file
// has none.
func (im *Image) fileExtents(fe *fileEntry) ([]extent, error) {
	if fe.adKind == adEmbedded {
		return nil, nil
	}
	xs, err := im.extents(fe.ads, fe.adKind, fe.loc.part, fe.off)
	if err != nil {
		return nil, err
	}
	var total int64
	if len(xs) > 0 {
		total = xs[len(xs)-1].pos + xs[len(xs)-1].length
	}
	if total < fe.size {
		return nil, formatErr(fe.off, "file of %d bytes has extents of only %d", fe.size, total)
	}
	return xs, nil
}

// oneExtent returns where a file entry's data starts when it is one
// recorded extent holding the whole file, or ok with no location for an
// empty file (nothing is read); ok is false for any other allocation
// (embedded data, several extents, unrecorded ones), and for an extent that
// does not lie in its partition, which reader then reports.
func (im *Image) oneExtent(fe *fileEntry) (loc lbAddr, ok bool) {
	if fe.size == 0 {
		return lbAddr{}, true
	}
	if fe.adKind == adEmbedded || len(fe.ads) < adSize(fe.adKind) {
		return lbAddr{}, false
	}
	ad := parseAD(fe.ads, fe.adKind, fe.loc.part)
	if ad.kind() != extRecorded || ad.bytes() < fe.size || im.checkExtent(ad.loc, ad.bytes(), fe.off) != nil {
		return lbAddr{}, false
	}
	return ad.loc, true
}

// reader returns a reader over a file entry's data.
func (im *Image) reader(fe *fileEntry) (*fileReader, error) {
	if fe.adKind == adEmbedded {
		return &fileReader{im: im, embedded: fe.ads[:fe.size], size: fe.size}, nil
	}
	xs, err := im.fileExtents(fe)
	if err != nil {
		return nil, err
	}
	return &fileReader{im: im, extents: xs, size: fe.size}, nil
}

// readAll reads a file entry's whole data, which the caller has bounded
// and keeps what it needs of: a directory's, a symlink's or the VAT's.
func (im *Image) readAll(fe *fileEntry) ([]byte, error) {
	r, err := im.reader(fe)
	if err != nil {
		return nil, err
	}
	r.meta = true
	buf := make([]byte, fe.size)
	if _, err := r.ReadAt(buf, 0); err != nil && len(buf) > 0 {
		return nil, err
	}
	return buf, nil
}

// deviceNumber finds the device specification extended attribute (ECMA-167
// 4/14.10.7: type 12) and returns its major and minor numbers.
func deviceNumber(eas []byte) (major, minor uint32, ok bool) {
	le := binary.LittleEndian
	// The extended attribute header descriptor (tag 262) comes first.
	if len(eas) < 24 || le.Uint16(eas[0:]) != tagEAHD {
		return 0, 0, false
	}
	for p := 24; p+12 <= len(eas); {
		typ := le.Uint32(eas[p:])
		n := int(le.Uint32(eas[p+8:]))
		if n < 12 || n > len(eas)-p {
			return 0, 0, false
		}
		if typ == 12 && n >= 24 {
			return le.Uint32(eas[p+16:]), le.Uint32(eas[p+20:]), true
		}
		p += n
	}
	return 0, 0, false
}
