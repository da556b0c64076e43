package isz_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/iszmount/iszmount/isz"
)

// Compress an image into a split set, then read part of it back.
func Example() {
	dir, err := os.MkdirTemp("", "isz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A 1 MiB "ISO": 512 sectors, a message in sector 16.
	iso := make([]byte, 512*2048)
	copy(iso[16*2048:], "CD001 hello")

	files, err := isz.Create(context.Background(), filepath.Join(dir, "disc.isz"), bytes.NewReader(iso), int64(len(iso)),
		&isz.WriterOptions{Codec: isz.CodecStore, SplitSize: 400 << 10, VSN: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}

	// Any member of the set opens the whole set.
	r, err := isz.Open(files[1], nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 11)
	if _, err := r.ReadAt(buf, 16*2048); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, %d bytes in %d chunks\n", buf, r.Size(), r.NumChunks())
	// Output:
	// disc.isz
	// disc.i01
	// disc.i02
	// CD001 hello, 1048576 bytes in 8 chunks
}
