package isz

// The physical layout: where each chunk's stored bytes are, across the
// files of the image. The chunk table gives every chunk's stored length;
// their concatenation in chunk order is the data stream, which the
// segment table (or, for a raw split image, the segment size) cuts into
// pieces, one per file. Everything is checked against the real file sizes
// before anything is allocated from a header field.

import (
	"fmt"
	"slices"
	"sort"
)

// ZeroRule says how ZERO chunks advance the data position (format notes
// §5.2): the vendor's SDK stores nothing for them, libMirage skips their
// blk_len bytes. The reader uses the rule under which the data ends where
// the file (or data_size) says.
type ZeroRule uint8

// Zero-chunk rules.
const (
	ZeroStoresNothing ZeroRule = iota // SDK: a ZERO chunk has no stored bytes
	ZeroSkipsBlkLen                   // libMirage: the data position advances by blk_len
)

func (z ZeroRule) String() string {
	if z == ZeroSkipsBlkLen {
		return "zero chunks skip blk_len bytes (libMirage)"
	}
	return "zero chunks store nothing (SDK)"
}

// piece maps part of the data stream (the concatenation of every chunk's
// stored bytes, in chunk order) to a region of one segment file.
type piece struct {
	seg       int
	fileOff   int64
	streamOff int64
	n         int64
}

// readTables reads the chunk and segment tables, opens the other segment
// files, and lays out the data stream, checking everything against the
// real file sizes before allocating from a header field.
func (r *Reader) readTables(openSeg func(k int) (*segment, error)) error {
	h, first := &r.hdr, r.segs[0]
	n := h.numChunks()
	if int64(h.DataOffs) < int64(h.HeaderSize) {
		return formatErr("data_offs %d inside the %d-byte header", h.DataOffs, h.HeaderSize)
	}
	if int64(h.DataOffs) > first.size {
		return fmt.Errorf("%w: data_offs %d, file size %d", ErrTruncated, h.DataOffs, first.size)
	}

	// Segment table first: it tells which files exist, and a raw image's
	// size is checked against all of them.
	var sdt []sdtEntry
	if h.SegOffs != 0 {
		if int64(h.SegOffs) < int64(h.HeaderSize) || int64(h.SegOffs)+sdtEntrySize > first.size {
			return formatErr("seg_offs %d outside the file (%d bytes)", h.SegOffs, first.size)
		}
		b := make([]byte, min(first.size-int64(h.SegOffs), (maxSegments+1)*sdtEntrySize))
		if err := first.readFull(b, int64(h.SegOffs)); err != nil {
			return err
		}
		xorTable(b)
		var err error
		if sdt, err = parseSDT(b); err != nil {
			return err
		}
		for k := 1; k < len(sdt); k++ {
			s, err := openSeg(k)
			if err != nil {
				return err
			}
			r.segs = append(r.segs, s)
		}
	}
	if sdt == nil && h.PtrOffs == 0 && h.SegmentSize > 0 && int64(h.DataOffs)+h.ImageSize() > first.size {
		return r.implicitSegments(openSeg)
	}
	var total int64
	for _, s := range r.segs {
		total += s.size
	}

	// Chunk table.
	if h.PtrOffs == 0 {
		if h.ImageSize() > total {
			return fmt.Errorf("%w: raw image of %d bytes in %d bytes of files", ErrTruncated, h.ImageSize(), total)
		}
		r.rawEntries()
	} else {
		pl := int64(h.PtrLen)
		if int64(h.PtrOffs) < int64(h.HeaderSize) || int64(h.PtrOffs)+n*pl > first.size {
			return fmt.Errorf("%w: chunk table of %d entries at %d, file size %d", ErrTruncated, n, h.PtrOffs, first.size)
		}
		b := make([]byte, n*pl)
		if err := first.readFull(b, int64(h.PtrOffs)); err != nil {
			return err
		}
		xorTable(b)
		r.entries = parseChunkTable(b, int(pl), int(n))
	}
	if err := r.checkEntries(); err != nil {
		return err
	}

	best := r.chooseLayout(r.geometry(sdt))
	if best.err != nil {
		return best.err
	}
	r.rule, r.pos, r.pieces, r.geom = best.rule, best.pos, best.pieces, best.info
	last := r.geom[len(r.geom)-1]
	r.trailer = last.FileSize-last.DataEnd == int64(h.HeaderSize)+4
	for i, e := range r.entries {
		if e.typ != ChunkZero {
			r.maxIn = max(r.maxIn, int(r.stored(i)))
		}
	}
	return nil
}

