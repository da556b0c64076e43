package isz

// The Reader and how its parts fit: set.go opens the files of an image,
// layout.go finds where every chunk's stored bytes are in them, decode.go
// turns one chunk's stored bytes into its data, and the chunk reader
// (readat.go, with the cache in cache.go, prefetch in prefetch.go and the
// decode workers in workers.go) serves ReadAt from decoded chunks. The
// Reader holds the image's chunk geometry (chunks) and hands it to the
// chunk reader, so chunk offsets are computed in one place (offsets.go).

import (
	"crypto/cipher"
	"fmt"
	"sync"
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

// ReadAt reads len(p) bytes of the decompressed image at off. It is safe
// for concurrent use. A chunk that fails to decode gives a *ChunkError.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) { return r.cr.ReadAt(p, off) }

// ReadAtOnce is ReadAt for bytes the caller reads once and keeps what it
// needs of, such as a file system reader's metadata: the read does not
// count as a re-read of the chunks it touches, so they never crowd out
// chunks that readers come back to; the chunks it decodes wait in a queue
// of their own, a sixteenth of the cache (or of the image, if smaller),
// even while the cache has room; and it does not prefetch what follows.
func (r *Reader) ReadAtOnce(p []byte, off int64) (int, error) { return r.cr.read(p, off, true) }

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
