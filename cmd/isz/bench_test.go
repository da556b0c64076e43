package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/iszmount/iszmount/isz"
)

// benchImage writes a 64 MiB ISO-like image (words with some incompressible
// runs, about 3:1 with zlib) as an ISZ file of the given codec.
func benchImage(b *testing.B, codec isz.Codec) string {
	b.Helper()
	const size = 64 << 20
	words := []string{"volume", "sector", "iso9660", "chunk", "libc.so.6", "README", "0x7f454c46", "\n", "\t", "  "}
	rng := rand.New(rand.NewPCG(1, 2))
	var src bytes.Buffer
	src.Grow(size)
	noise := make([]byte, 4096)
	for src.Len() < size {
		if rng.IntN(8) == 0 {
			for i := range noise {
				noise[i] = byte(rng.Uint32())
			}
			src.Write(noise)
			continue
		}
		for range 256 {
			src.WriteString(words[rng.IntN(len(words))])
		}
	}
	src.Truncate(size)
	name := filepath.Join(b.TempDir(), "bench.isz")
	if _, err := isz.Create(context.Background(), name, &src, size, &isz.WriterOptions{Codec: codec, VSN: 1}); err != nil {
		b.Fatal(err)
	}
	return name
}

// BenchmarkExtract measures isz extract's streaming path (to io.Discard)
// with one decode worker, the single-core baseline, and with one per core.
// The ratio of the two MB/s figures is the parallel speed-up the README
// quotes; the target on 2 cores is >= 1.7x.
func BenchmarkExtract(b *testing.B) {
	for _, codec := range []struct {
		name  string
		codec isz.Codec
	}{{"zlib", isz.CodecZlib}, {"bzip2", isz.CodecBzip2}} {
		b.Run(codec.name, func(b *testing.B) {
			name := benchImage(b, codec.codec)
			for _, workers := range []int{1, 0} {
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					for b.Loop() {
						// A fresh reader each time: a warm chunk cache would
						// measure memcpy, not decoding.
						im, err := openImage(name, nil, workers)
						if err != nil {
							b.Fatal(err)
						}
						b.SetBytes(im.size)
						if _, err := copyImage(context.Background(), im, []extent{{0, im.size}}, io.Discard, nil, nil); err != nil {
							b.Fatal(err)
						}
						im.Close()
					}
				})
			}
		})
	}
}

// BenchmarkLsLong measures "isz ls -l" of a directory of 50,000 files in an
// xorriso image (Rock Ridge + Joliet), opening the image each time as the
// command does; the output goes to io.Discard.
func BenchmarkLsLong(b *testing.B) {
	src := filepath.Join(b.TempDir(), "src", "many")
	if err := os.MkdirAll(src, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range 50000 {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("file-%05d.txt", i)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	iso := filepath.Join(b.TempDir(), "many.iso")
	if msg, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", iso, filepath.Dir(src)).CombinedOutput(); err != nil {
		b.Fatalf("xorriso: %v\n%s", err, msg)
	}
	for b.Loop() {
		if err := list(context.Background(), io.Discard, iso, "many", &treeFlags{}, true, false); err != nil {
			b.Fatal(err)
		}
	}
}