// rawEntries describes an image without a chunk table: every chunk is
// DATA of its own size. The caller has checked that the files hold the
// image, which bounds the allocation.
func (r *Reader) rawEntries() {
	r.raw = true
	r.entries = make([]entry, r.chunks.numChunks)
	for i := range r.entries {
		r.entries[i] = entry{typ: ChunkData, blkLen: uint32(r.chunks.chunkLen(i))}
	}
}

// implicitSegments lays out a raw image split without a segment table
// (format notes §6.5, as the vendor's SDK reads it): file k holds its
// header and then the next bytes of the image, up to segment_size bytes
// in all.
func (r *Reader) implicitSegments(openSeg func(k int) (*segment, error)) error {
	h := r.hdr
	bs, need := int64(h.ChunkSize), h.ImageSize()
	var stream int64
	for k := 0; stream < need; k++ {
		if k == maxSegments {
			return formatErr("split raw image needs more than %d files of %d bytes", maxSegments, h.SegmentSize)
		}
		if k > 0 {
			s, err := openSeg(k)
			if err != nil {
				return err
			}
			r.segs = append(r.segs, s)
		}
		s := r.segs[k]
		start := int64(s.hdr.HeaderSize)
		if k == 0 {
			start = int64(h.DataOffs)
		}
		n := min(s.size, h.SegmentSize) - start
		if n <= 0 {
			return fmt.Errorf("%w: %s holds no image data (segment_size %d)", ErrTruncated, s.name, h.SegmentSize)
		}
		n = min(n, need-stream)
		first, end := (stream+bs-1)/bs, stream+n
		r.pieces = append(r.pieces, piece{seg: k, fileOff: start, streamOff: stream, n: n})
		r.geom = append(r.geom, SegmentInfo{
			Name: s.name, FileSize: s.size, FirstChunk: int(first), NumChunks: int((end+bs-1)/bs - first),
			ChunkOffset: start + first*bs - stream, LeftSize: min((end+bs-1)/bs*bs, need) - end,
			DataStart: start, DataEnd: start + n,
		})
		stream = end
	}
	r.rawEntries()
	r.pos = r.positions(ZeroStoresNothing)
	r.maxIn = int(min(bs, need))
	return nil
}

// layoutResult is the data stream laid out under one zero rule.
type layoutResult struct {
	rule   ZeroRule
	pos    []int64
	pieces []piece
	info   []SegmentInfo
	exact  bool // the files end exactly where the data does
	err    error
}

// chooseLayout picks the zero rule (format notes §5.2, §11.3): the SDK's,
// unless ZERO chunks with blk_len > 0 make libMirage's differ and only
// libMirage's makes the data end where the files (or data_size) say.
func (r *Reader) chooseLayout(geoms []sdtEntry) layoutResult {
	try := func(rule ZeroRule) layoutResult {
		l := layoutResult{rule: rule, pos: r.positions(rule)}
		l.pieces, l.info, l.exact, l.err = r.layout(geoms, l.pos)
		return l
	}
	sdk := try(ZeroStoresNothing)
	if sdk.exact || !slices.ContainsFunc(r.entries, func(e entry) bool { return e.typ == ChunkZero && e.blkLen > 0 }) {
		return sdk
	}
	if lm := try(ZeroSkipsBlkLen); lm.err == nil && (lm.exact || sdk.err != nil) {
		return lm
	}
	return sdk
}

// maxCompressed is the largest stored length accepted for a compressed
// chunk of usize bytes. The format requires blk_len <= block_size; a
// little more is tolerated (incompressible data grows that much at most).
func maxCompressed(usize int) int64 { return int64(usize) + int64(usize)/8 + 1024 }

// checkEntries checks each chunk table entry against its chunk's size.
func (r *Reader) checkEntries() error {
	for i, e := range r.entries {
		usize := r.chunks.chunkLen(i)
		switch {
		case e.typ == ChunkData && int(e.blkLen) != usize:
			return r.chunkErr(i, formatErr("DATA chunk of %d bytes stores %d", usize, e.blkLen))
		case (e.typ == ChunkZlib || e.typ == ChunkBzip2) && (e.blkLen == 0 || int64(e.blkLen) > maxCompressed(usize)):
			return r.chunkErr(i, formatErr("%v chunk of %d bytes stores %d", e.typ, usize, e.blkLen))
		}
	}
	return nil
}

// positions computes every chunk's offset in the data stream under rule.
func (r *Reader) positions(rule ZeroRule) []int64 {
	pos := make([]int64, len(r.entries)+1)
	for i, e := range r.entries {
		n := int64(e.blkLen)
		if e.typ == ChunkZero && rule == ZeroStoresNothing {
			n = 0
		}
		pos[i+1] = pos[i] + n
	}
	return pos
}

