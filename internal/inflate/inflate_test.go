package inflate

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"fmt"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// eachLoop calls f once for each fast loop this machine has: the assembly
// one where the CPU supports it ("asm") and the Go one ("go"), forced by
// clearing fastAsm, which it restores.
func eachLoop(f func(loop string)) {
	saved := fastAsm
	defer func() { fastAsm = saved }()
	if saved {
		f("asm")
	}
	fastAsm = false
	f("go")
}

// roundTrip decodes comp into a buffer of exactly len(want) bytes and
// compares; then checks that one byte less of output is ErrOutputFull.
func roundTrip(t *testing.T, name string, comp, want []byte) {
	t.Helper()
	dst := make([]byte, len(want))
	n, nIn, err := Decode(dst, comp)
	if err != nil {
		t.Fatalf("%s: Decode: %v", name, err)
	}
	if n != len(want) || !bytes.Equal(dst[:n], want) {
		t.Fatalf("%s: decoded %d bytes, want %d (equal prefix: %v)", name, n, len(want), bytes.Equal(dst[:min(n, len(want))], want[:min(n, len(want))]))
	}
	if nIn != len(comp) {
		t.Fatalf("%s: consumed %d of %d input bytes", name, nIn, len(comp))
	}
	if len(want) > 0 {
		_, _, err := Decode(dst[:len(want)-1], comp)
		if !errors.Is(err, ErrOutputFull) {
			t.Fatalf("%s: into a buffer 1 byte short: %v, want ErrOutputFull", name, err)
		}
	}
}

func inputs(t *testing.T) map[string][]byte {
	in := map[string][]byte{
		"empty":    {},
		"one":      {'x'},
		"zeros1M":  make([]byte, 1<<20),
		"random":   randomBytes(1, 300<<10, 0),
		"letters4": randomBytes(2, 200<<10, 4),
		"text":     []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 5000)),
	}
	// Sizes around the encoders' block and window boundaries.
	for _, n := range []int{1<<15 - 1, 1 << 15, 1<<15 + 1, 1<<16 - 1, 1 << 16, 1<<16 + 1, 65535 * 2, 1 << 17} {
		in[fmt.Sprintf("mixed%d", n)] = append(randomBytes(uint64(n), n/2, 0), randomBytes(uint64(n), n-n/2, 20)...)
	}
	// Text, ELF and images: up to 10 files, 384 KiB, of each.
	for _, root := range []string{"/usr/share/common-licenses", "/usr/lib/x86_64-linux-gnu", "/usr/share/icons"} {
		files := realFiles(t, 384<<10, 256<<10, root)
		for i, f := range files[:min(len(files), 10)] {
			in[fmt.Sprintf("%s/%02d", root, i)] = f
		}
	}
	return in
}

// TestRoundTrip decodes the output of klauspost/compress/flate at every
// level and of compress/flate at a few, byte for byte.
// The streams are decoded with each fast loop.
func TestRoundTrip(t *testing.T) {
	for name, p := range inputs(t) {
		streams := map[string][]byte{}
		for _, level := range []int{kflate.HuffmanOnly, kflate.NoCompression, 1, 2, 3, 4, 5, 6, 7, 8, 9} {
			streams[fmt.Sprintf("klauspost%d", level)] = deflate(t, p, level)
		}
		for _, level := range []int{stdflate.HuffmanOnly, 1, 6, 9} {
			var buf bytes.Buffer
			w, _ := stdflate.NewWriter(&buf, level)
			w.Write(p)
			w.Close()
			streams[fmt.Sprintf("std%d", level)] = buf.Bytes()
		}
		eachLoop(func(loop string) {
			for enc, comp := range streams {
				roundTrip(t, name+"/"+enc+"/"+loop, comp, p)
			}
		})
	}
}
