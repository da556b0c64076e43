package main

import (
	"strings"
	"testing"
	"time"
)

func TestRenderProgress(t *testing.T) {
	const MiB = 1 << 20
	tests := []struct {
		label       string
		done, total int64
		elapsed     time.Duration
		width       int
		want        string
	}{
		{"extract", 0, 100 * MiB, 0, 80,
			"extract [>                           ]    0%  0 B / 100.0 MiB  0 B/s  ETA --:--"},
		{"extract", 50 * MiB, 100 * MiB, 2 * time.Second, 80,
			"extract [=========>         ]   50%  50.0 MiB / 100.0 MiB  25.0 MiB/s  ETA 0:02"},
		{"verify", 100 * MiB, 100 * MiB, 4 * time.Second, 80,
			"verify [====================]  100%  100.0 MiB / 100.0 MiB  25.0 MiB/s  in 0:04"},
		// done past total (a racing callback) is clamped
		{"verify", 200 * MiB, 100 * MiB, 4 * time.Second, 80,
			"verify [====================]  100%  100.0 MiB / 100.0 MiB  25.0 MiB/s  in 0:04"},
		// an empty job is complete
		{"cat", 0, 0, time.Second, 60,
			"cat [====================]  100%  0 B / 0 B  0 B/s  in 0:01"},
		// a long job shows hours in the ETA
		{"create", 1 * MiB, 4000 * MiB, time.Second, 90,
			"create [>                              ]    0%  1.0 MiB / 3.9 GiB  1.0 MiB/s  ETA 1:06:39"},
		// too narrow for a bar: the numbers alone, cut to fit
		{"extract", 50 * MiB, 100 * MiB, 2 * time.Second, 40,
			"extract  50%  50.0 MiB / 100.0 MiB"},
		{"extract", 50 * MiB, 100 * MiB, 2 * time.Second, 0, ""},
	}
	for _, tt := range tests {
		got := renderProgress(tt.label, tt.done, tt.total, tt.elapsed, tt.width)
		if got != tt.want {
			t.Errorf("renderProgress(%q, %d, %d, %v, %d) =\n%q\nwant\n%q", tt.label, tt.done, tt.total, tt.elapsed, tt.width, got, tt.want)
		}
		if len(got) > max(tt.width-1, 0) {
			t.Errorf("width %d: line of %d columns wraps", tt.width, len(got))
		}
	}
}

// TestRenderProgressFits sweeps widths and fractions: the line never wraps
// and the bar grows monotonically.
func TestRenderProgressFits(t *testing.T) {
	for width := 0; width <= 200; width += 7 {
		lastFill := -1
		for done := int64(0); done <= 1000; done += 50 {
			line := renderProgress("extract", done, 1000, time.Second, width)
			if len(line) > max(width-1, 0) {
				t.Fatalf("width %d done %d: %d columns: %q", width, done, len(line), line)
			}
			if i := strings.IndexByte(line, '['); i >= 0 {
				fill := strings.Count(line[i:strings.IndexByte(line, ']')], "=")
				if fill < lastFill {
					t.Fatalf("width %d done %d: bar shrank from %d to %d", width, done, lastFill, fill)
				}
				lastFill = fill
			}
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{1 << 20, "1.0 MiB"}, {5 << 30, "5.0 GiB"}, {3 << 40, "3.0 TiB"},
		{1<<63 - 1, "8.0 EiB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"}, {1499 * time.Millisecond, "0:01"}, {59 * time.Second, "0:59"},
		{61 * time.Second, "1:01"}, {3600 * time.Second, "1:00:00"}, {100 * time.Hour, "100:00:00"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
