package iso9660view

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

// Volume descriptors start at sector 16 (the 32 KiB before are the system
// area, free for boot code or partition tables) and follow each other, one
// per 2048-byte sector, up to a terminator. A UDF volume recognition
// sequence (BEA01, NSR02/NSR03, TEA01) may follow the ISO 9660 set, or stand
// alone on a UDF-only disc.
//
//	offset  size  field
//	0       1     type: 0 boot record, 1 primary, 2 supplementary/enhanced, 255 terminator
//	1       5     standard identifier "CD001" (or "BEA01", "NSR02"... for UDF)
//	6       1     version (1; 2 for an ISO 9660:1999 enhanced descriptor)
//	8      32     system identifier                     (primary/supplementary)
//	40     32     volume identifier
//	80      8     volume space size in blocks (both-endian 32-bit)
//	88     32     escape sequences (Joliet: "%/@", "%/C" or "%/E")
//	128     4     logical block size (both-endian 16-bit)
//	156    34     root directory record
//	318   128     publisher identifier
//	574   128     application identifier
//	813    17     volume creation date (dec-datetime)
//	830    17     volume modification date
const (
	firstDescriptor  = 16
	maxDescriptors   = 64 // sectors scanned for descriptors; real discs use < 8
	vdTypeBoot       = 0
	vdTypePrimary    = 1
	vdTypeSupplement = 2
	vdTypeTerminator = 255
)

// descriptor is what Open keeps of a primary, supplementary or enhanced
// volume descriptor.
type descriptor struct {
	off         int64 // byte offset of the descriptor
	blockSize   int64
	blocks      int64
	root        []byte // the 34-byte root directory record
	jolietLevel int    // 1-3 for a Joliet supplementary descriptor, else 0
	ucs2        bool   // identifiers are UCS-2 (Joliet)
	raw         []byte
}

// descriptorSet is the result of scanning the volume descriptors.
type descriptorSet struct {
	primary  *descriptor
	joliet   *descriptor
	enhanced *descriptor
	bootCat  int64 // El Torito boot catalog LBA, or -1
	udf      bool
}

func readDescriptors(r io.ReaderAt, size int64) (*descriptorSet, error) {
	ds := &descriptorSet{bootCat: -1}
	buf := make([]byte, sectorSize)
	sawISO, inUDF := false, false
	for i := int64(0); i < maxDescriptors; i++ {
		off := (firstDescriptor + i) * sectorSize
		if off+sectorSize > size {
			break
		}
		if err := readFull(r, buf, off); err != nil {
			return nil, err
		}
		id := string(buf[1:6])
		switch id {
		case "BEA01", "NSR02", "NSR03", "BOOT2", "CDW02":
			inUDF = true
			if id == "NSR02" || id == "NSR03" {
				ds.udf = true
			}
			continue
		case "TEA01":
			i = maxDescriptors // the recognition sequence is over
			continue
		case "CD001":
			if inUDF {
				// ISO descriptors after a UDF sequence are not part of
				// the ISO 9660 volume descriptor set.
				i = maxDescriptors
				continue
			}
		default:
			i = maxDescriptors
			continue
		}
		sawISO = true
		switch buf[0] {
		case vdTypeTerminator:
			// A UDF recognition sequence may follow; keep scanning for it,
			// but no further ISO descriptors count.
			inUDF = true
		case vdTypeBoot:
			if ds.bootCat < 0 && bytes.HasPrefix(buf[7:39], []byte("EL TORITO SPECIFICATION")) {
				ds.bootCat = int64(binary.LittleEndian.Uint32(buf[71:75]))
			}
		case vdTypePrimary:
			if ds.primary == nil {
				d, err := parseDescriptor(buf, off)
				if err != nil {
					return nil, err
				}
				ds.primary = d
			}
		case vdTypeSupplement:
			d, err := parseDescriptor(buf, off)
			if err != nil {
				// A broken supplementary descriptor must not make the
				// primary tree unreadable.
				continue
			}
			if buf[6] == 2 {
				if ds.enhanced == nil {
					ds.enhanced = d
				}
			} else if lvl := jolietLevel(buf[88:120]); lvl > 0 && ds.joliet == nil {
				d.jolietLevel, d.ucs2 = lvl, true
				ds.joliet = d
			}
		}
	}
	if ds.primary == nil {
		if ds.udf {
			return nil, ErrUDFOnly
		}
		if sawISO {
			return nil, fmt.Errorf("%w: volume descriptor set has no primary volume descriptor", ErrNotISO9660)
		}
		return nil, ErrNotISO9660
	}
	return ds, nil
}

func parseDescriptor(buf []byte, off int64) (*descriptor, error) {
	bs := int64(binary.LittleEndian.Uint16(buf[128:130]))
	switch bs {
	case 512, 1024, 2048:
	default:
		return nil, formatErr(off+128, "logical block size %d (want 512, 1024 or 2048)", bs)
	}
	return &descriptor{
		off:       off,
		blockSize: bs,
		blocks:    int64(binary.LittleEndian.Uint32(buf[80:84])),
		root:      bytes.Clone(buf[156:190]),
		raw:       bytes.Clone(buf),
	}, nil
}

// jolietLevel recognises the escape sequences of a Joliet supplementary
// descriptor: "%/@" level 1, "%/C" level 2, "%/E" level 3.
func jolietLevel(esc []byte) int {
	for i := 0; i+3 <= len(esc); i++ {
		if esc[i] == '%' && esc[i+1] == '/' {
			switch esc[i+2] {
			case '@':
				return 1
			case 'C':
				return 2
			case 'E':
				return 3
			}
		}
	}
	return 0
}

// identifier returns a descriptor text field with padding removed.
func (d *descriptor) identifier(from, to int) string {
	b := d.raw[from:to]
	if d.ucs2 {
		return strings.TrimRight(decodeUCS2(b), " \x00")
	}
	return strings.TrimRight(string(b), " \x00")
}

// decDateTime parses the 17-byte "dec-datetime" of volume descriptors and
// long-form Rock Ridge TF: "YYYYMMDDHHMMSScc" in ASCII, then the offset from
// GMT in 15-minute units (signed). An all-zero date means "not specified"
// and gives the zero time.
func decDateTime(b []byte) time.Time {
	if len(b) < 17 {
		return time.Time{}
	}
	var v [7]int
	widths := [7]int{4, 2, 2, 2, 2, 2, 2}
	pos := 0
	for i, w := range widths {
		for _, c := range b[pos : pos+w] {
			if c < '0' || c > '9' {
				return time.Time{}
			}
			v[i] = v[i]*10 + int(c-'0')
		}
		pos += w
	}
	if v[0] == 0 || v[1] == 0 || v[2] == 0 {
		return time.Time{}
	}
	return time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], v[6]*10_000_000, gmtOffset(b[16])).UTC()
}
