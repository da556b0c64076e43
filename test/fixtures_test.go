package test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/isz"
)

// chunkSize is the ISZ chunk size of the fixtures: small, so that the
// images have many chunks and a corrupt one is a small range.
const chunkSize = 64 << 10

const password = "open sesame"

// fixtures are made once per run by TestMain.
type fixtures struct {
	src     string // the source tree
	iso     string // xorriso's ISO 9660 image of src (Rock Ridge + Joliet)
	isoData []byte
	isoSum  [sha256.Size]byte
	images  []image // the ISO itself and every ISZ variant of it
}

// image is one image of the source tree.
type image struct {
	name     string // variant: iso, zlib, bzip2, stored, split, aes128, aes256
	path     string // the file to mount (the first of a split set)
	password string
	files    []string // every file of the image
}

func (f *fixtures) image(name string) image {
	for _, im := range f.images {
		if im.name == name {
			return im
		}
	}
	panic("no fixture image " + name)
}

func makeFixtures(dir string) (*fixtures, error) {
	f := &fixtures{src: filepath.Join(dir, "src"), iso: filepath.Join(dir, "src.iso")}
	if err := makeSourceTree(f.src); err != nil {
		return nil, fmt.Errorf("source tree: %w", err)
	}
	out, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "E2E",
		"-o", f.iso, f.src).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("xorriso: %v\n%s", err, out)
	}
	if f.isoData, err = os.ReadFile(f.iso); err != nil {
		return nil, err
	}
	f.isoSum = sha256.Sum256(f.isoData)
	f.images = append(f.images, image{name: "iso", path: f.iso, files: []string{f.iso}})
	for _, v := range []struct {
		name string
		opts isz.WriterOptions
	}{
		{"zlib", isz.WriterOptions{Codec: isz.CodecZlib, ZeroChunks: true}},
		{"bzip2", isz.WriterOptions{Codec: isz.CodecBzip2}},
		{"stored", isz.WriterOptions{Codec: isz.CodecStore}},
		{"split", isz.WriterOptions{Codec: isz.CodecZlib, SplitSize: 1 << 20}},
		{"aes128", isz.WriterOptions{Codec: isz.CodecZlib, Password: password, AESBits: 128}},
		{"aes256", isz.WriterOptions{Codec: isz.CodecZlib, Password: password, AESBits: 256}},
	} {
		opts := v.opts
		opts.BlockSize = chunkSize
		opts.VSN = 1
		name := filepath.Join(dir, v.name+".isz")
		files, err := isz.Create(context.Background(), name, bytes.NewReader(f.isoData), int64(len(f.isoData)), &opts)
		if err != nil {
			return nil, fmt.Errorf("isz.Create %s: %w", v.name, err)
		}
		if v.name == "split" && len(files) < 3 {
			return nil, fmt.Errorf("split image has %d files, want several", len(files))
		}
		f.images = append(f.images, image{name: v.name, path: name, password: opts.Password, files: files})
	}
	return f, nil
}

// treeISZ makes an ISO of the tree at src with xorriso (-as mkisofs, then
// mkisofsArgs) and compresses it to an ISZ with opts; it returns the ISZ's
// path.
func treeISZ(t *testing.T, src string, opts *isz.WriterOptions, mkisofsArgs ...string) string {
	t.Helper()
	iso := filepath.Join(t.TempDir(), "tree.iso")
	args := append(append([]string{"-as", "mkisofs", "-quiet"}, mkisofsArgs...), "-o", iso, src)
	if out, err := exec.Command("xorriso", args...).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	f, err := os.Open(iso)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "tree.isz")
	if _, err := isz.Create(context.Background(), img, f, st.Size(), opts); err != nil {
		t.Fatal(err)
	}
	return img
}

// The source tree's times: every entry gets its own, one second apart.
var baseTime = time.Date(2009, 2, 13, 23, 31, 30, 0, time.UTC)