// geometry returns the segment table, or for a single file the one entry
// it implies.
func (r *Reader) geometry(sdt []sdtEntry) []sdtEntry {
	if sdt != nil {
		return sdt
	}
	return []sdtEntry{{numChunks: int64(len(r.entries)), chunkOff: int64(r.hdr.DataOffs)}}
}

// layout maps the data stream onto the files. exact reports that every
// file ends exactly where its data does (or a trailer later) and, for a
// single file, that data_size agrees.
func (r *Reader) layout(geoms []sdtEntry, pos []int64) (pieces []piece, info []SegmentInfo, exact bool, err error) {
	n := int64(len(r.entries))
	exact = true
	var next, leftPrev int64
	for k, g := range geoms {
		s := r.segs[k]
		switch {
		case g.firstChunk != next:
			return nil, nil, false, formatErr("segment %d starts at chunk %d, want %d", k, g.firstChunk, next)
		case g.firstChunk+g.numChunks > n:
			return nil, nil, false, formatErr("segment %d holds chunks up to %d of %d", k, g.firstChunk+g.numChunks, n)
		case k == 0 && g.chunkOff != int64(r.hdr.DataOffs):
			return nil, nil, false, formatErr("segment 0 data at %d, data_offs %d", g.chunkOff, r.hdr.DataOffs)
		case k == len(geoms)-1 && (g.firstChunk+g.numChunks != n || g.leftSize != 0):
			return nil, nil, false, formatErr("last segment ends at chunk %d with %d bytes left, want chunk %d", g.firstChunk+g.numChunks, g.leftSize, n)
		}
		end := g.firstChunk + g.numChunks
		if g.numChunks > 0 && g.leftSize > pos[end]-pos[end-1] {
			return nil, nil, false, formatErr("segment %d continues %d bytes of a %d-byte chunk", k, g.leftSize, pos[end]-pos[end-1])
		}
		start := g.chunkOff - leftPrev
		if start < int64(s.hdr.HeaderSize) {
			return nil, nil, false, formatErr("%s: data at %d overlaps the header", s.name, start)
		}
		p := piece{seg: k, fileOff: start, streamOff: pos[g.firstChunk] - leftPrev, n: pos[end] - g.leftSize - (pos[g.firstChunk] - leftPrev)}
		dataEnd := p.fileOff + p.n
		if dataEnd > s.size {
			return nil, nil, false, fmt.Errorf("%w: %s: data ends at %d, file size %d", ErrTruncated, s.name, dataEnd, s.size)
		}
		exact = exact && (dataEnd == s.size || dataEnd+int64(s.hdr.HeaderSize)+4 == s.size)
		if p.n > 0 {
			pieces = append(pieces, p)
		}
		info = append(info, SegmentInfo{
			Name: s.name, FileSize: s.size, TableSize: g.size,
			FirstChunk: int(g.firstChunk), NumChunks: int(g.numChunks),
			ChunkOffset: g.chunkOff, LeftSize: g.leftSize,
			DataStart: start, DataEnd: dataEnd,
		})
		next, leftPrev = end, g.leftSize
	}
	if len(geoms) == 1 && r.hdr.HasChecksums() && !r.raw {
		exact = exact || uint32(pos[n]) == r.hdr.DataSize
	}
	return pieces, info, exact, nil
}

// stored is the number of stored bytes of chunk i.
func (r *Reader) stored(i int) int64 { return r.pos[i+1] - r.pos[i] }

// findPiece returns the piece holding stream offset off.
func (r *Reader) findPiece(off int64) (piece, bool) {
	k := sort.Search(len(r.pieces), func(k int) bool { return r.pieces[k].streamOff+r.pieces[k].n > off })
	if k == len(r.pieces) {
		return piece{}, false
	}
	return r.pieces[k], true
}

// readStream fills p from the data stream at off, across file boundaries.
func (r *Reader) readStream(p []byte, off int64) error {
	for len(p) > 0 {
		pc, ok := r.findPiece(off)
		if !ok {
			return fmt.Errorf("%w: data stream offset %d past its end", ErrTruncated, off)
		}
		in := off - pc.streamOff
		m := int(min(int64(len(p)), pc.n-in))
		seg := r.segs[pc.seg]
		if err := seg.readFull(p[:m], pc.fileOff+in); err != nil {
			return err
		}
		p, off = p[m:], off+int64(m)
	}
	return nil
}
