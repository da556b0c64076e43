package inflate

import (
	"bytes"
	"compress/zlib"
	"errors"
	"strings"
	"testing"
)

// TestZlib checks the zlib framing around Decode: header, exact output
// size, Adler-32 trailer, and the sentinel and offset of each error.
func TestZlib(t *testing.T) {
	data := []byte(strings.Repeat("iszmount zlib chunk ", 400))
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	good := buf.Bytes()
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name   string
		in     []byte
		dstLen int
		want   error  // nil = success; else the sentinel
		msg    string // a substring of the error
	}{
		{"good", good, len(data), nil, ""},
		{"trailing bytes ignored", append(bytes.Clone(good), 1, 2, 3), len(data), nil, ""},
		{"1 byte", good[:1], len(data), ErrTruncated, "1-byte zlib stream"},
		{"method 7", edit(func(b []byte) []byte { b[0] = 0x77; b[1] = 0x01; return b }), len(data), ErrCorrupt, "not DEFLATE"},
		{"window 64 KiB", edit(func(b []byte) []byte { b[0] = 0x88; b[1] = 0x1c; return b }), len(data), ErrCorrupt, "not DEFLATE"},
		{"check bits", edit(func(b []byte) []byte { b[1]++; return b }), len(data), ErrCorrupt, "check bits"},
		{"preset dictionary", edit(func(b []byte) []byte { b[1] = 0xbb; return b }), len(data), ErrCorrupt, "preset dictionary"}, // 0x78bb % 31 == 0
		{"decodes short", good, len(data) + 1, ErrCorrupt, "decodes to 8000 bytes, want 8001"},
		{"decodes long", good, len(data) - 1, ErrOutputFull, ""},
		{"deflate cut", good[:len(good)/2], len(data), ErrTruncated, ""},
		{"no checksum", good[:len(good)-4], len(data), ErrTruncated, "before its Adler-32"},
		{"checksum cut", good[:len(good)-1], len(data), ErrTruncated, "before its Adler-32"},
		{"checksum wrong", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), len(data), ErrCorrupt, "Adler-32 of the data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, tt.dstLen)
			err := Zlib(dst, tt.in)
			if tt.want == nil {
				if err != nil || !bytes.Equal(dst, data) {
					t.Fatalf("Zlib: %v (output equal: %v)", err, bytes.Equal(dst, data))
				}
				return
			}
			var e *Error
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(tt.in) {
				t.Fatalf("Zlib: %v; want an *Error within the input, %v, saying %q", err, tt.want, tt.msg)
			}
		})
	}
}
