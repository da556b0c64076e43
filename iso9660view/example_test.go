package iso9660view_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/iszmount/iszmount/iso9660view"
)

// Example opens an image made by xorriso and lists it, reads a file and
// follows a symlink through io/fs.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "src/docs"), 0o755)
	os.WriteFile(filepath.Join(dir, "src/docs/readme.txt"), []byte("hello from the disc\n"), 0o644)
	os.Symlink("docs/readme.txt", filepath.Join(dir, "src/README"))
	iso := filepath.Join(dir, "disc.iso")
	if out, err := exec.Command("xorriso", "-as", "mkisofs", "-R", "-J", "-o", iso, filepath.Join(dir, "src")).CombinedOutput(); err != nil {
		log.Fatalf("%v\n%s", err, out)
	}

	f, err := os.Open(iso)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	im, err := iso9660view.Open(f, st.Size(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("names from:", im.Info().Names)
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		e, _ := im.Lookup(p)
		fmt.Printf("%-20s %v %q\n", p, e.Mode(), e.Target())
		return nil
	})
	data, _ := fs.ReadFile(im, "README") // follows the symlink
	fmt.Print(string(bytes.ToUpper(data)))
	// Output:
	// names from: rockridge
	// .                    drwxr-xr-x ""
	// README               Lrwxrwxrwx "docs/readme.txt"
	// docs                 drwxr-xr-x ""
	// docs/readme.txt      -rw-r--r-- ""
	// HELLO FROM THE DISC
}
