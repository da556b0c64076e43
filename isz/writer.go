package isz

import (
	"bytes"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zlib"
)

// Codec selects how the writer compresses chunks.
type Codec uint8

// Codecs. Whatever the codec, a chunk that does not shrink is stored as
// DATA.
const (
	CodecZlib  Codec = iota // zlib (deflate), the format's usual codec
	CodecBzip2              // bzip2: smaller, several times slower to decode
	CodecStore              // no compression: every chunk is DATA
)

func (c Codec) String() string {
	switch c {
	case CodecZlib:
		return "zlib"
	case CodecBzip2:
		return "bzip2"
	case CodecStore:
		return "store"
	}
	return fmt.Sprintf("Codec(%d)", uint8(c))
}

// DefaultBlockSize is the chunk size UltraISO uses, and the writer's default.
const DefaultBlockSize = 128 << 10

// sectorSize is the sector size the writer records; images must be a
// whole number of sectors.
const sectorSize = 2048

// WriterOptions for Create and Write. The zero value (or nil) is usable:
// 128 KiB zlib chunks at the default level, one file, no encryption.
type WriterOptions struct {
	BlockSize  int    // chunk size, a multiple of 2048; 0 = DefaultBlockSize
	Codec      Codec  // CodecZlib (default), CodecBzip2 or CodecStore
	Level      int    // 1..9; 0 = codec default (zlib 6, bzip2 9)
	SplitSize  int64  // split into files of at most this size; 0 = one file
	Password   string // encrypt with AES when set; the password is the key, so at most 16/24/32 bytes (ASCII travels best)
	AESBits    int    // 128, 192 or 256; 0 = 256 (only with Password)
	ZeroChunks bool   // store all-zero chunks as ZERO chunks (SDK rule: blk_len = size)
	Workers    int    // compression goroutines; 0 = GOMAXPROCS

	// Progress, if set, is called from one goroutine after each chunk with
	// the source bytes consumed so far and size.
	Progress func(done, total int64)

	// VSN is the volume serial number written in every file; 0 = the
	// current Unix time (set it for reproducible output).
	VSN uint32
}

