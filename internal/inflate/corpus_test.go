package inflate

import (
	"bytes"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// realFiles returns the contents of regular files under the given roots,
// walked in lexical order (so the pick is deterministic on one machine),
// at most maxFile bytes each (longer files are cut), until budget bytes.
// It skips files it cannot read.
func realFiles(tb testing.TB, budget, maxFile int64, roots ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || budget <= 0 {
				if budget <= 0 {
					return filepath.SkipAll
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return nil
			}
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, min(maxFile, budget)))
			if err != nil || len(b) == 0 {
				return nil
			}
			out = append(out, b)
			budget -= int64(len(b))
			return nil
		})
	}
	if len(out) == 0 {
		tb.Fatalf("no readable files under %v", roots)
	}
	return out
}

// deflate compresses p with klauspost/compress/flate at level.
func deflate(tb testing.TB, p []byte, level int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := kflate.NewWriter(&buf, level)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(p); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// randomBytes returns n pseudo-random bytes from seed; with alphabet > 0
// the bytes are drawn from the first alphabet letters, which compresses
// with Huffman codes but few matches.
func randomBytes(seed uint64, n, alphabet int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	p := make([]byte, n)
	for i := range p {
		if alphabet > 0 {
			p[i] = 'a' + byte(r.IntN(alphabet))
		} else {
			p[i] = byte(r.Uint32())
		}
	}
	return p
}
