package isz

import (
	"slices"
	"testing"
)

func TestSetNames(t *testing.T) {
	tests := []struct {
		given string
		want  [][]string // candidates for segments 0, 1, 2
	}{
		{"d/img.isz", [][]string{{"d/img.isz", "d/img.ISZ", "d/img"}, {"d/img.i01", "d/img.I01"}, {"d/img.i02", "d/img.I02"}}},
		{"d/img.i07", [][]string{{"d/img.isz", "d/img.ISZ", "d/img"}, {"d/img.i01", "d/img.I01"}, {"d/img.i02", "d/img.I02"}}},
		{"IMG.ISZ", [][]string{{"IMG.ISZ", "IMG.isz", "IMG"}, {"IMG.I01", "IMG.i01"}, {"IMG.I02", "IMG.i02"}}},
		{"IMG.I03", [][]string{{"IMG.ISZ", "IMG.isz", "IMG"}, {"IMG.I01", "IMG.i01"}, {"IMG.I02", "IMG.i02"}}},
		{"a.b.part02.isz", [][]string{{"a.b.part01.isz"}, {"a.b.part02.isz"}, {"a.b.part03.isz"}}},
		{"x.PART010.ISZ", [][]string{{"x.PART001.ISZ"}, {"x.PART002.ISZ"}, {"x.PART003.ISZ"}}},
		{"raw.img", [][]string{{"raw.img.isz", "raw.img.ISZ", "raw.img"}, {"raw.img.i01", "raw.img.I01"}, {"raw.img.i02", "raw.img.I02"}}},
		{"odd.i00", [][]string{{"odd.i00.isz", "odd.i00.ISZ", "odd.i00"}, {"odd.i00.i01", "odd.i00.I01"}, {"odd.i00.i02", "odd.i00.I02"}}},
	}
	for _, tc := range tests {
		n := parseSetName(tc.given)
		for k, want := range tc.want {
			if got := n.member(k); !slices.Equal(got, want) {
				t.Errorf("%s: member(%d) = %q, want %q", tc.given, k, got, want)
			}
		}
	}
}

func TestSetFileNames(t *testing.T) {
	for _, tc := range []struct {
		name, base, second string
	}{
		{"disc.isz", "disc", "disc.i01"},
		{"dir/DISC.ISZ", "dir/DISC", "dir/DISC.I01"},
		{"disc.i03", "disc", "disc.i01"},
		{"disc.part01.isz", "disc", "disc.part02.isz"},
		{"disc.part001.isz", "disc", "disc.part002.isz"},
		{"disc", "disc", "disc.i01"},
		{"disc.iso", "disc.iso", "disc.iso.i01"},
	} {
		if got := SetBaseName(tc.name); got != tc.base {
			t.Errorf("SetBaseName(%q) = %q, want %q", tc.name, got, tc.base)
		}
		if got := SetFileName(tc.name, 1); got != tc.second {
			t.Errorf("SetFileName(%q, 1) = %q, want %q", tc.name, got, tc.second)
		}
		if got := SetFileName(tc.name, 0); got != tc.name {
			t.Errorf("SetFileName(%q, 0) = %q", tc.name, got)
		}
	}
}
