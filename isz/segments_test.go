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
