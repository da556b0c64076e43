package discfs

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// pieced is a file of data runs and holes, read the way the readers read
// theirs: one contiguous piece per call.
type pieced struct {
	runs []run
	size int64
	err  error // returned by the piece holding errAt
	at   int64
}

type run struct {
	off  int64
	data []byte // nil for a hole of n bytes
	n    int64
}

func (f *pieced) piece(p []byte, off int64) (int, error) {
	for _, r := range f.runs {
		if off < r.off || off >= r.off+r.n {
			continue
		}
		if f.err != nil && off <= f.at && f.at < r.off+r.n {
			return 0, f.err
		}
		n := min(int64(len(p)), r.off+r.n-off)
		if r.data == nil {
			clear(p[:n])
		} else {
			copy(p[:n], r.data[off-r.off:])
		}
		return int(n), nil
	}
	return 0, errors.New("no piece")
}

func (f *pieced) ReadAt(p []byte, off int64) (int, error) { return ReadPieces(p, off, f.size, f.piece) }

// newPieced lays out "abc", a 5-byte hole, "xyz", a 2-byte hole, "q"; the
// file is the first size bytes of that (the pieces may run past it).
func newPieced(size int64) (*pieced, []byte) {
	f := &pieced{size: size}
	var want []byte
	for _, r := range []run{{data: []byte("abc")}, {n: 5}, {data: []byte("xyz")}, {n: 2}, {data: []byte("q")}} {
		r.off = int64(len(want))
		if r.data != nil {
			r.n = int64(len(r.data))
			want = append(want, r.data...)
		} else {
			want = append(want, make([]byte, r.n)...)
		}
		f.runs = append(f.runs, r)
	}
	return f, want[:size]
}

func TestReadPieces(t *testing.T) {
	for size := int64(0); size <= 14; size++ {
		f, want := newPieced(size)
		if err := iotest.TestReader(io.NewSectionReader(f, 0, size), want); err != nil {
			t.Errorf("size %d: %v", size, err)
		}
		// Every offset and length, against the model.
		for off := int64(0); off <= size+1; off++ {
			for n := 0; n <= int(size)+2; n++ {
				buf := bytes.Repeat([]byte{0xee}, n)
				got, err := f.ReadAt(buf, off)
				wantN := max(0, min(int64(n), size-off))
				wantEOF := off >= size || int64(n) > wantN // io.ReaderAt: EOF when the read stops at the end
				if int64(got) != wantN || wantEOF != (err == io.EOF) || (err != nil && err != io.EOF) {
					t.Fatalf("size %d: ReadAt(%d bytes, %d) = %d, %v", size, n, off, got, err)
				}
				if !bytes.Equal(buf[:got], want[off:off+wantN]) {
					t.Fatalf("size %d: ReadAt(%d bytes, %d) = %q, want %q", size, n, off, buf[:got], want[off:off+wantN])
				}
			}
		}
	}
}

func TestReadPiecesErrors(t *testing.T) {
	f, _ := newPieced(14)
	if _, err := f.ReadAt(make([]byte, 1), -1); !errors.Is(err, ErrNegativeOffset) {
		t.Errorf("negative offset: %v", err)
	}
	// A failing piece stops the read, counting what came before it.
	f.err, f.at = errors.New("bad block"), 8
	if n, err := f.ReadAt(make([]byte, 14), 0); n != 8 || err != f.err {
		t.Errorf("failing piece: %d, %v", n, err)
	}
	// A piece that returns nothing and no error must not hang the read.
	stuck := func(p []byte, off int64) (int, error) { return 0, nil }
	if n, err := ReadPieces(make([]byte, 4), 0, 10, stuck); n != 0 || err != io.ErrNoProgress {
		t.Errorf("stuck piece: %d, %v", n, err)
	}
}
