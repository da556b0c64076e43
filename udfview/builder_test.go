package udfview

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// builder is a small test-only UDF writer. No tool on Debian writes files
// into a VAT volume, a metadata partition, 16-bit CS0 names, file
// identifiers that cross block boundaries, sparse files over 4 GiB without
// writing their data, device nodes, strategy-4096 chains or allocation
// extent chains; the tests build those images here, and hostile ones by
// editing what it makes.
//
// Layout: the volume recognition sequence at 32 KiB, the anchor at block
// 256 (and N-1), the main volume descriptor sequence at 257, the reserve
// at 270, the integrity descriptor at 290, the physical partition from
// block 300. File entries and directories live in the "ICB space": the
// physical partition itself (kind "plain" or "sparable"), the metadata
// partition (kind "metadata": its blocks are the metadata file's, recorded
// in the physical partition with a mirror copy), or the virtual partition
// (kind "virtual": its blocks are scattered in the physical partition,
// backwards, and found through the VAT). File data always lives in the
// physical partition, named by long_ads.
type builder struct {
	bs   int
	kind string   // "plain", "sparable", "metadata", "virtual"
	phys [][]byte // physical partition blocks
	icbs [][]byte // ICB space blocks (== phys for plain and sparable)
	rev  uint16

	// After build: where things landed, for tests that edit the image.
	partStart int            // image block of physical block 0
	icbPhys   map[uint32]int // ICB-space block -> image block
	metaFE    int            // image block of the metadata file's entry
	fsd       int            // image block of the file set descriptor
	spareFrom uint32         // sparable: physical packet moved
	crossings int            // file identifiers written across a block boundary
}

const partStartBlock = 300

// hfile is a file of the tree a builder writes.
type hfile struct {
	name     []byte // CS0, compression ID first
	chars    byte   // extra FID characteristics (hidden, deleted)
	fileType uint8
	perm     uint32
	flags    uint16 // ICB flags beyond the AD kind (setuid...)
	uid, gid uint32
	data     []byte
	embed    bool
	eas      []byte
	ads      []byte // prebuilt long_ads (overrides data placement)
	size     int64  // information length when ads is set
	kids     []*hfile
	link     *hfile // hard link: another name for this file's ICB
	efe      bool
	extAD    bool   // data described by extended_ads
	newer    *hfile // strategy 4096: an indirect entry after this one points here

	ie uint32 // assigned block of the indirect entry, if newer is set

	icb uint32 // assigned ICB-space block
}

func cs8(s string) []byte { return append([]byte{8}, s...) }

