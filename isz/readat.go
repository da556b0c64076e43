package isz

import (
	"fmt"
	"io"
	"io/fs"
	"sync"
)

// chunkReaderConfig is what the format code hands to newChunkReader: the
// geometry of the image and how to get one chunk.
type chunkReaderConfig struct {
	NumChunks int
	ChunkSize int                           // uncompressed size of every chunk but the last
	Size      int64                         // image size in bytes
	Decode    func(i int, dst []byte) error // fill dst (len == size of chunk i) with chunk i; safe for concurrent calls
	IsZero    func(i int) bool              // ZERO chunk: served as zeros, never decoded
	CacheSize int64                         // bytes; 0 = default
	Workers   int                           // 0 = GOMAXPROCS
}

// chunkReader serves ReadAt over the decompressed image from Decode.
type chunkReader struct {
	cfg    chunkReaderConfig
	layout chunkLayout
	err    error // the configuration is inconsistent: every read fails with it

	mu     sync.Mutex
	closed bool
}

func newChunkReader(cfg chunkReaderConfig) *chunkReader {
	l, err := newChunkLayout(cfg.NumChunks, cfg.ChunkSize, cfg.Size)
	return &chunkReader{cfg: cfg, layout: l, err: err}
}

var errReaderClosed = fmt.Errorf("isz: read after Close: %w", fs.ErrClosed)

// ReadAt has io.ReaderAt semantics and is safe for concurrent use.
func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if off < 0 {
		return 0, fmt.Errorf("isz: ReadAt at negative offset %d", off)
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return 0, errReaderClosed
	}
	n, short := c.layout.clampRead(off, len(p))
	var tmp []byte
	for _, s := range c.layout.spans(nil, off, n) {
		dst := p[s.dst : s.dst+s.n]
		if c.cfg.IsZero != nil && c.cfg.IsZero(s.chunk) {
			clear(dst)
			continue
		}
		if s.off == 0 && s.n == c.layout.chunkLen(s.chunk) {
			if err := c.cfg.Decode(s.chunk, dst); err != nil {
				return s.dst, err
			}
			continue
		}
		if tmp == nil {
			tmp = make([]byte, c.layout.chunkSize)
		}
		buf := tmp[:c.layout.chunkLen(s.chunk)]
		if err := c.cfg.Decode(s.chunk, buf); err != nil {
			return s.dst, err
		}
		copy(dst, buf[s.off:])
	}
	if short {
		return n, io.EOF
	}
	return n, nil
}

// Close stops the workers and frees the cache. Reads after Close fail.
func (c *chunkReader) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}
