package inflate

import (
	"bytes"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
)

const benchChunk = 128 << 10 // isz's default chunk size

// benchChunks returns about 32 MiB of real files (ELF libraries, text,
// images), cut into 128 KiB pieces and each compressed as a zlib stream
// at the default level, as isz images are.
func benchChunks(b *testing.B) (raw, comp [][]byte) {
	var all []byte
	for _, src := range []struct {
		budget int64
		roots  []string
	}{
		{16 << 20, []string{"/usr/lib/x86_64-linux-gnu"}},
		{10 << 20, []string{"/usr/share/doc", "/usr/share/common-licenses", "/usr/share/perl"}},
		{6 << 20, []string{"/usr/share/icons", "/usr/share/pixmaps", "/usr/share/fonts"}},
	} {
		for _, f := range realFiles(b, src.budget, 4<<20, src.roots...) {
			all = append(all, f...)
		}
	}
	for len(all) > 0 {
		p := all[:min(benchChunk, len(all))]
		all = all[len(p):]
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(p)
		w.Close()
		raw = append(raw, p)
		comp = append(comp, buf.Bytes())
	}
	return raw, comp
}

// BenchmarkDecode decodes every chunk with klauspost/compress/flate the
// way isz did (a reader Reset on each chunk, read into a 128 KiB buffer)
// and with Decode; MB/s is of output.
func BenchmarkDecode(b *testing.B) {
	raw, comp := benchChunks(b)
	total := 0
	for _, p := range raw {
		total += len(p)
	}
	b.Logf("%d chunks, %d bytes, ratio %.3f", len(raw), total, func() float64 {
		c := 0
		for _, p := range comp {
			c += len(p)
		}
		return float64(c) / float64(total)
	}())
	dst := make([]byte, benchChunk)
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(total))
		var br bytes.Reader
		fr := kflate.NewReader(nil)
		for b.Loop() {
			for i, c := range comp {
				br.Reset(c[2:])
				fr.(kflate.Resetter).Reset(&br, nil)
				if _, err := io.ReadFull(fr, dst[:len(raw[i])]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("inflate", func(b *testing.B) {
		b.SetBytes(int64(total))
		for b.Loop() {
			for i, c := range comp {
				if _, _, err := Decode(dst[:len(raw[i])], c[2:]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
