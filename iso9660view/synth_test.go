package iso9660view

import (
	"encoding/binary"
)

// A tiny ISO 9660 writer for hand-made (and hostile) images: the system
// area, a primary volume descriptor at sector 16, a terminator at 17, the
// root directory at 18 and any further sectors the test supplies from 19.

// both32 encodes a both-endian 32-bit field.
func both32(v uint32) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, v)
	binary.BigEndian.PutUint32(b[4:], v)
	return b
}

// dirRec encodes a directory record.
func dirRec(name string, extent, size uint32, flags byte, su []byte) []byte {
	nl := len(name)
	pad := 0
	if nl%2 == 0 {
		pad = 1
	}
	n := 33 + nl + pad + len(su)
	if n%2 == 1 {
		n++
	}
	b := make([]byte, n)
	b[0] = byte(n)
	copy(b[2:], both32(extent))
	copy(b[10:], both32(size))
	copy(b[18:], []byte{121, 3, 14, 15, 9, 26, 0}) // 2021-03-14 15:09:26 GMT
	b[25] = flags
	b[28], b[31] = 1, 1 // volume sequence number 1, both-endian 16-bit
	b[32] = byte(nl)
	copy(b[33:], name)
	copy(b[33+nl+pad:], su)
	return b
}

// suEntry encodes a SUSP entry.
func suEntry(sig string, data ...byte) []byte {
	return append([]byte{sig[0], sig[1], byte(4 + len(data)), 1}, data...)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// spEntry announces SUSP (and so Rock Ridge) in the root "." record.
var spEntry = suEntry("SP", 0xBE, 0xEF, 0)

// nmEntry, pxEntry, ceEntry, clEntry build Rock Ridge / SUSP entries.
func nmEntry(flags byte, name string) []byte { return suEntry("NM", append([]byte{flags}, name...)...) }

func pxEntry(mode uint32) []byte {
	return suEntry("PX", cat(both32(mode), both32(1), both32(0), both32(0))...)
}

func ceEntry(block, off, length uint32) []byte {
	return suEntry("CE", cat(both32(block), both32(off), both32(length))...)
}

func clEntry(block uint32) []byte { return suEntry("CL", both32(block)...) }

// synthImage builds an image whose root directory holds the given records
// (after "." and ".."), with Rock Ridge announced if rock, and extra
// sectors from 19 on.
func synthImage(rock bool, records []byte, extra ...[]byte) []byte {
	var dotSU []byte
	if rock {
		dotSU = spEntry
	}
	root := cat(dirRec("\x00", 18, sectorSize, flagDir, dotSU), dirRec("\x01", 18, sectorSize, flagDir, nil))
	if len(root)+len(records) > sectorSize {
		panic("synthImage: root directory over one sector")
	}
	root = append(root, records...)
	nsec := 19 + len(extra)
	img := make([]byte, nsec*sectorSize)
	pvd := img[16*sectorSize:]
	pvd[0] = vdTypePrimary
	copy(pvd[1:], "CD001")
	pvd[6] = 1
	copy(pvd[8:40], "SYNTH                           ")
	copy(pvd[40:72], "SYNTHETIC                       ")
	copy(pvd[80:], both32(uint32(nsec)))
	binary.LittleEndian.PutUint16(pvd[128:], sectorSize)
	binary.BigEndian.PutUint16(pvd[130:], sectorSize)
	copy(pvd[156:], dirRec("\x00", 18, sectorSize, flagDir, nil))
	term := img[17*sectorSize:]
	term[0] = vdTypeTerminator
	copy(term[1:], "CD001")
	term[6] = 1
	copy(img[18*sectorSize:], root)
	for i, s := range extra {
		copy(img[(19+i)*sectorSize:(20+i)*sectorSize], s)
	}
	return img
}
