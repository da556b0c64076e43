package isz

// Info summarises an open image for inspection (`isz info`).
type Info struct {
	Header    Header
	Segments  []SegmentInfo
	NumChunks int // chunks in use (nblocks may be larger; see Header.NumChunks)

	// Count and Stored give, per chunk type (indexed by ChunkType), the
	// number of chunks and their stored bytes.
	Count  [NumChunkTypes]int
	Stored [NumChunkTypes]int64

	StoredTotal int64    // all stored chunk bytes (the data stream length)
	Raw         bool     // no chunk table: the image is stored uncompressed
	ZeroRule    ZeroRule // how ZERO chunks were found to be stored
	Trailer     bool     // the last file ends with a header copy and its size
}

// ChunkInfo describes one chunk.
type ChunkInfo struct {
	Type        ChunkType
	Size        int   // uncompressed size
	Stored      int64 // bytes stored in the file(s)
	BlkLen      uint32
	ImageOffset int64 // offset in the uncompressed image
	StreamOff   int64 // offset in the data stream (stored bytes of earlier chunks)
}

// Header returns the first file's header.
func (r *Reader) Header() Header { return r.hdr }

// Segments describes the files of the image, first file first.
func (r *Reader) Segments() []SegmentInfo { return append([]SegmentInfo(nil), r.geom...) }

// NumChunks is the number of chunks of the image.
func (r *Reader) NumChunks() int { return len(r.entries) }

// Chunk describes chunk i; it panics unless 0 <= i < NumChunks, like an
// index out of range.
func (r *Reader) Chunk(i int) ChunkInfo {
	e := r.entries[i]
	return ChunkInfo{
		Type: e.typ, Size: r.chunks.chunkLen(i), Stored: r.stored(i), BlkLen: e.blkLen,
		ImageOffset: r.chunks.chunkOffset(i), StreamOff: r.pos[i],
	}
}

// StoredSize returns how many bytes of chunk data the image stores (what
// Info reports as StoredTotal): a caller can bound what it builds from the
// image by what the image really holds, not by the size it expands to.
func (r *Reader) StoredSize() int64 { return r.pos[len(r.entries)] }

// Info summarises the image.
func (r *Reader) Info() Info {
	in := Info{
		Header: r.hdr, Segments: r.Segments(), NumChunks: len(r.entries),
		StoredTotal: r.pos[len(r.entries)], Raw: r.raw, ZeroRule: r.rule, Trailer: r.trailer,
	}
	for i, e := range r.entries {
		in.Count[e.typ]++
		in.Stored[e.typ] += r.stored(i)
	}
	return in
}