// makeSourceTree writes a tree with what tree mode must reproduce: sizes
// around the 2 KiB block, compressible and random data, a run of zeros (ZERO
// chunks), empty files (which share a dummy extent on disc but are distinct
// files), hard links, symlinks (relative, absolute, dangling, to a
// directory), long and non-ASCII names, unusual modes, foreign owners,
// devices and a fifo.
func makeSourceTree(root string) error {
	rng := rand.New(rand.NewPCG(4, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var text bytes.Buffer
	for i := 0; text.Len() < 2<<20; i++ {
		fmt.Fprintf(&text, "%06d the quick brown fox jumps over the lazy dog %x\n", i, rng.Uint32()%16)
	}
	files := map[string][]byte{
		"README.txt":                          []byte("iszmount end-to-end fixture\n"),
		"empty1":                              nil,
		"empty2":                              nil,
		"dir/empty3":                          nil,
		"sizes/one":                           {'x'},
		"sizes/s2047":                         random(2047),
		"sizes/s2048":                         random(2048),
		"sizes/s2049":                         random(2049),
		"sizes/s65537":                        random(65537),
		"big/random.bin":                      random(3 << 20),
		"big/text.log":                        text.Bytes(),
		"big/zeros.bin":                       make([]byte, 1<<20),
		"deep/a/b/c/d/file":                   []byte("deep\n"),
		"hard/one":                            random(5000),
		"names/with space.txt":                []byte("space\n"),
		"names/naïve café.txt":                []byte("utf-8\n"),
		"names/UPPER.lower":                   []byte("case\n"),
		"names/" + strings.Repeat("long", 50): []byte("200 characters\n"),
		"modes/private":                       []byte("0600\n"),
		"modes/exec":                          []byte("#!/bin/sh\n"),
		"modes/readonly":                      []byte("0444\n"),
		"modes/setuid":                        []byte("04755\n"),
		"owned":                               []byte("1234:5678\n"),
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	for _, d := range []string{"modes/sticky", "modes/setgid", "special", "links"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	steps := []error{
		os.Link(filepath.Join(root, "hard/one"), filepath.Join(root, "hard/two")),
		os.Link(filepath.Join(root, "hard/one"), filepath.Join(root, "deep/a/three")),
		os.Symlink("../README.txt", filepath.Join(root, "links/rel")),
		os.Symlink("/etc/hostname", filepath.Join(root, "links/abs")),
		os.Symlink("no/such/target", filepath.Join(root, "links/dangling")),
		os.Symlink("../deep/a", filepath.Join(root, "links/todir")),
		unix.Mkfifo(filepath.Join(root, "special/fifo"), 0o640),
		unix.Mknod(filepath.Join(root, "special/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))),
		unix.Mknod(filepath.Join(root, "special/loop"), unix.S_IFBLK|0o660, int(unix.Mkdev(7, 300))),
		os.Chmod(filepath.Join(root, "modes/private"), 0o600),
		os.Chmod(filepath.Join(root, "modes/exec"), 0o755),
		os.Chmod(filepath.Join(root, "modes/readonly"), 0o444),
		unix.Chmod(filepath.Join(root, "modes/setuid"), 0o4755), // os.Chmod would drop the high bits
		unix.Chmod(filepath.Join(root, "modes/sticky"), 0o1777), // os.Chmod would drop the high bits
		unix.Chmod(filepath.Join(root, "modes/setgid"), 0o2755), // os.Chmod would drop the high bits
		os.Lchown(filepath.Join(root, "owned"), 1234, 5678),
		os.Lchown(filepath.Join(root, "links/rel"), 1234, 5678),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	// Times last, children before parents, so creating entries does not
	// move a directory's mtime afterwards.
	var paths []string
	filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	for i := len(paths) - 1; i >= 0; i-- {
		t := unix.NsecToTimespec(baseTime.Add(time.Duration(i) * time.Second).UnixNano())
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, paths[i], []unix.Timespec{t, t}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	return nil
}
