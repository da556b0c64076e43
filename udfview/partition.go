package udfview

import (
	"encoding/binary"
	"sort"
)

// Blocks are addressed within partitions. The logical volume descriptor
// lists partition maps; a partition reference number (an index into them)
// and a logical block number name a block. A map is one of:
//
//   - type 1, physical: the partition descriptor with that number gives a
//     start block and a length; block b is image block start+b.
//   - type 2 "*UDF Sparable Partition" (rewritable discs, UDF 1.50+): as
//     physical, but a sparing table moves some packets (runs of a fixed
//     number of blocks) elsewhere after write errors.
//   - type 2 "*UDF Virtual Partition" (write-once discs written
//     incrementally, UDF 1.50+): block b is entry b of the virtual
//     allocation table (VAT), a file recorded last on the disc, which gives
//     a block of the physical partition with the same number.
//   - type 2 "*UDF Metadata Partition" (UDF 2.50+, Blu-ray): block b is
//     byte b×blocksize of the metadata file, a file of the physical
//     partition holding every file entry and directory; a mirror file holds
//     a copy of it.

// mapKind is the kind of a partition map.
type mapKind uint8

const (
	mapPhysical mapKind = iota
	mapSparable
	mapVirtual
	mapMetadata
)

func (k mapKind) String() string {
	return [...]string{"physical", "sparable", "virtual", "metadata"}[k]
}

const (
	// maxVATBytes bounds the virtual allocation table read into memory.
	maxVATBytes = 64 << 20
	// vatSearch is how many blocks before the end of the image are searched
	// for the VAT's file entry.
	vatSearch = 16
	// maxSparingEntries bounds one sparing table.
	maxSparingEntries = 1 << 16
)

// partition is one partition map, resolved.
type partition struct {
	kind   mapKind
	number uint16
	start  int64 // physical, sparable: first image block
	length int64 // blocks

	under  uint16            // virtual, metadata: reference of the physical map beneath
	packet int64             // sparable: packet length in blocks
	spared map[uint32]uint32 // sparable: packet start -> image block
	vat    []uint32          // virtual: block -> block of the partition beneath
	meta   []extent          // metadata: the metadata file's extents (in under)
	mirror []extent          // metadata: the mirror file's extents, nil if none
}

// mapRun maps n >= 1 blocks from block lbn of partition ref to an image
// offset, and says how many of them (at least 1) are contiguous there.
// mirror reads a metadata partition through its mirror file.
func (im *Image) mapRun(ref uint16, lbn uint32, n int64, mirror bool) (off int64, run int64, err error) {
	if int(ref) >= len(im.parts) {
		return 0, 0, formatErr(-1, "partition reference %d, the volume has %d", ref, len(im.parts))
	}
	p := &im.parts[ref]
	b := int64(lbn)
	if b >= p.length {
		return 0, 0, formatErr(-1, "block %d lies past the end of partition %d (%d blocks)", lbn, ref, p.length)
	}
	n = min(n, p.length-b)
	switch p.kind {
	case mapPhysical:
		return (p.start + b) * im.bs, n, nil
	case mapSparable:
		within := b % p.packet
		n = min(n, p.packet-within)
		if to, ok := p.spared[uint32(b-within)]; ok {
			return (int64(to) + within) * im.bs, n, nil
		}
		return (p.start + b) * im.bs, n, nil
	case mapVirtual:
		v := p.vat[b]
		if v == 0xffffffff {
			return 0, 0, formatErr(-1, "virtual block %d is not allocated in the VAT", lbn)
		}
		off, _, err := im.mapRun(p.under, v, 1, false)
		return off, 1, err
	}
	xs := p.meta
	if mirror && p.mirror != nil {
		xs = p.mirror
	}
	pos := b * im.bs
	i := sort.Search(len(xs), func(i int) bool { return xs[i].pos+xs[i].length > pos })
	if i == len(xs) || xs[i].kind != extRecorded {
		return 0, 0, formatErr(-1, "block %d of the metadata partition is not recorded in the metadata file", lbn)
	}
	x := xs[i]
	within := (pos - x.pos) / im.bs
	n = max(1, min(n, x.length/im.bs-within))
	return im.mapRun(x.loc.part, x.loc.lbn+uint32(within), n, false)
}

