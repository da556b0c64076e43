package iso9660view

import (
	"encoding/binary"
	"io"
	"strings"
)

// El Torito bootable CDs carry a boot record volume descriptor ("EL TORITO
// SPECIFICATION", boot catalog block at offset 71) and a boot catalog made
// of 32-byte entries:
//
//	validation entry  header id 1, platform id, id string, checksum, 55 AA
//	initial entry     boot indicator (0x88 bootable, 0x00 not), media type
//	                  (0 no emulation, 1-3 floppy 1.2/1.44/2.88 MB, 4 hard
//	                  disk), load segment, system type, sector count (in
//	                  512-byte virtual sectors), load block (image block)
//	section header    0x90 (more follow) or 0x91 (last), platform id, number
//	                  of section entries, id string
//	section entry     like the initial entry, plus selection criteria
//	extension entry   0x44, continues the previous entry's criteria; skipped
//
// The catalog is read when the image is opened; a damaged catalog does not
// prevent reading the file system, it only leaves VolumeInfo.Boot empty and
// is reported by Image.BootCatalog.

// Boot platform IDs found in El Torito catalogs.
const (
	PlatformX86 = 0x00
	PlatformPPC = 0x01
	PlatformMac = 0x02
	PlatformEFI = 0xEF
)

const (
	bootEntrySz  = 32
	maxBootEntry = 256 // catalog entries read; real catalogs have a handful
)

// Boot media types (emulation modes).
const (
	MediaNoEmulation = 0
	MediaFloppy12M   = 1
	MediaFloppy144M  = 2
	MediaFloppy288M  = 3
	MediaHardDisk    = 4
)

// BootEntry is one boot image of an El Torito catalog.
type BootEntry struct {
	Platform    byte   // PlatformX86, PlatformEFI, ...
	Bootable    bool   // boot indicator 0x88
	Media       byte   // MediaNoEmulation, MediaFloppy144M, ...
	LoadSegment uint16 // x86 real-mode load segment (0 means 0x7C0)
	SystemType  byte   // partition type byte for hard-disk emulation
	SectorCount uint16 // 512-byte sectors loaded by the BIOS
	Block       int64  // first block of the boot image (in 2048-byte units)
	ID          string // section id string, if any
}

// Size returns the size in bytes of the boot image as far as the catalog
// tells: the emulated floppy size, or SectorCount*512 otherwise. For
// no-emulation images this is only what the firmware loads, often a
// fraction of the file (which the directory tree lists with its full size).
func (b BootEntry) Size() int64 {
	switch b.Media {
	case MediaFloppy12M:
		return 1200 << 10
	case MediaFloppy144M:
		return 1440 << 10
	case MediaFloppy288M:
		return 2880 << 10
	}
	return int64(b.SectorCount) * 512
}

// parseBootCatalog reads the boot catalog at block blk (2048-byte units).
func parseBootCatalog(r io.ReaderAt, size, blk int64) ([]BootEntry, error) {
	off := blk * sectorSize
	if off+sectorSize > size {
		return nil, formatErr(off, "El Torito boot catalog at block %d lies past the end of the image", blk)
	}
	cat := make([]byte, sectorSize)
	if err := readFull(r, cat, off); err != nil {
		return nil, err
	}
	v := cat[:bootEntrySz]
	if v[0] != 1 || v[30] != 0x55 || v[31] != 0xAA {
		return nil, formatErr(off, "El Torito validation entry is missing")
	}
	var sum uint16
	for i := 0; i < bootEntrySz; i += 2 {
		sum += binary.LittleEndian.Uint16(v[i:])
	}
	if sum != 0 {
		return nil, formatErr(off, "El Torito validation entry checksum is wrong")
	}
	platform := v[1]
	entries := []BootEntry{parseBootEntry(cat[bootEntrySz:2*bootEntrySz], platform, "")}
	// Section headers and entries follow the initial entry; a catalog may
	// exceed one sector, but real ones do not, and one sector bounds the walk.
	id := ""
	for p := 2 * bootEntrySz; p+bootEntrySz <= len(cat) && len(entries) < maxBootEntry; p += bootEntrySz {
		e := cat[p : p+bootEntrySz]
		switch e[0] {
		case 0x90, 0x91:
			platform = e[1]
			id = strings.TrimRight(string(e[4:32]), " \x00")
		case 0x88, 0x00:
			if allZero(e) {
				continue // unused slot
			}
			entries = append(entries, parseBootEntry(e, platform, id))
		case 0x44:
			// extension entry: more selection criteria, nothing we expose
		default:
			return entries, nil
		}
	}
	return entries, nil
}

func parseBootEntry(e []byte, platform byte, id string) BootEntry {
	return BootEntry{
		Platform:    platform,
		Bootable:    e[0] == 0x88,
		Media:       e[1] & 0x0F,
		LoadSegment: binary.LittleEndian.Uint16(e[2:]),
		SystemType:  e[4],
		SectorCount: binary.LittleEndian.Uint16(e[6:]),
		Block:       int64(binary.LittleEndian.Uint32(e[8:])),
		ID:          id,
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