func cs16(s string) []byte {
	b := []byte{16}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func newBuilder(kind string, bs int) *builder {
	b := &builder{bs: bs, kind: kind, rev: 0x0250}
	switch kind {
	case "plain", "sparable":
		b.rev = 0x0201
	case "virtual150":
		b.rev = 0x0150
	}
	b.icbs = b.phys // aliased until build for plain kinds
	return b
}

func (b *builder) icbRef() uint16 {
	if b.kind == "plain" || b.kind == "sparable" {
		return 0
	}
	return 1
}

// physAlloc appends n blocks holding data to the physical partition.
func (b *builder) physAlloc(data []byte) uint32 {
	lbn := uint32(len(b.phys))
	for off := 0; off < len(data) || off == 0; off += b.bs {
		blk := make([]byte, b.bs)
		copy(blk, data[off:min(off+b.bs, len(data))])
		b.phys = append(b.phys, blk)
		if len(data) == 0 {
			break
		}
	}
	return lbn
}

// icbAlloc appends n blocks to the ICB space.
func (b *builder) icbAlloc(n int) uint32 {
	if b.icbRef() == 0 {
		lbn := uint32(len(b.phys))
		for range n {
			b.phys = append(b.phys, make([]byte, b.bs))
		}
		return lbn
	}
	lbn := uint32(len(b.icbs))
	for range n {
		b.icbs = append(b.icbs, make([]byte, b.bs))
	}
	return lbn
}

func (b *builder) icbBlock(lbn uint32) []byte {
	if b.icbRef() == 0 {
		return b.phys[lbn]
	}
	return b.icbs[lbn]
}

// setTag fills in the 16-byte tag of descriptor d (its body being d[16:]).
func setTag(d []byte, ident uint16, loc uint32) {
	le := binary.LittleEndian
	le.PutUint16(d[0:], ident)
	le.PutUint16(d[2:], 3)
	le.PutUint16(d[10:], uint16(len(d)-16))
	le.PutUint16(d[8:], crcITU(d[16:]))
	le.PutUint32(d[12:], loc)
	d[4] = tagChecksum(d)
}

func stamp(b []byte) {
	le := binary.LittleEndian
	le.PutUint16(b[0:], 1<<12|60) // local time, UTC+1
	le.PutUint16(b[2:], 2024)
	copy(b[4:], []byte{2, 29, 13, 14, 15, 16, 17, 18})
}

func mkLongAD(length uint32, lbn uint32, part uint16) []byte {
	d := make([]byte, 16)
	binary.LittleEndian.PutUint32(d[0:], length)
	binary.LittleEndian.PutUint32(d[4:], lbn)
	binary.LittleEndian.PutUint16(d[8:], part)
	return d
}

// dataADs places data in the physical partition and returns long_ads for
// it, one per maxExt bytes.
func (b *builder) dataADs(data []byte, maxExt int) []byte {
	var ads []byte
	for off := 0; off < len(data); off += maxExt {
		chunk := data[off:min(off+maxExt, len(data))]
		ads = append(ads, mkLongAD(uint32(len(chunk)), b.physAlloc(chunk), 0)...)
	}
	return ads
}

// fileEntryBytes builds a file entry for f (recorded at ICB-space block
// lbn) with allocation descriptors (or embedded data) ads.
func (b *builder) fileEntryBytes(f *hfile, lbn uint32, ads []byte, adKind uint16, links uint16) []byte {
	le := binary.LittleEndian
	hdr := feHeader
	ident := uint16(tagFE)
	if f.efe {
		hdr, ident = efeHeader, tagEFE
	}
	d := make([]byte, hdr+len(f.eas)+len(ads))
	le.PutUint16(d[20:], 4) // strategy
	le.PutUint16(d[24:], 1)
	d[27] = f.fileType
	le.PutUint16(d[34:], adKind|f.flags)
	le.PutUint32(d[36:], f.uid)
	le.PutUint32(d[40:], f.gid)
	le.PutUint32(d[44:], f.perm)
	le.PutUint16(d[48:], links)
	size := int64(len(f.data))
	if f.ads != nil {
		size = f.size
	}
	le.PutUint64(d[56:], uint64(size))
	if f.efe {
		le.PutUint64(d[64:], uint64(size))
		stamp(d[80:])
		stamp(d[92:])
		stamp(d[104:])
		stamp(d[116:])
	} else {
		stamp(d[72:])
		stamp(d[84:])
		stamp(d[96:])
	}
	le.PutUint32(d[hdr-8:], uint32(len(f.eas)))
	le.PutUint32(d[hdr-4:], uint32(len(ads)))
	copy(d[hdr:], f.eas)
	copy(d[hdr+len(f.eas):], ads)
	setTag(d, ident, lbn)
	return d
}

// fidBytes builds a file identifier descriptor.
func fidBytes(chars byte, name []byte, icb uint32, part uint16, loc uint32) []byte {
	n := fidHeader + len(name)
	d := make([]byte, (n+3)&^3)
	binary.LittleEndian.PutUint16(d[16:], 1)
	d[18] = chars
	d[19] = byte(len(name))
	copy(d[20:], mkLongAD(2048, icb, part))
	copy(d[fidHeader:], name)
	setTag(d, tagFID, loc)
	return d
}

// write records f (and its subtree) and returns its ICB block. parent is
// the ICB block of the directory holding it.
func (b *builder) write(f *hfile, parent uint32, links map[*hfile]uint16) uint32 {
	if f.link != nil {
		return f.link.icb
	}
	f.icb = b.icbAlloc(1)
	ref := b.icbRef()
	if f.newer != nil {
		f.ie = b.icbAlloc(1)
		next := b.write(f.newer, parent, links)
		ie := make([]byte, 52)
		binary.LittleEndian.PutUint16(ie[20:], strategy4kb)
		ie[27] = 3 // indirect entry
		copy(ie[36:], mkLongAD(uint32(b.bs), next, ref))
		setTag(ie, tagIE, f.ie)
		copy(b.icbBlock(f.ie), ie)
	}
	var ads []byte
	adKind := uint16(adLong)
	switch {
	case f.fileType == ftDir:
		dir := fidBytes(fidDir|fidParent, nil, parent, ref, 0)
		var fids [][]byte
		for _, k := range f.kids {
			icb := b.write(k, f.icb, links)
			chars := k.chars
			if k.fileType == ftDir {
				chars |= fidDir
			}
			fids = append(fids, fidBytes(chars, k.name, icb, ref, 0))
		}
		for _, x := range fids {
			dir = append(dir, x...)
		}
		f.data = dir
		nblk := (len(dir) + b.bs - 1) / b.bs
		at := b.icbAlloc(nblk)
		for i := 0; i < nblk; i++ {
			copy(b.icbBlock(at+uint32(i)), dir[i*b.bs:min((i+1)*b.bs, len(dir))])
		}
		// FIDs' tag locations: the block each starts in.
		for off := 0; off < len(dir); {
			lfi, liu := int(dir[off+19]), int(binary.LittleEndian.Uint16(dir[off+36:]))
			n := (fidHeader + lfi + liu + 3) &^ 3
			blk := at + uint32(off/b.bs)
			if off/b.bs != (off+n-1)/b.bs {
				b.crossings++
			}
			fix := make([]byte, n)
			copy(fix, dir[off:off+n])
			setTag(fix, tagFID, blk)
			for i := range n {
				p := off + i
				b.icbBlock(at + uint32(p/b.bs))[p%b.bs] = fix[i]
			}
			off += n
		}
		ads = mkLongAD(uint32(len(dir)), at, ref)
	case f.ads != nil:
		ads = f.ads
	case f.embed:
		ads, adKind = f.data, adEmbedded
	case f.extAD:
		// extended_ad: extent length, recorded length, information
		// length, lb_addr, 2 bytes of implementation use.
		long := b.dataADs(f.data, 2*b.bs)
		for i := 0; i < len(long); i += 16 {
			e := make([]byte, 20)
			copy(e[0:4], long[i:i+4])
			copy(e[4:8], long[i:i+4])
			copy(e[8:12], long[i:i+4])
			copy(e[12:18], long[i+4:i+10])
			ads = append(ads, e...)
		}
		adKind = adExtended
	default:
		ads = b.dataADs(f.data, 1<<30-b.bs)
	}
	fe := b.fileEntryBytes(f, f.icb, ads, adKind, links[f])
	if f.newer != nil {
		binary.LittleEndian.PutUint16(fe[20:], strategy4kb)
		retag(fe)
	}
	if len(fe) > b.bs {
		panic("file entry larger than a block")
	}
	copy(b.icbBlock(f.icb), fe)
	return f.icb
}

// countLinks counts the names of each file.
func countLinks(f *hfile, m map[*hfile]uint16) {
	for _, k := range f.kids {
		t := k
		if k.link != nil {
			t = k.link
		}
		m[t]++
		if k.fileType == ftDir && k.link == nil {
			countLinks(k, m)
		}
	}
}

// build writes the tree rooted at root and returns the image.
func (b *builder) build(t testing.TB, root *hfile) []byte {
	t.Helper()
	le := binary.LittleEndian
	ref := b.icbRef()
	// The file set descriptor is the first ICB-space block.
	fsdAt := b.icbAlloc(1)
	links := map[*hfile]uint16{root: 1}
	countLinks(root, links)
	rootAt := b.write(root, 0, links)
	// The root's parent FID names the root itself.
	fsd := make([]byte, 512)
	stamp(fsd[16:])
	copy(fsd[304:], dstr("HANDMADE", 32))
	copy(fsd[400:], mkLongAD(uint32(b.bs), rootAt, ref))
	copy(fsd[416:], "\x00*OSTA UDF Compliant")
	setTag(fsd, tagFSD, fsdAt)
	copy(b.icbBlock(fsdAt), fsd)

	b.icbPhys = map[uint32]int{}
	var mapTable []byte
	mapTable = append(mapTable, 1, 6, 1, 0, 0, 0) // type 1, partition 0
	var sparing []byte
	var vatAt uint32
	switch b.kind {
	case "sparable":
		// Replace the type 1 map; move the packet holding the root's file
		// entry to a spare block at the end of the image.
		mapTable = make([]byte, 64)
		mapTable[0], mapTable[1] = 2, 64
		copy(mapTable[4:], "\x00*UDF Sparable Partition")
		le.PutUint16(mapTable[36:], 1)
		le.PutUint16(mapTable[40:], 32) // packet length
		mapTable[42] = 1
		le.PutUint32(mapTable[44:], uint32(b.bs))
		b.spareFrom = rootAt &^ 31
		sparing = make([]byte, 64)
		copy(sparing[16:], "\x00*UDF Sparing Table")
		le.PutUint16(sparing[48:], 1)
	case "metadata":
		// The metadata file and its mirror: two copies of the ICB space.
		main := b.physAlloc(bytes.Join(b.icbs, nil))
		mirror := b.physAlloc(bytes.Join(b.icbs, nil))
		for i := range b.icbs {
			b.icbPhys[uint32(i)] = partStartBlock + int(main) + i
		}
		n := uint32(len(b.icbs) * b.bs)
		metaFE := b.fileEntryBytes(&hfile{fileType: 250, efe: true, size: int64(n), ads: []byte{}}, 0, mkShortAD(n, main), adShort, 1)
		le.PutUint64(metaFE[56:], uint64(n))
		mirrorFE := b.fileEntryBytes(&hfile{fileType: 251, efe: true, size: int64(n), ads: []byte{}}, 0, mkShortAD(n, mirror), adShort, 1)
		le.PutUint64(mirrorFE[56:], uint64(n))
		at := b.physAlloc(nil)
		b.physAlloc(nil)
		fixLoc(metaFE, at)
		fixLoc(mirrorFE, at+1)
		copy(b.phys[at], metaFE)
		copy(b.phys[at+1], mirrorFE)
		b.metaFE = partStartBlock + int(at)
		m := make([]byte, 64)
		m[0], m[1] = 2, 64
		copy(m[4:], "\x00*UDF Metadata Partition")
		le.PutUint16(m[36:], 1)
		le.PutUint32(m[40:], at)
		le.PutUint32(m[44:], at+1)
		le.PutUint32(m[48:], 0xffffffff)
		le.PutUint32(m[52:], 32)
		le.PutUint16(m[56:], 32)
		mapTable = append(mapTable, m...)
	case "virtual", "virtual150":
		// Scatter the virtual blocks backwards. The UDF 2.xx VAT is a file
		// of type 248 with a 152-byte header before the entries; the UDF
		// 1.50 one a file of type 0 with the entries first and a 36-byte
		// trailer ("*UDF Virtual Alloc Tbl", previous VAT's block).
		hdr, tail, ftype := 152, 0, uint8(248)
		if b.kind == "virtual150" {
			hdr, tail, ftype = 0, 36, 0
		}
		vat := make([]byte, hdr+4*len(b.icbs)+tail)
		if hdr > 0 {
			le.PutUint16(vat[0:], uint16(hdr))
		} else {
			copy(vat[len(vat)-36:], "\x00*UDF Virtual Alloc Tbl")
			le.PutUint32(vat[len(vat)-4:], 0xffffffff)
		}
		for i := len(b.icbs) - 1; i >= 0; i-- {
			at := b.physAlloc(b.icbs[i])
			le.PutUint32(vat[hdr+4*i:], at)
			b.icbPhys[uint32(i)] = partStartBlock + int(at)
		}
		ads := mkShortAD(uint32(len(vat)), b.physAlloc(vat))
		vatAt = b.physAlloc(nil)
		fe := b.fileEntryBytes(&hfile{fileType: ftype, efe: hdr > 0, size: int64(len(vat)), ads: []byte{}}, vatAt, ads, adShort, 1)
		copy(b.phys[vatAt], fe)
		m := make([]byte, 64)
		m[0], m[1] = 2, 64
		copy(m[4:], "\x00*UDF Virtual Partition")
		le.PutUint16(m[36:], 1)
		mapTable = append(mapTable, m...)
	}
	if b.kind == "plain" || b.kind == "sparable" {
		for i := range b.phys {
			b.icbPhys[uint32(i)] = partStartBlock + i
		}
	}
	b.partStart = partStartBlock
	b.fsd = b.icbPhys[fsdAt]
	plen := len(b.phys)
	spareAt := partStartBlock + plen
	n := spareAt + 1 // the anchor at N-1
	if b.kind == "sparable" {
		n += 33 // the sparing table and a spare packet
	}
	img := make([]byte, n*b.bs)
	blk := func(i int) []byte { return img[i*b.bs : (i+1)*b.bs] }
	for i, p := range b.phys {
		copy(blk(partStartBlock+i), p)
	}
	if b.kind == "sparable" {
		tableAt, spare := spareAt, spareAt+1
		le.PutUint32(sparing[56:], b.spareFrom)
		le.PutUint32(sparing[60:], uint32(spare))
		setTag(sparing, 0, uint32(tableAt))
		copy(blk(tableAt), sparing)
		le.PutUint32(mapTable[48:], uint32(tableAt))
		for i := 0; i < 32 && int(b.spareFrom)+i < plen; i++ {
			copy(blk(spare+i), blk(partStartBlock+int(b.spareFrom)+i))
			clear(blk(partStartBlock + int(b.spareFrom) + i)) // the bad packet
		}
		n = spare + 33
	}
	// Volume recognition sequence.
	stride := max(2048, b.bs)
	for i, id := range []string{"BEA01", "NSR03", "TEA01"} {
		copy(img[32768+i*stride:], "\x00"+id+"\x01")
	}
	// Volume descriptor sequences.
	vds := func(at int) {
		pvd := make([]byte, 512)
		copy(pvd[24:], dstr("HANDMADE", 32))
		copy(pvd[72:], dstr("HANDMADE SET", 128))
		stamp(pvd[376:])
		setTag(pvd, tagPVD, uint32(at))
		copy(blk(at), pvd)
		pd := make([]byte, 512)
		le.PutUint16(pd[20:], 1)
		copy(pd[24:], "\x00+NSR03")
		le.PutUint32(pd[184:], 1)
		le.PutUint32(pd[188:], partStartBlock)
		le.PutUint32(pd[192:], uint32(plen))
		setTag(pd, tagPD, uint32(at+1))
		copy(blk(at+1), pd)
		lvd := make([]byte, 440+len(mapTable))
		copy(lvd[84:], dstr("HANDMADE LV", 128))
		le.PutUint32(lvd[212:], uint32(b.bs))
		copy(lvd[216:], "\x00*OSTA UDF Compliant")
		le.PutUint16(lvd[240:], b.rev)
		copy(lvd[248:], mkLongAD(uint32(b.bs), fsdAt, ref))
		le.PutUint32(lvd[264:], uint32(len(mapTable)))
		nmaps := 1
		if len(mapTable) > 64 {
			nmaps = 2
		}
		le.PutUint32(lvd[268:], uint32(nmaps))
		le.PutUint32(lvd[432:], uint32(b.bs))
		le.PutUint32(lvd[436:], 290)
		copy(lvd[440:], mapTable)
		setTag(lvd, tagLVD, uint32(at+2))
		copy(blk(at+2), lvd)
		td := make([]byte, 512)
		setTag(td, tagTD, uint32(at+3))
		copy(blk(at+3), td)
	}
	vds(257)
	vds(270)
	lvid := make([]byte, 80+8+46)
	stamp(lvid[16:])
	le.PutUint32(lvid[28:], 1)
	le.PutUint32(lvid[72:], 1)
	le.PutUint32(lvid[76:], 46)
	le.PutUint32(lvid[88+32:], 7)
	le.PutUint32(lvid[88+36:], 3)
	le.PutUint16(lvid[88+40:], b.rev)
	setTag(lvid, tagLVID, 290)
	copy(blk(290), lvid)
	anchor := make([]byte, 512)
	le.PutUint32(anchor[16:], uint32(4*b.bs))
	le.PutUint32(anchor[20:], 257)
	le.PutUint32(anchor[24:], uint32(4*b.bs))
	le.PutUint32(anchor[28:], 270)
	for _, at := range []int{256, n - 1} {
		a := bytes.Clone(anchor)
		setTag(a, tagAnchor, uint32(at))
		copy(blk(at), a)
	}
	return img[:n*b.bs]
}

// mkShortAD is a short_ad.
func mkShortAD(length, lbn uint32) []byte {
	d := make([]byte, 8)
	binary.LittleEndian.PutUint32(d[0:], length)
	binary.LittleEndian.PutUint32(d[4:], lbn)
	return d
}

// fixLoc rewrites a descriptor's tag location.
func fixLoc(d []byte, loc uint32) {
	binary.LittleEndian.PutUint32(d[12:], loc)
	d[4] = tagChecksum(d)
}

// retag recomputes the CRC and checksum of the descriptor at the start of
// d, whose CRC length is kept.
func retag(d []byte) {
	n := int(binary.LittleEndian.Uint16(d[10:]))
	binary.LittleEndian.PutUint16(d[8:], crcITU(d[16:16+n]))
	d[4] = tagChecksum(d)
}

// dstr is a dstring field of n bytes holding s in 8-bit CS0.
func dstr(s string, n int) []byte {
	d := make([]byte, n)
	copy(d, cs8(s))
	d[n-1] = byte(len(s) + 1)
	return d
}