// Create writes the image read from src (exactly size bytes, a multiple
// of 2048) to name, and when split to further files named like name's
// set: NAME.isz, NAME.i01, NAME.i02 ... or NAME.part01.isz,
// NAME.part02.isz ... It returns the files written. On error no file is
// left behind. Cancelling ctx stops the writer between chunks with ctx's
// error; opts.Progress reports how far it got.
func Create(ctx context.Context, name string, src io.Reader, size int64, opts *WriterOptions) (files []string, err error) {
	names := parseSetName(name)
	var open []*os.File
	defer func() {
		for _, f := range open {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if err != nil {
			for _, f := range open {
				os.Remove(f.Name())
			}
			files = nil
		}
	}()
	create := func(k int) (io.WriterAt, error) {
		fname := name
		if k > 0 {
			fname = names.member(k)[0]
		}
		f, err := os.Create(fname)
		if err != nil {
			return nil, err
		}
		open = append(open, f)
		files = append(files, fname)
		return f, nil
	}
	if _, err = write(ctx, src, size, opts, create); err != nil {
		return nil, err
	}
	return files, nil
}

// Write writes a single-file image of src (exactly size bytes) to dst and
// returns the number of bytes written. opts.SplitSize must be 0.
func Write(dst io.WriterAt, src io.Reader, size int64, opts *WriterOptions) (int64, error) {
	if opts != nil && opts.SplitSize != 0 {
		return 0, errors.New("isz: Write makes one file; use Create to split")
	}
	sizes, err := write(context.Background(), src, size, opts, func(int) (io.WriterAt, error) { return dst, nil })
	if err != nil {
		return 0, err
	}
	return sizes[0], nil
}

// plan is the fixed part of an image being written.
type plan struct {
	o       WriterOptions
	hdr     Header
	n       int // chunks
	ptrLen  int
	sdtRoom int // SDT entries reserved (0 = not split)
	cipher  cipher.Block
	workers int
}

func newPlan(size int64, opts *WriterOptions) (*plan, error) {
	p := &plan{}
	if opts != nil {
		p.o = *opts
	}
	o := &p.o
	if o.BlockSize == 0 {
		o.BlockSize = DefaultBlockSize
	}
	switch {
	case size < 0 || size%sectorSize != 0 || size/sectorSize > 1<<32-1:
		return nil, fmt.Errorf("isz: create: image size %d is not a whole number of 2048-byte sectors below 8 TiB", size)
	case o.BlockSize < sectorSize || o.BlockSize%sectorSize != 0 || o.BlockSize > MaxChunkSize:
		return nil, fmt.Errorf("isz: create: block size %d is not a multiple of 2048 up to %d", o.BlockSize, MaxChunkSize)
	case o.Codec > CodecStore:
		return nil, fmt.Errorf("isz: create: unknown codec %d", o.Codec)
	case o.Level < 0 || o.Level > 9:
		return nil, fmt.Errorf("isz: create: level %d not in 1..9", o.Level)
	case o.SplitSize < 0:
		return nil, fmt.Errorf("isz: create: split size %d", o.SplitSize)
	}
	if o.Level == 0 {
		o.Level = 6
		if o.Codec == CodecBzip2 {
			o.Level = 9
		}
	}
	p.workers = o.Workers
	if p.workers <= 0 {
		p.workers = runtime.GOMAXPROCS(0)
	}
	p.n = int((size + int64(o.BlockSize) - 1) / int64(o.BlockSize))
	p.ptrLen = 3
	if uint32(o.BlockSize) > maxBlkLen(3) {
		p.ptrLen = 4
	}
	enc := EncryptNone
	if o.Password != "" || o.AESBits != 0 {
		switch o.AESBits {
		case 0, 256:
			enc = EncryptAES256
		case 128:
			enc = EncryptAES128
		case 192:
			enc = EncryptAES192
		default:
			return nil, fmt.Errorf("isz: create: AES key of %d bits (want 128, 192 or 256)", o.AESBits)
		}
		if o.Password == "" {
			return nil, errors.New("isz: create: AES needs a password")
		}
		if len(o.Password) > enc.keyLen() {
			return nil, fmt.Errorf("isz: create: password longer than the %d-byte %v key", enc.keyLen(), enc)
		}
		var err error
		if p.cipher, err = newCipher(enc, o.Password); err != nil {
			return nil, err
		}
	}
	vsn := o.VSN
	if vsn == 0 {
		vsn = uint32(time.Now().Unix())
	}
	p.hdr = Header{
		HeaderSize: HeaderSize, Version: 1, VSN: vsn, SectorSize: sectorSize,
		TotalSectors: uint32(size / sectorSize), Encryption: enc,
		NumChunks: uint32(p.n), ChunkSize: uint32(o.BlockSize), PtrLen: uint8(p.ptrLen),
		PtrOffs: HeaderSize,
	}
	cdtLen := int64(p.n) * int64(p.ptrLen)
	if o.SplitSize > 0 {
		// With files of at least three chunks, the chunk after a tail
		// always fits whole, so every file has a chunk starting in it.
		if o.SplitSize < MinSplitSize(o.BlockSize) {
			return nil, fmt.Errorf("isz: create: split size %d below %d (3 blocks of %d and 2 headers)", o.SplitSize, MinSplitSize(o.BlockSize), o.BlockSize)
		}
		// Reserve SDT room for the most files the data can need: every
		// chunk stores at most its size, and ending a file early before
		// the last chunk adds one file.
		perFile := o.SplitSize - HeaderSize
		files := 2 + (size+HeaderSize+(maxSegments+1)*sdtEntrySize+cdtLen+3)/perFile
		p.sdtRoom = int(min(files, maxSegments) + 1)
		p.hdr.SegmentSize = o.SplitSize
		p.hdr.SegOffs = HeaderSize
		p.hdr.PtrOffs = uint32(HeaderSize + p.sdtRoom*sdtEntrySize)
	}
	dataOffs := (int64(p.hdr.PtrOffs) + cdtLen + 3) &^ 3
	if dataOffs > 1<<32-1 {
		return nil, fmt.Errorf("isz: create: %d chunks make a chunk table too large for the format", p.n)
	}
	if o.SplitSize > 0 && dataOffs+int64(o.BlockSize) > o.SplitSize {
		return nil, fmt.Errorf("isz: create: split size %d too small for the %d-byte tables", o.SplitSize, dataOffs)
	}
	p.hdr.DataOffs = uint32(dataOffs)
	return p, nil
}

// MinSplitSize is the smallest WriterOptions.SplitSize the writer accepts
// for chunks of blockSize bytes.
func MinSplitSize(blockSize int) int64 { return 3*int64(blockSize) + 2*HeaderSize }

// chunkJob carries one chunk through the compression pipeline.
type chunkJob struct {
	i   int
	in  []byte       // uncompressed chunk
	out bytes.Buffer // stored bytes
	e   entry
}

// compressor is one worker's codec state, reused for every chunk.
type compressor struct {
	p  *plan
	zw *zlib.Writer
	bw *bzip2.Writer
}

// compress fills j.out and j.e from j.in: ZERO when asked and all zero,
// else the codec's output when it is shorter than the chunk, else DATA.
func (c *compressor) compress(j *chunkJob) error {
	j.out.Reset()
	if c.p.o.ZeroChunks && allZero(j.in) {
		j.e = entry{typ: ChunkZero, blkLen: uint32(len(j.in))}
		return nil
	}
	var err error
	switch c.p.o.Codec {
	case CodecZlib:
		if c.zw == nil {
			c.zw, err = zlib.NewWriterLevel(&j.out, c.p.o.Level)
		} else {
			c.zw.Reset(&j.out)
		}
		if err == nil {
			err = writeClose(c.zw, j.in)
		}
		j.e.typ = ChunkZlib
	case CodecBzip2:
		if c.bw == nil {
			c.bw, err = bzip2.NewWriter(&j.out, &bzip2.WriterConfig{Level: c.p.o.Level})
		} else {
			err = c.bw.Reset(&j.out)
		}
		if err == nil {
			err = writeClose(c.bw, j.in)
		}
		j.e.typ = ChunkBzip2
	}
	if err != nil {
		return fmt.Errorf("isz: create: chunk %d: %w", j.i, err)
	}
	if c.p.o.Codec == CodecStore || j.out.Len() >= len(j.in) {
		j.out.Reset()
		j.out.Write(j.in)
		j.e.typ = ChunkData
	}
	j.e.blkLen = uint32(j.out.Len())
	if c.p.cipher != nil {
		encryptChunk(c.p.cipher, j.out.Bytes())
	}
	return nil
}

func writeClose(w io.WriteCloser, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.Close()
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// write is the writer: it reads src chunk by chunk, compresses on
// p.workers goroutines, and lays the chunks out in order over the files
// that create(k) makes, then writes the headers and tables. It returns the
// file sizes.
func write(ctx context.Context, src io.Reader, size int64, opts *WriterOptions, create func(k int) (io.WriterAt, error)) ([]int64, error) {
	p, err := newPlan(size, opts)
	if err != nil {
		return nil, err
	}
	jobs := make([]*chunkJob, 2*p.workers)
	for k := range jobs {
		jobs[k] = &chunkJob{in: make([]byte, p.o.BlockSize)}
	}
	comps := make(chan *compressor, p.workers) // one codec state per worker
	for range p.workers {
		comps <- &compressor{p: p}
	}
	l := &layouter{p: p, create: create}
	var done int64
	err = ordered(ctx, p.n, p.workers, jobs,
		func(i int, j *chunkJob) error {
			j.i = i
			j.in = j.in[:min(int64(p.o.BlockSize), size-int64(i)*int64(p.o.BlockSize))]
			if _, err := io.ReadFull(src, j.in); err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					err = fmt.Errorf("isz: create: source ended before %d bytes", size)
				}
				return err
			}
			return nil
		},
		func(_ int, j *chunkJob) error {
			c := <-comps
			defer func() { comps <- c }()
			return c.compress(j)
		},
		func(_ int, j *chunkJob) error {
			if err := l.place(j); err != nil {
				return err
			}
			done += int64(len(j.in))
			if p.o.Progress != nil {
				p.o.Progress(done, size)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return l.finish()
}

// layouter places compressed chunks in order over the output files.
type layouter struct {
	p       *plan
	create  func(k int) (io.WriterAt, error)
	files   []io.WriterAt
	segs    []sdtEntry // one per file; the last is the current file
	pos     int64      // write position in the current file
	entries []entry
	crc1    uint32 // running CRC-32 of the image
	crc2    uint32 // running CRC-32 of the stored data
	stored  int64
}

// place writes chunk j's stored bytes at the current position, starting a
// new file when the current one is full. A chunk that does not fit is
// split across two files, except the last chunk, which moves whole to a
// new file so that no file holds only the tail of a chunk.
func (l *layouter) place(j *chunkJob) error {
	if l.files == nil {
		if err := l.newFile(); err != nil {
			return err
		}
	}
	b := j.out.Bytes()
	split := l.p.o.SplitSize
	if split > 0 {
		cur := &l.segs[len(l.segs)-1]
		lastMoves := j.i == l.p.n-1 && int64(len(b)) > split-l.pos && cur.numChunks > 0
		if l.pos == split || lastMoves {
			if err := l.newFile(); err != nil {
				return err
			}
		}
	}
	cur := &l.segs[len(l.segs)-1]
	if cur.numChunks == 0 {
		cur.firstChunk, cur.chunkOff = int64(j.i), l.pos
	}
	cur.numChunks++
	head := b
	if split > 0 && int64(len(b)) > split-l.pos {
		head = b[:split-l.pos]
	}
	if err := l.put(head); err != nil {
		return err
	}
	if tail := b[len(head):]; len(tail) > 0 {
		cur.leftSize = int64(len(tail))
		if err := l.newFile(); err != nil {
			return err
		}
		if err := l.put(tail); err != nil {
			return err
		}
	}
	l.entries = append(l.entries, j.e)
	l.crc1 = crc32.Update(l.crc1, crc32.IEEETable, j.in)
	l.crc2 = crc32.Update(l.crc2, crc32.IEEETable, b)
	l.stored += int64(len(b))
	return nil
}

func (l *layouter) put(b []byte) error {
	if _, err := l.files[len(l.files)-1].WriteAt(b, l.pos); err != nil {
		return err
	}
	l.pos += int64(len(b))
	return nil
}

// newFile closes the current file's segment entry and starts the next.
func (l *layouter) newFile() error {
	k := len(l.files)
	// sdtRoom is an upper bound on the files needed (see newPlan), so only
	// the format's limit of 100 files can stop a split here.
	if k > 0 && k+1 >= l.p.sdtRoom {
		return fmt.Errorf("isz: create: more than %d files needed; raise the split size", maxSegments)
	}
	if k > 0 {
		l.segs[k-1].size = l.pos
	}
	f, err := l.create(k)
	if err != nil {
		return err
	}
	l.files = append(l.files, f)
	l.segs = append(l.segs, sdtEntry{})
	l.pos = HeaderSize
	if k == 0 {
		l.pos = int64(l.p.hdr.DataOffs)
	}
	return nil
}

// finish writes the headers and tables and returns the file sizes.
func (l *layouter) finish() ([]int64, error) {
	if l.files == nil {
		if err := l.newFile(); err != nil {
			return nil, err
		}
	}
	l.segs[len(l.segs)-1].size = l.pos
	h := l.p.hdr
	h.Checksum1, h.Checksum2 = ^l.crc1, ^l.crc2
	h.DataSize = uint32(l.stored)
	sizes := make([]int64, len(l.files))
	for k, f := range l.files {
		h.SegNo = uint8(k)
		if _, err := f.WriteAt(h.marshal(), 0); err != nil {
			return nil, err
		}
		sizes[k] = l.segs[k].size
	}
	// The first file's tables, and the zero padding up to data_offs (so
	// that the file is long enough even for an empty image).
	first := make([]byte, int64(h.DataOffs)-HeaderSize)
	if l.p.sdtRoom > 0 {
		copy(first, marshalSDT(l.segs, l.p.sdtRoom))
	}
	copy(first[int64(h.PtrOffs)-HeaderSize:], marshalChunkTable(l.entries, l.p.ptrLen))
	if _, err := l.files[0].WriteAt(first, HeaderSize); err != nil {
		return nil, err
	}
	return sizes, nil
}
