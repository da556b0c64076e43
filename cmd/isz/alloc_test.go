//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation
// counts mean nothing under it.

package main

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// TestCopyContentsAllocs: copying a file out of the tree takes its buffer
// from a pool. One made per file was a gigabyte of garbage in an
// extraction of the bench tree's 60,000 files.
func TestCopyContentsAllocs(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte("iszmount"), 3*copyBlock/8+100))
	for _, size := range []int64{1, 4096, src.Size()} {
		allocs := testing.AllocsPerRun(20, func() {
			if err := copyContents(context.Background(), io.Discard, src, size, nil); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 0 {
			t.Errorf("copying a %d-byte file: %.1f allocations, want none", size, allocs)
		}
	}
}
