package isz

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/iszmount/iszmount/internal/inflate"
)

// Options for Open and NewReader. The zero value (or nil) is usable.
type Options struct {
	Password  string // for encrypted images
	CacheSize int64  // bound on the decoded-chunk buffers (and Verify's), in bytes, at least one chunk; 0 = DefaultCacheSize()
	Workers   int    // parallel decode workers for prefetch; 0 = GOMAXPROCS, 1 = no parallel prefetch

	// Inspect opens an encrypted image without a password, for its header,
	// tables and segments only: ReadAt and Verify then fail with
	// ErrNeedPassword. Without it, opening an encrypted image with no
	// password fails with ErrNeedPassword.
	Inspect bool
}

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

// Reader is an io.ReaderAt over the decompressed image. ReadAt is safe for
// concurrent use by any number of goroutines, and so are all other methods
// except Close.
type Reader struct {
	hdr     Header
	chunks  chunkLayout // how the image divides into chunks; shared with cr
	segs    []*segment
	geom    []SegmentInfo
	entries []entry
	pos     []int64 // pos[i]: chunk i's offset in the data stream; pos[n] = its end
	pieces  []piece // the data stream, file by file
	raw     bool
	rule    ZeroRule
	trailer bool

	cipher  cipher.Block // nil when not encrypted (or no password, Inspect)
	noKey   bool         // encrypted and opened with Inspect and no password
	bufPool sync.Pool    // *[]byte, stored-chunk buffers of cap maxIn
	maxIn   int

	cr        *chunkReader
	closeOnce sync.Once
	closeErr  error
}

// segment is one open file of an image.
type segment struct {
	name string
	r    io.ReaderAt
	size int64
	c    io.Closer // nil for NewReader
	hdr  Header
}

// piece maps part of the data stream (the concatenation of every chunk's
// stored bytes, in chunk order) to a region of one segment file.
type piece struct {
	seg       int
	fileOff   int64
	streamOff int64
	n         int64
}

// Open opens the ISZ image name; when it is one member of a split set
// (.isz/.iNN, .partNN.isz, .partNNN.isz), the whole set is found and opened.
// The first file is the one whose seg_no is 0, whatever its name.
func Open(name string, opts *Options) (*Reader, error) {
	given, err := openSegment(name)
	if err != nil {
		return nil, err
	}
	names := parseSetName(name)
	open := []*segment{given}
	closeAll := func() {
		for _, s := range open {
			s.c.Close()
		}
	}
	first := given
	if given.hdr.SegNo != 0 {
		first, err = openMember(names, 0, given.hdr.VSN)
		if err != nil {
			closeAll()
			return nil, err
		}
		open = append(open, first)
	}
	openSeg := func(k int) (*segment, error) {
		if k == int(given.hdr.SegNo) {
			return given, given.checkMember(k, first.hdr.VSN)
		}
		s, err := openMember(names, k, first.hdr.VSN)
		if err == nil {
			open = append(open, s)
		}
		return s, err
	}
	r, err := newReader(first, openSeg, opts)
	if err != nil {
		closeAll()
		return nil, err
	}
	// Keep only the files the image uses (a stray member named on the
	// command line of a single-file image is closed).
	for _, s := range open {
		if !slices.Contains(r.segs, s) {
			s.c.Close()
		}
	}
	return r, nil
}

