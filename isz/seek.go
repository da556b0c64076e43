package isz

import "io"

// SeekData returns the first offset >= off that is not in a ZERO chunk,
// like lseek(2) SEEK_DATA. Past the end, or with no data after off, it
// returns io.EOF.
func (r *Reader) SeekData(off int64) (int64, error) {
	return r.seek(off, false)
}

// SeekHole returns the first offset >= off in a ZERO chunk, or the image
// size (the implicit hole at the end), like lseek(2) SEEK_HOLE. Past the
// end it returns io.EOF.
func (r *Reader) SeekHole(off int64) (int64, error) {
	return r.seek(off, true)
}

func (r *Reader) seek(off int64, hole bool) (int64, error) {
	if off < 0 || off >= r.Size() {
		return 0, io.EOF
	}
	for i := r.chunks.chunkAt(off); i < len(r.entries); i++ {
		if (r.entries[i].typ == ChunkZero) == hole {
			return max(off, r.chunks.chunkOffset(i)), nil
		}
	}
	if hole {
		return r.Size(), nil
	}
	return 0, io.EOF
}
