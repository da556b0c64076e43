package inflate

import (
	"bytes"
	"io"
	"syscall"
	"testing"
	"time"

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
// way isz did (a reader Reset on each chunk, read into a 128 KiB buffer),
// with Decode, with Decode on the Go fast loop alone (go-loop), and with
// Zlib, which adds the framing and the Adler-32 check: what isz does per
// chunk. MB/s is of output.
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
		defer reportCPU(b, total)()
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
	decode := func(b *testing.B) {
		defer reportCPU(b, total)()
		b.SetBytes(int64(total))
		for b.Loop() {
			for i, c := range comp {
				if _, _, err := Decode(dst[:len(raw[i])], c[2:]); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("inflate", decode)
	b.Run("go-loop", func(b *testing.B) {
		saved := fastAsm
		defer func() { fastAsm = saved }()
		fastAsm = false
		decode(b)
	})
	b.Run("zlib", func(b *testing.B) {
		defer reportCPU(b, total)()
		b.SetBytes(int64(total))
		for b.Loop() {
			for i, c := range comp {
				if err := Zlib(dst[:len(raw[i])], c); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// reportCPU, deferred at the start of a benchmark's run, reports the
// process's user CPU time per operation and the output bytes per CPU
// second (cpu-MB/s). On a shared machine a benchmark's wall time
// includes the time other processes held the core; its CPU time does not.
func reportCPU(b *testing.B, bytesPerOp int) func() {
	start := userCPU()
	return func() {
		if b.N == 0 {
			return
		}
		d := userCPU() - start
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

func userCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano())
}
