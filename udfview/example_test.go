package udfview

import (
	"bytes"
	"fmt"
	"io/fs"
	"testing"
)

// exampleImage is a small UDF 2.50 image with a metadata partition, made
// by the test-only builder: a file, a directory and a symlink.
func exampleImage() []byte {
	b := newBuilder("metadata", 2048)
	return b.build(&testing.T{}, &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{
		{name: cs8("README.TXT"), fileType: ftFile, perm: udfPerm(0o644), data: []byte("hello from UDF\n")},
		{name: cs16("sources"), fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{
			{name: cs16("install.wim"), fileType: ftFile, perm: udfPerm(0o644), data: bytes.Repeat([]byte{1}, 5000)},
		}},
		{name: cs8("latest"), fileType: ftSymlink, perm: udfPerm(0o777), data: symlinkData("sources", "install.wim")},
	}})
}

func Example() {
	img := exampleImage() // in real use: an *os.File and its size
	im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	info := im.Info()
	fmt.Println(info.Label(), info.RevisionString(), info.PartitionMaps)
	fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
		fi, _ := d.Info()
		fmt.Println(fi.Mode(), fi.Size(), p)
		return err
	})
	data, _ := fs.ReadFile(im, "README.TXT")
	fmt.Printf("%q\n", data)
	e, _ := im.Lookup("latest")
	fmt.Println(e.Target())
	// Output:
	// HANDMADE LV 2.50 [physical metadata]
	// drwxr-xr-x 196 .
	// -rw-r--r-- 15 README.TXT
	// Lrwxrwxrwx 19 latest
	// drwxr-xr-x 104 sources
	// -rw-r--r-- 5000 sources/install.wim
	// "hello from UDF\n"
	// sources/install.wim
}
