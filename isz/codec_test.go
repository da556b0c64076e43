package isz

import (
	"bytes"
	"compress/zlib"
	"errors"
	"strings"
	"testing"
)

// TestInflate checks the zlib framing around internal/inflate: header,
// exact output size, Adler-32 trailer.
func TestInflate(t *testing.T) {
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
		msg    string // "" = success; else a substring of the error
	}{
		{"good", good, len(data), ""},
		{"trailing bytes ignored", append(bytes.Clone(good), 1, 2, 3), len(data), ""},
		{"1 byte", good[:1], len(data), "1-byte stream"},
		{"method 7", edit(func(b []byte) []byte { b[0] = 0x77; b[1] = 0x01; return b }), len(data), "not DEFLATE"},
		{"window 64 KiB", edit(func(b []byte) []byte { b[0] = 0x88; b[1] = 0x1c; return b }), len(data), "not DEFLATE"},
		{"check bits", edit(func(b []byte) []byte { b[1]++; return b }), len(data), "check bits"},
		{"preset dictionary", edit(func(b []byte) []byte { b[1] = 0xbb; return b }), len(data), "preset dictionary"}, // 0x78bb % 31 == 0
		{"decodes short", good, len(data) + 1, "decodes to 8000 bytes, want 8001"},
		{"decodes long", good, len(data) - 1, "more than 7999 bytes"},
		{"deflate cut", good[:len(good)/2], len(data), "truncated"},
		{"no checksum", good[:len(good)-4], len(data), "before its Adler-32"},
		{"checksum cut", good[:len(good)-1], len(data), "before its Adler-32"},
		{"checksum wrong", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), len(data), "Adler-32 of the data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, tt.dstLen)
			err := inflate(dst, tt.in)
			if tt.msg == "" {
				if err != nil || !bytes.Equal(dst, data) {
					t.Fatalf("inflate: %v (output equal: %v)", err, bytes.Equal(dst, data))
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("inflate: %v; want ErrCorrupt saying %q", err, tt.msg)
			}
		})
	}
}
