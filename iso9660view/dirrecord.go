package iso9660view

import (
	"encoding/binary"
	"time"
)

// A directory is a sequence of directory records. Records never span a
// 2048-byte sector: a zero length byte means "the rest of this sector is
// padding". The first two records of every directory are "." (identifier
// byte 0x00) and ".." (0x01).
//
//	offset  size  field
//	0       1     record length (LEN_DR)
//	1       1     extended attribute record length, in blocks
//	2       8     extent location (both-endian 32-bit block number)
//	10      8     data length in bytes (both-endian 32-bit)
//	18      7     recording date and time
//	25      1     flags: 0x01 hidden, 0x02 directory, 0x04 associated,
//	              0x08 record format, 0x10 protection, 0x80 multi-extent
//	26      1     file unit size (interleaving), 0 if not interleaved
//	27      1     interleave gap size
//	28      4     volume sequence number
//	32      1     length of file identifier (LEN_FI)
//	33      LEN_FI file identifier; one padding byte if LEN_FI is even
//	...           system use area (SUSP / Rock Ridge entries) up to LEN_DR
const (
	drMinLen = 34 // 33 fixed bytes and at least one identifier byte

	flagHidden     = 0x01
	flagDir        = 0x02
	flagAssociated = 0x04
	flagMulti      = 0x80
)

// dirRecord is one parsed directory record. Its slices point into the
// sector buffer and are only valid while that buffer is.
type dirRecord struct {
	off      int64 // byte offset of the record in the image
	extent   int64 // block number
	earLen   int64 // extended attribute record length in blocks
	size     int64 // data length in bytes
	date     time.Time
	flags    byte
	unitSize byte
	gapSize  byte
	name     []byte
	su       []byte // system use area
}

func (r *dirRecord) isDir() bool { return r.flags&flagDir != 0 }

// isDot reports whether the record is "." or "..".
func (r *dirRecord) isDot() bool { return len(r.name) == 1 && r.name[0] <= 1 }

// parseDirRecord parses the record at b[0:b[0]]; off is its image offset.
// b must hold at least the whole record (the caller checks b[0] against the
// sector end).
func parseDirRecord(b []byte, off int64) (dirRecord, error) {
	n := int(b[0])
	if n < drMinLen || n > len(b) {
		return dirRecord{}, formatErr(off, "directory record length %d", n)
	}
	b = b[:n]
	nl := int(b[32])
	if nl == 0 || 33+nl > n {
		return dirRecord{}, formatErr(off, "file identifier length %d in a record of %d bytes", nl, n)
	}
	suStart := 33 + nl
	if nl%2 == 0 {
		suStart++
	}
	if suStart > n {
		suStart = n
	}
	return dirRecord{
		off:      off,
		earLen:   int64(b[1]),
		extent:   int64(binary.LittleEndian.Uint32(b[2:6])),
		size:     int64(binary.LittleEndian.Uint32(b[10:14])),
		date:     recordingDate(b[18:25]),
		flags:    b[25],
		unitSize: b[26],
		gapSize:  b[27],
		name:     b[33 : 33+nl],
		su:       b[suStart:],
	}, nil
}

// recordingDate parses the 7-byte date of directory records and short-form
// TF entries: years since 1900, month, day, hour, minute, second, offset from
// GMT in 15-minute units. An all-zero date means "not specified" and gives
// the zero time.
func recordingDate(b []byte) time.Time {
	if b[1] == 0 || b[2] == 0 {
		return time.Time{}
	}
	return time.Date(1900+int(b[0]), time.Month(b[1]), int(b[2]), int(b[3]), int(b[4]), int(b[5]), 0, gmtOffset(b[6])).UTC()
}
