package discfs

import "io"

// ReadPieces is the ReadAt of a file of size bytes whose contents lie in
// pieces: extents of the image, runs of blocks in a partition, holes. It
// clamps the read to the file, then calls piece until p is full; piece
// fills p (never empty) from the file offset off with the bytes of the
// one piece that holds off, as many as are contiguous there, and returns
// how many (at least 1) or an error. A hole's piece clears its bytes.
//
// Like every io.ReaderAt, it returns io.EOF with a read that stops at the
// end of the file, and ErrNegativeOffset for off < 0.
func ReadPieces(p []byte, off, size int64, piece func(p []byte, off int64) (int, error)) (int, error) {
	if off < 0 {
		return 0, ErrNegativeOffset
	}
	if off >= size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := size - off; int64(want) > rest {
		p = p[:rest]
	}
	done := 0
	for len(p) > 0 {
		n, err := piece(p, off)
		done += n
		if err == nil && n <= 0 {
			err = io.ErrNoProgress // a broken piece function must not hang us
		}
		if err != nil {
			return done, err
		}
		p, off = p[n:], off+int64(n)
	}
	if done < want {
		return done, io.EOF
	}
	return done, nil
}
