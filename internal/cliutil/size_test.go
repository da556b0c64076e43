package cliutil

import (
	"errors"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"131072", 131072, true},
		{"128K", 128 << 10, true},
		{"128k", 128 << 10, true},
		{"128KB", 128 << 10, true}, // binary, like dd's K
		{"128kb", 128 << 10, true},
		{"128KiB", 128 << 10, true},
		{"128kib", 128 << 10, true},
		{"1M", 1 << 20, true},
		{"512MiB", 512 << 20, true},
		{"4mb", 4 << 20, true},
		{"1G", 1 << 30, true},
		{"2GiB", 2 << 30, true},
		{"3T", 3 << 40, true},
		{"100B", 100, true},
		{"100b", 100, true},
		{"007", 7, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"8388607T", 8388607 << 40, true}, // largest T that fits

		{"", 0, false},
		{"K", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"-1K", 0, false},
		{" 1K", 0, false},
		{"1K ", 0, false},
		{"1 K", 0, false},
		{"1.5M", 0, false},
		{"1X", 0, false},
		{"1KK", 0, false},
		{"1Ki", 0, false},
		{"1e6", 0, false},
		{"0x10", 0, false},
		{"9223372036854775808", 0, false},     // int64 overflow
		{"99999999999999999999999", 0, false}, // way past
		{"8388608T", 0, false},                // overflow after the multiplier
		{"9007199254740992K", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", tt.in, got)
		} else if !errors.Is(err, ErrSize) {
			t.Errorf("ParseSize(%q) error %v does not wrap ErrSize", tt.in, err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"128K", "1G", "9223372036854775807", "-1", "1.5M", "8388608T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative without error", s, n)
		}
	})
}