// checkExtent checks that an extent of length bytes at loc lies inside its
// partition; from is the image offset of the descriptor naming it.
func (im *Image) checkExtent(loc lbAddr, length int64, from int64) error {
	if int(loc.part) >= len(im.parts) {
		return formatErr(from, "extent in partition %d, the volume has %d", loc.part, len(im.parts))
	}
	p := &im.parts[loc.part]
	blocks := (length + im.bs - 1) / im.bs
	if int64(loc.lbn) > p.length || blocks > p.length-int64(loc.lbn) {
		return formatErr(from, "extent of %d bytes at block %d runs past the end of partition %d (%d blocks)", length, loc.lbn, loc.part, p.length)
	}
	return nil
}

// readDescriptor reads the block at loc (through s if not nil, else into
// a new buffer) and checks that it holds a descriptor with tag want
// recorded for that block. A descriptor of a metadata partition whose main
// copy is damaged is read from the mirror. It returns the block and its
// image offset.
func (im *Image) readDescriptor(loc lbAddr, want uint16, s *scratch) ([]byte, int64, error) {
	var buf []byte
	var off int64
	var err error
	if s == nil {
		buf = make([]byte, im.bs)
		off, err = im.readBlock(buf, loc, false)
	} else {
		buf = s.block
		off, err = im.readAhead(s, loc)
	}
	if err != nil {
		return nil, off, err
	}
	_, err = checkTag(buf, want, int64(loc.lbn), off)
	if err == nil {
		return buf, off, nil
	}
	if p := &im.parts[loc.part]; p.kind == mapMetadata && p.mirror != nil {
		moff, merr := im.readBlock(buf, loc, true)
		if merr == nil {
			if _, merr = checkTag(buf, want, int64(loc.lbn), moff); merr == nil {
				return buf, moff, nil
			}
		}
	}
	return nil, off, err
}

// readBlock reads the block at loc into buf (one block long).
func (im *Image) readBlock(buf []byte, loc lbAddr, mirror bool) (int64, error) {
	off, _, err := im.mapRun(loc.part, loc.lbn, 1, mirror)
	if err != nil {
		return -1, err
	}
	return off, im.readFull(buf, off)
}

// readAheadSize bounds what a listing reads at once when it reads its
// children's file entries.
const readAheadSize = 64 << 10

// scratch is where a directory listing reads its children's file entries:
// one block, and a window of the image read ahead.
//
// The listing reads the entries in block order and tells the scratch which
// are still to come (ahead), so that a window holds just the blocks from
// the one wanted to the last wanted one within readAheadSize. Writers
// record the file entries of a directory's files one after another, but not
// always those of its subdirectories: genisoimage puts each directory's
// file entry with the directory's own identifiers, elsewhere in the image.
// A window of a fixed size read for each of those made a walk of the bench
// tree read 497 MB for 152 MB of file entries (now 200 MB), and its reads,
// a few blocks apart, looked like a sequential stream to a caching reader
// below (isz), which then decoded chunks ahead that no one read.
//
// Before its file entries, the listing parses the directory's identifiers
// through the same buffer (see forEachFID), so it is fidWindow long.
// Scratches are reused through the image's pool: one made for each
// listing was a third of what a walk of the small bench disc allocated
// (46 of 134 MB), garbage that raised the peak memory of a mount.
type scratch struct {
	block  []byte
	win    []byte // cap fidWindow
	winOff int64
	winMax int64    // bytes a window of file entries holds at most (see listEntries)
	ahead  []lbAddr // the file entries still to read, in block order
}

// getScratch returns a scratch for a listing, which the caller gives back
// with putScratch.
func (im *Image) getScratch() *scratch {
	s, _ := im.scratches.Get().(*scratch)
	if s == nil {
		s = &scratch{block: make([]byte, im.bs), win: make([]byte, 0, fidWindow)}
	}
	return s
}

// listEntries readies s to read the file entries of a listing of the given
// number of entries: its windows read no more blocks than there are
// entries, so a directory of three files does not read 64 KiB.
func (im *Image) listEntries(s *scratch, entries int) {
	s.win, s.winOff, s.winMax = s.win[:0], 0, min(readAheadSize, int64(entries)*im.bs)
}

// putScratch puts s back in the pool.
func (im *Image) putScratch(s *scratch) {
	s.ahead = nil
	im.scratches.Put(s)
}