// openSegment opens one file and parses its header. Only regular files
// are opened: opening a named pipe for reading would block until a writer
// came, so the file is checked before it is opened (and the open file
// checked to be the one that was), and anything else is refused.
func openSegment(name string) (*segment, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(name, st)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fst, err := f.Stat()
	if err == nil && !os.SameFile(st, fst) {
		err = notRegular(name, fst)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &segment{name: name, r: f, size: fst.Size(), c: f}
	if err := s.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// notRegular is the error for a file that is not a regular file (or was
// replaced between the check and the open).
func notRegular(name string, st fs.FileInfo) error {
	kind := "not a regular file"
	switch t := st.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		kind = "a named pipe, not a regular file"
	case t&fs.ModeDevice != 0:
		kind = "a device, not a regular file"
	case t&fs.ModeSocket != 0:
		kind = "a socket, not a regular file"
	case t&fs.ModeDir != 0:
		kind = "a directory, not a regular file"
	case t == 0:
		kind = "replaced while being opened"
	}
	return fmt.Errorf("%w: %s is %s", ErrUnsupported, name, kind)
}

// openMember opens segment k of a set and checks that it belongs to it.
func openMember(names setNames, k int, vsn uint32) (*segment, error) {
	cands := names.member(k)
	var s *segment
	var err error
	for _, name := range cands {
		if s, err = openSegment(name); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: segment %d: %s not found", ErrSegment, k, cands[0])
	case err != nil:
		return nil, fmt.Errorf("%w: segment %d: %w", ErrSegment, k, err)
	}
	if err := s.checkMember(k, vsn); err != nil {
		s.c.Close()
		return nil, err
	}
	return s, nil
}

// checkMember checks that s is segment k of the set with serial vsn.
func (s *segment) checkMember(k int, vsn uint32) error {
	if s.hdr.VSN != vsn || int(s.hdr.SegNo) != k {
		return fmt.Errorf("%w: %s: vsn %#x seg_no %d, want vsn %#x seg_no %d",
			ErrSegment, s.name, s.hdr.VSN, s.hdr.SegNo, vsn, k)
	}
	return nil
}

// readHeader reads and parses the header of s.
func (s *segment) readHeader() error {
	if s.size <= 0 {
		return fmt.Errorf("%w: empty file", ErrTruncated)
	}
	b := make([]byte, min(s.size, HeaderSize))
	if err := s.readFull(b, 0); err != nil {
		return err
	}
	h, err := parseHeader(b)
	if err != nil {
		return err
	}
	if int64(h.HeaderSize) > s.size {
		return fmt.Errorf("%w: header_size %d, file size %d", ErrTruncated, h.HeaderSize, s.size)
	}
	s.hdr = h
	return nil
}

// NewReader reads a single-file image held in r (size bytes). Split images
// need Open (or NewSplitReader), which can find the other files.
func NewReader(r io.ReaderAt, size int64, opts *Options) (*Reader, error) {
	return NewSplitReader([]io.ReaderAt{r}, []int64{size}, opts)
}

// NewSplitReader reads an image whose files (first file, then .i01, .i02
// ...) are held in files, with sizes in sizes. A single-file image is a
// set of one.
func NewSplitReader(files []io.ReaderAt, sizes []int64, opts *Options) (*Reader, error) {
	if len(files) == 0 || len(files) != len(sizes) {
		return nil, fmt.Errorf("isz: NewSplitReader: %d files, %d sizes", len(files), len(sizes))
	}
	segs := make([]*segment, len(files))
	for k := range files {
		segs[k] = &segment{name: fmt.Sprintf("file %d", k), r: files[k], size: sizes[k]}
		if len(files) == 1 {
			segs[k].name = "image"
		}
		if err := segs[k].readHeader(); err != nil {
			if k > 0 {
				return nil, fmt.Errorf("%w: %s: %w", ErrSegment, segs[k].name, err)
			}
			return nil, err
		}
	}
	openSeg := func(k int) (*segment, error) {
		if k >= len(segs) {
			return nil, fmt.Errorf("%w: segment %d not given (%d files)", ErrSegment, k, len(segs))
		}
		if err := segs[k].checkMember(k, segs[0].hdr.VSN); err != nil {
			return nil, err
		}
		return segs[k], nil
	}
	if segs[0].hdr.SegNo != 0 {
		return nil, fmt.Errorf("%w: first file has seg_no %d", ErrSegment, segs[0].hdr.SegNo)
	}
	return newReader(segs[0], openSeg, opts)
}

// newReader builds a Reader from the first file of an image; openSeg opens
// segment k >= 1 when the image is split.
func newReader(first *segment, openSeg func(k int) (*segment, error), opts *Options) (*Reader, error) {
	if opts == nil {
		opts = &Options{}
	}
	h := first.hdr
	if h.SegNo != 0 {
		return nil, fmt.Errorf("%w: %s has seg_no %d, not the first file of its set", ErrSegment, first.name, h.SegNo)
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	chunks, err := newChunkLayout(int(h.numChunks()), int(h.ChunkSize), h.ImageSize())
	if err != nil {
		return nil, err
	}
	r := &Reader{hdr: h, chunks: chunks, segs: []*segment{first}}
	if err := r.readTables(openSeg); err != nil {
		return nil, err
	}
	if err := r.setupCipher(opts); err != nil {
		return nil, err
	}
	r.bufPool.New = func() any { b := make([]byte, r.maxIn); return &b }
	if err := r.checkPassword(); err != nil {
		return nil, err
	}
	r.cr = newChunkReader(chunkReaderConfig{
		Layout:    r.chunks,
		Decode:    r.decode,
		IsZero:    func(i int) bool { return r.entries[i].typ == ChunkZero },
		CacheSize: opts.CacheSize,
		Workers:   opts.Workers,
	})
	return r, nil
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

// setupCipher prepares decryption from opts.
func (r *Reader) setupCipher(opts *Options) error {
	if r.hdr.Encryption == EncryptNone {
		return nil
	}
	if opts.Password == "" {
		if !opts.Inspect {
			return ErrNeedPassword
		}
		r.noKey = true
		return nil
	}
	c, err := newCipher(r.hdr.Encryption, opts.Password)
	if err != nil {
		return err
	}
	r.cipher = c
	return nil
}

// checkPassword decrypts early compressed chunks: a wrong key turns their
// zlib/bzip2 headers into noise. Images of DATA chunks only cannot be
// checked this way (Verify's checksum1 can).
func (r *Reader) checkPassword() error {
	if r.cipher == nil {
		return nil
	}
	const probes = 4
	tried, firstOK := 0, -1
	for i := 0; i < len(r.entries) && tried < probes; i++ {
		e := r.entries[i]
		if (e.typ != ChunkZlib && e.typ != ChunkBzip2) || r.stored(i) < 16 {
			continue
		}
		tried++
		var head [16]byte
		if err := r.readStream(head[:], r.pos[i]); err != nil {
			return r.chunkErr(i, err)
		}
		decryptChunk(r.cipher, head[:])
		if !plausibleStream(e.typ, head[:]) {
			return fmt.Errorf("%w (chunk %d does not decrypt to a %v stream)", ErrPassword, i, e.typ)
		}
		if firstOK < 0 {
			firstOK = i
		}
	}
	if firstOK < 0 {
		return nil
	}
	buf := make([]byte, r.chunks.chunkLen(firstOK))
	return r.decode(firstOK, buf)
}

// plausibleStream reports whether the first 16 bytes of a decrypted chunk
// start a zlib stream or (magic aside) a bzip2 stream.
func plausibleStream(t ChunkType, b []byte) bool {
	if t == ChunkZlib {
		return b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
	}
	block := [6]byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}
	eos := [6]byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90}
	m := [6]byte(b[4:10])
	return b[3] >= '1' && b[3] <= '9' && (m == block || m == eos)
}

// stored is the number of stored bytes of chunk i.
func (r *Reader) stored(i int) int64 { return r.pos[i+1] - r.pos[i] }

// chunkErr wraps err in a *ChunkError for chunk i.
func (r *Reader) chunkErr(i int, err error) error {
	ce := &ChunkError{Chunk: i, Offset: r.chunks.chunkOffset(i), Err: err}
	if r.pos != nil && r.pieces != nil {
		if p, ok := r.findPiece(r.pos[i]); ok {
			ce.File = r.segs[p.seg].name
			ce.FileOffset = p.fileOff + r.pos[i] - p.streamOff
		}
	} else {
		ce.File = r.segs[0].name
	}
	return ce
}

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

// readFull fills p from s at off. Open checked that the region is in the
// file, so a short read means the file shrank since (ErrTruncated).
func (s *segment) readFull(p []byte, off int64) error {
	n, err := s.r.ReadAt(p, off)
	switch {
	case n == len(p):
		return nil
	case err == nil || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %s: %d bytes at %d, file ends", ErrTruncated, s.name, len(p), off)
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// decode fills dst (exactly chunk i's size) with chunk i. It is the
// chunk cache's decoder and is safe for concurrent use.
func (r *Reader) decode(i int, dst []byte) error {
	if i < 0 || i >= len(r.entries) {
		return fmt.Errorf("isz: decode chunk %d of %d: out of range", i, len(r.entries))
	}
	if len(dst) != r.chunks.chunkLen(i) {
		return r.chunkErr(i, fmt.Errorf("isz: decode of a %d-byte chunk into %d bytes", r.chunks.chunkLen(i), len(dst)))
	}
	e := r.entries[i]
	if e.typ == ChunkZero {
		clear(dst)
		return nil
	}
	if r.noKey {
		return r.chunkErr(i, ErrNeedPassword)
	}
	bp := r.bufPool.Get().(*[]byte)
	defer r.bufPool.Put(bp)
	in := (*bp)[:r.stored(i)]
	if err := r.readStream(in, r.pos[i]); err != nil {
		return r.chunkErr(i, err)
	}
	if err := r.decodeStored(e.typ, dst, in); err != nil {
		return r.chunkErr(i, err)
	}
	return nil
}

// decodeStored decrypts (in place) and decodes the stored bytes in of a
// chunk of type t into dst.
func (r *Reader) decodeStored(t ChunkType, dst, in []byte) error {
	if r.cipher != nil {
		decryptChunk(r.cipher, in)
	}
	switch t {
	case ChunkData:
		if len(in) != len(dst) {
			return fmt.Errorf("%w: DATA chunk stores %d bytes, want %d", ErrCorrupt, len(in), len(dst))
		}
		copy(dst, in)
	case ChunkZlib:
		if err := inflate.Zlib(dst, in); err != nil {
			return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
		}
	case ChunkBzip2:
		return bunzip(dst, in)
	default:
		clear(dst)
	}
	return nil
}

// ReadAt reads len(p) bytes of the decompressed image at off. It is safe
// for concurrent use. A chunk that fails to decode gives a *ChunkError.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) { return r.cr.ReadAt(p, off) }

// SetCacheSize changes the decoded-chunk cache budget while the Reader is
// in use (Options.CacheSize sets the first one). Shrinking evicts at once,
// and prefetched chunks beyond the new prefetch budget (half the cache) are
// given back; chunks being decoded or read leave when that is done. A
// long-running program can give memory back this way when
// something else it holds grows: cmd/iszmount shrinks the cache as the
// directory tree it serves grows, so that the two together stay within
// one budget.
func (r *Reader) SetCacheSize(bytes int64) { r.cr.setBudget(bytes) }

// CacheMemory is the memory the cache's chunk buffers take now, in bytes:
// those holding chunks, being decoded into or read from, and those kept for
// reuse. It stays within the budget (at least one chunk) however many
// readers there are: a read that needs a buffer when all are in use waits
// for one. Only after SetCacheSize shrinks the budget may it stay above
// until the reads in progress end. Each decode in progress (at most one per
// buffer) also holds the chunk's stored bytes.
func (r *Reader) CacheMemory() int64 { return r.cr.memory() }

// Size is the size of the decompressed image in bytes.
func (r *Reader) Size() int64 { return r.hdr.ImageSize() }

// Close releases the files (Open) and the cache. Only the first call does
// anything; ReadAt must not be called after Close.
func (r *Reader) Close() error {
	r.closeOnce.Do(func() {
		r.cr.Close()
		for _, s := range r.segs {
			if s.c != nil {
				if err := s.c.Close(); err != nil && r.closeErr == nil {
					r.closeErr = err
				}
			}
		}
	})
	return r.closeErr
}
