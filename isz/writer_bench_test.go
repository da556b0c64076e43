package isz

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkWrite compresses 8 MiB of mixed content per codec, on one
// worker and on all cores: the ratio of the two is the writer's parallel
// speedup.
func BenchmarkWrite(b *testing.B) {
	img := testImage(8<<20, 11)
	for _, c := range []Codec{CodecZlib, CodecBzip2, CodecStore} {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%v/workers=%d", c, w), func(b *testing.B) {
				b.SetBytes(int64(len(img)))
				for b.Loop() {
					var out memFile
					if _, err := Write(&out, bytes.NewReader(img), int64(len(img)), &WriterOptions{Codec: c, Workers: w, VSN: 1}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerify decodes and checksums an 8 MiB image per codec.
func BenchmarkVerify(b *testing.B) {
	img := testImage(8<<20, 11)
	for _, c := range []Codec{CodecZlib, CodecBzip2, CodecStore} {
		var out memFile
		if _, err := Write(&out, bytes.NewReader(img), int64(len(img)), &WriterOptions{Codec: c, VSN: 1}); err != nil {
			b.Fatal(err)
		}
		r := memReader(b, out.b, nil)
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(int64(len(img)))
			for b.Loop() {
				if err := r.Verify(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