// readAhead reads the block at loc into s.block, from the window if it
// holds it, else refilling the window from there to the last block of
// s.ahead (which starts at loc when loc is the next entry of the listing)
// that fits in it.
func (im *Image) readAhead(s *scratch, loc lbAddr) (int64, error) {
	blocks := int64(1)
	for _, a := range s.ahead {
		if a.part != loc.part || a.lbn < loc.lbn || int64(a.lbn-loc.lbn) >= s.winMax/im.bs {
			break
		}
		blocks = int64(a.lbn-loc.lbn) + 1
	}
	off, run, err := im.mapRun(loc.part, loc.lbn, blocks, false)
	if err != nil {
		return -1, err
	}
	bs := int64(len(s.block))
	if off < s.winOff || off+bs > s.winOff+int64(len(s.win)) {
		n := min(run*bs, s.winMax, im.size-off)
		if n < bs {
			return off, im.readFull(s.block, off) // reports the short image
		}
		s.win = s.win[:n]
		if err := im.readFull(s.win, off); err != nil {
			s.win = s.win[:0]
			return off, err
		}
		s.winOff = off
	}
	copy(s.block, s.win[off-s.winOff:])
	return off, nil
}

// setupPartitions resolves the logical volume's partition maps against the
// partition descriptors.
func (im *Image) setupPartitions(lv lvdInfo, pds map[uint16][]byte, lvdOff int64) error {
	im.parts = make([]partition, len(lv.maps))
	physOf := func(num uint16) (int64, int64, error) {
		pd, ok := pds[num]
		if !ok {
			return 0, 0, formatErr(lvdOff, "no partition descriptor for partition %d", num)
		}
		start := int64(binary.LittleEndian.Uint32(pd[188:]))
		length := int64(binary.LittleEndian.Uint32(pd[192:]))
		// What lies past the end of the image is not there to read (a
		// truncated image): the partition ends with the image, so extents
		// beyond it are rejected before anything is allocated for them.
		length = max(0, min(length, im.size/im.bs-start))
		return start, length, nil
	}
	for i, m := range lv.maps {
		p := &im.parts[i]
		switch {
		case m[0] == 1 && len(m) >= 6:
			p.kind, p.number = mapPhysical, binary.LittleEndian.Uint16(m[4:])
		case m[0] == 2 && len(m) >= 64:
			p.number = binary.LittleEndian.Uint16(m[38:])
			switch id := regid(m[4:36]); id {
			case "*UDF Sparable Partition":
				p.kind = mapSparable
			case "*UDF Virtual Partition":
				p.kind = mapVirtual
			case "*UDF Metadata Partition":
				p.kind = mapMetadata
			default:
				return unsupportedErr(lvdOff+440, "partition map %d of type %q", i, id)
			}
		default:
			return unsupportedErr(lvdOff+440, "partition map %d of type %d", i, m[0])
		}
		im.info.PartitionMaps = append(im.info.PartitionMaps, p.kind.String())
		var err error
		if p.start, p.length, err = physOf(p.number); err != nil {
			return err
		}
	}
	// Virtual and metadata maps sit on the physical (or sparable) map of
	// the same partition number; set those up first.
	for i := range im.parts {
		p := &im.parts[i]
		if p.kind == mapSparable {
			if err := im.loadSparing(p, lv.maps[i], lvdOff); err != nil {
				return err
			}
		}
	}
	for i := range im.parts {
		p := &im.parts[i]
		if p.kind != mapVirtual && p.kind != mapMetadata {
			continue
		}
		under := -1
		for j := range im.parts {
			if q := &im.parts[j]; q.number == p.number && (q.kind == mapPhysical || q.kind == mapSparable) {
				under = j
				break
			}
		}
		if under < 0 {
			return formatErr(lvdOff+440, "%s partition map %d has no physical partition %d beneath", p.kind, i, p.number)
		}
		p.under = uint16(under)
		// Until loaded, the partition has no blocks: a VAT or metadata
		// file addressing its own partition finds nothing there.
		p.length = 0
		var err error
		if p.kind == mapVirtual {
			err = im.loadVAT(p)
		} else {
			err = im.loadMetadata(p, lv.maps[i])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadSparing reads the first valid sparing table of a sparable map
// (UDF 2.2.9 and 2.2.12).
func (im *Image) loadSparing(p *partition, m []byte, lvdOff int64) error {
	p.packet = int64(binary.LittleEndian.Uint16(m[40:]))
	ntables := int(m[42])
	tsize := int64(binary.LittleEndian.Uint32(m[44:]))
	if p.packet == 0 || p.packet&(p.packet-1) != 0 || ntables < 1 || ntables > 4 {
		return formatErr(lvdOff+440, "sparable partition with packet length %d and %d sparing tables", p.packet, ntables)
	}
	var lastErr error
	for t := 0; t < ntables; t++ {
		blk := int64(binary.LittleEndian.Uint32(m[48+4*t:]))
		n := min(tsize, 56+8*maxSparingEntries)
		n = (n + im.bs - 1) / im.bs * im.bs
		if n < 56 || blk*im.bs > im.size-n || blk < 0 {
			lastErr = formatErr(lvdOff+440, "sparing table at block %d of %d bytes lies past the end of the image", blk, tsize)
			continue
		}
		buf := make([]byte, n)
		if err := im.readFull(buf, blk*im.bs); err != nil {
			return err
		}
		if _, err := checkTag(buf, 0, -1, blk*im.bs); err != nil || regid(buf[16:48]) != "*UDF Sparing Table" {
			lastErr = formatErr(blk*im.bs, "damaged sparing table")
			continue
		}
		entries := int64(binary.LittleEndian.Uint16(buf[48:]))
		if 56+8*entries > n {
			lastErr = formatErr(blk*im.bs, "sparing table of %d entries runs past its %d bytes", entries, n)
			continue
		}
		p.spared = make(map[uint32]uint32)
		for e := int64(0); e < entries; e++ {
			orig := binary.LittleEndian.Uint32(buf[56+8*e:])
			to := binary.LittleEndian.Uint32(buf[60+8*e:])
			if orig < 0xfffffff0 {
				p.spared[orig] = to
			}
		}
		return nil
	}
	return lastErr
}

// loadVAT finds the virtual allocation table: the file entry recorded in
// the last blocks of the image (UDF 2.2.11 for 2.xx: file type 248; UDF
// 1.50: file type 0 with the identifier "*UDF Virtual Alloc Tbl" at the
// end of its data).
func (im *Image) loadVAT(p *partition) error {
	q := &im.parts[p.under]
	last := im.size/im.bs - 1
	var firstErr error
	for b := last; b >= max(last-vatSearch, q.start); b-- {
		lbn := b - q.start
		if lbn >= q.length {
			continue
		}
		loc := lbAddr{lbn: uint32(lbn), part: p.under}
		fe, err := im.readICB(loc, nil)
		if err != nil {
			continue
		}
		if fe.fileType != 248 && fe.fileType != 0 {
			continue
		}
		if fe.size > maxVATBytes {
			return formatErr(fe.off, "VAT of %d bytes", fe.size)
		}
		data, err := im.readAll(fe)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		var table []byte
		if fe.fileType == 248 {
			if len(data) < 152 {
				continue
			}
			hdr := int(binary.LittleEndian.Uint16(data[0:]))
			if hdr < 152 || hdr > len(data) {
				return formatErr(fe.off, "VAT header of %d bytes", hdr)
			}
			table = data[hdr:]
		} else {
			if len(data) < 36 || regid(data[len(data)-36:]) != "*UDF Virtual Alloc Tbl" {
				continue
			}
			table = data[:len(data)-36]
		}
		p.vat = make([]uint32, len(table)/4)
		for i := range p.vat {
			p.vat[i] = binary.LittleEndian.Uint32(table[4*i:])
		}
		p.length = int64(len(p.vat))
		im.info.VAT = true
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	return formatErr(last*im.bs, "no virtual allocation table in the last %d blocks", vatSearch)
}

// loadMetadata reads the file entries of the metadata file and of its
// mirror (UDF 2.2.10); either one suffices.
func (im *Image) loadMetadata(p *partition, m []byte) error {
	var err [2]error
	var xs [2][]extent
	var size [2]int64
	for i, at := range []int{40, 44} {
		loc := lbAddr{lbn: binary.LittleEndian.Uint32(m[at:]), part: p.under}
		fe, e := im.readICB(loc, nil)
		if e == nil {
			if fe.adKind == adEmbedded {
				e = unsupportedErr(fe.off, "metadata file with embedded data")
			} else {
				xs[i], e = im.extents(fe.ads, fe.adKind, fe.loc.part, fe.off)
				size[i] = fe.size
				for _, x := range xs[i] {
					if x.loc.part != p.under && e == nil {
						e = formatErr(fe.off, "metadata file extent in partition %d, not in %d beneath it", x.loc.part, p.under)
					}
				}
			}
		}
		err[i] = e
	}
	switch {
	case err[0] == nil:
		p.meta, p.length = xs[0], size[0]/im.bs
		if err[1] == nil {
			p.mirror = xs[1]
		}
	case err[1] == nil:
		p.meta, p.length = xs[1], size[1]/im.bs
		im.info.MetadataMirror = true
	default:
		return err[0]
	}
	return nil
}
