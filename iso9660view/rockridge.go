package iso9660view

import (
	"encoding/binary"
	"strings"
	"time"
)

// Rock Ridge (RRIP, IEEE P1282) entries carried in SUSP system use areas.
// Both-endian fields are read from their little-endian half, as the kernel
// does. Versions 1.09 ("RRIP_1991A"), 1.10 ("IEEE_P1282") and 1.12
// ("IEEE_1282") differ here only in PX, which gained a serial number (file
// inode) in 1.12.
//
//	PX  mode, links, uid, gid [, serial]     8 bytes each (both-endian 32-bit)
//	PN  device number high, low              8 bytes each
//	SL  flags(1) then components: flags(1) length(1) content;
//	    component flags 0x01 continues in the next component, 0x02 ".",
//	    0x04 "..", 0x08 root "/"
//	NM  flags(1) name; 0x01 continues in the next NM, 0x02 ".", 0x04 ".."
//	TF  flags(1) then one timestamp per set bit: 0x01 creation,
//	    0x02 modification, 0x04 access, 0x08 attribute change, 0x10 backup,
//	    0x20 expiration, 0x40 effective; 0x80 selects the 17-byte long form
//	    instead of the 7-byte directory record form
//	CL  block of the relocated directory (on a placeholder file)
//	PL  block of the original parent (on a relocated directory's "..")
//	RE  marks a relocated directory in its relocation directory
//	ZF  zisofs: algorithm "pz", header size/4, log2 block size, size
const (
	// POSIX file type bits of PX modes.
	sIFMT   = 0o170000
	sIFSOCK = 0o140000
	sIFLNK  = 0o120000
	sIFREG  = 0o100000
	sIFBLK  = 0o060000
	sIFDIR  = 0o040000
	sIFCHR  = 0o020000
	sIFIFO  = 0o010000
)

// rrInfo is what the Rock Ridge entries of one record say.
//
// A PX link count is what a file's Nlink shows, as the kernel does
// (xorriso records the names in the image, genisoimage those of the source
// tree, which may hold more); a directory's is counted from its listing.
// PX serial numbers are not used: inode identity comes from the extents
// (see Entry.Inode). PL is not needed either, since a relocated
// directory's parent is the directory its CL entry was found in.
type rrInfo struct {
	hasPX               bool
	mode                uint32
	nlink               uint32
	uid, gid            uint32
	hasPN               bool
	devHigh, devLow     uint32
	hasNM               bool
	nmDot               string // NM flagged the name "." or ".."
	name                []byte
	hasSL               bool
	sl                  slBuilder
	mtime, atime, ctime time.Time
	hasCL, hasRE        bool
	cl                  int64
	zf                  *zfEntry
}

// zfEntry is a Rock Ridge ZF (zisofs) entry.
type zfEntry struct {
	algo     string
	hdrWords byte
	log2Blk  byte
	size     int64
}

// add folds one SUSP entry into the record's Rock Ridge information.
// Entries too short for their kind are ignored.
func (rr *rrInfo) add(e suspEntry) {
	d := e.data
	switch e.sig {
	case "PX":
		if len(d) < 32 {
			return
		}
		rr.hasPX = true
		rr.mode = binary.LittleEndian.Uint32(d[0:])
		rr.nlink = binary.LittleEndian.Uint32(d[8:])
		rr.uid = binary.LittleEndian.Uint32(d[16:])
		rr.gid = binary.LittleEndian.Uint32(d[24:])
	case "PN":
		if len(d) < 16 {
			return
		}
		rr.hasPN = true
		rr.devHigh = binary.LittleEndian.Uint32(d[0:])
		rr.devLow = binary.LittleEndian.Uint32(d[8:])
	case "NM":
		if len(d) < 1 {
			return
		}
		rr.hasNM = true
		switch {
		case d[0]&0x02 != 0:
			rr.nmDot = "."
		case d[0]&0x04 != 0:
			rr.nmDot = ".."
		}
		if len(rr.name)+len(d)-1 <= maxSUSPBytes {
			rr.name = append(rr.name, d[1:]...)
		}
	case "SL":
		if len(d) < 1 {
			return
		}
		rr.hasSL = true
		rr.sl.add(d[1:])
	case "TF":
		rr.addTF(d)
	case "CL":
		if len(d) >= 8 {
			rr.hasCL, rr.cl = true, int64(binary.LittleEndian.Uint32(d[0:]))
		}
	case "RE":
		rr.hasRE = true
	case "ZF":
		if len(d) < 12 {
			return
		}
		rr.zf = &zfEntry{
			algo:     string(d[0:2]),
			hdrWords: d[2],
			log2Blk:  d[3],
			size:     int64(binary.LittleEndian.Uint32(d[4:])),
		}
	}
}

func (rr *rrInfo) addTF(d []byte) {
	if len(d) < 1 {
		return
	}
	flags := d[0]
	width := 7
	parse := recordingDate
	if flags&0x80 != 0 {
		width, parse = 17, decDateTime
	}
	p := d[1:]
	for bit := 0; bit < 7; bit++ {
		if flags&(1<<bit) == 0 {
			continue
		}
		if len(p) < width {
			return
		}
		t := parse(p[:width])
		p = p[width:]
		switch bit {
		case 1:
			rr.mtime = t
		case 2:
			rr.atime = t
		case 3:
			rr.ctime = t
		}
	}
}

// slBuilder assembles a symlink target from SL components, which may
// continue across components and across SL entries.
type slBuilder struct {
	b        strings.Builder
	cont     bool // the last component continues in the next one
	started  bool
	rootOnly bool // the target so far is just "/"
}

func (s *slBuilder) add(comps []byte) {
	for len(comps) >= 2 {
		flags, n := comps[0], int(comps[1])
		if 2+n > len(comps) {
			return
		}
		content := comps[2 : 2+n]
		comps = comps[2+n:]
		if s.b.Len()+n+2 > maxSUSPBytes {
			return
		}
		if s.started && !s.cont && !s.rootOnly {
			s.b.WriteByte('/')
		}
		s.rootOnly = false
		switch {
		case flags&0x08 != 0:
			if !s.started {
				s.b.WriteByte('/')
				s.rootOnly = true
			}
		case flags&0x02 != 0:
			s.b.WriteByte('.')
		case flags&0x04 != 0:
			s.b.WriteString("..")
		default:
			s.b.Write(content)
		}
		s.started = true
		s.cont = flags&0x01 != 0
	}
}

func (s *slBuilder) String() string { return s.b.String() }

// rdev encodes PN device numbers as a Linux dev_t (glibc's 64-bit makedev,
// the value of syscall.Stat_t.Rdev). Tools disagree on PN: libisofs
// (xorriso) splits a dev_t into its high and low 32 bits, mkisofs writes the
// major and minor numbers. With a zero high word both read the low word as a
// dev_t (which also covers old 16-bit major<<8|minor numbers, like the
// kernel); otherwise the words are major and minor, as the kernel reads them.
func (rr *rrInfo) rdev() uint64 {
	if rr.devHigh == 0 {
		return uint64(rr.devLow)
	}
	return makedev(uint64(rr.devHigh), uint64(rr.devLow))
}

// makedev encodes a Linux dev_t like glibc.
func makedev(major, minor uint64) uint64 {
	return major&0xfffff000<<32 | major&0xfff<<8 | minor&0xffffff00<<12 | minor&0xff
}
