package cliutil

import (
	"errors"
	"fmt"
	"testing"

	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
)

func TestMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "plain"},
		{fmt.Errorf("X.isz: %w", fmt.Errorf("X.isz: %w: header_size 120", isz.ErrTruncated)), "X.isz: ISZ image truncated: header_size 120"},
		{fmt.Errorf("d.iso: %w: image of 100 bytes is too small", iso9660view.ErrNotISO9660), "d.iso: no ISO 9660 file system: image of 100 bytes is too small"},
		{fmt.Errorf("a: %w", &isz.ChunkError{Chunk: 3, Offset: 4, File: "a", FileOffset: 5, Err: isz.ErrChecksum}), "a: chunk 3 (image offset 4, a offset 5): checksum mismatch"},
		{errors.New("isz: create: split size 1 below 6144"), "split size 1 below 6144"},
		{fmt.Errorf("bad\nname.isz: %w", isz.ErrPassword), `bad\nname.isz: wrong password`},
		{errors.New("a: b: a: b"), "a: b: a: b"}, // only neighbours are merged
		{fmt.Errorf("x.isz: %w", errors.Join(fmt.Errorf("%w: checksum1", isz.ErrChecksum), fmt.Errorf("%w: checksum2", isz.ErrChecksum))),
			"x.isz: checksum mismatch: checksum1; checksum mismatch: checksum2"},
	} {
		got := Message(tc.err)
		if got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
