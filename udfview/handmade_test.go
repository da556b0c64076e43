package udfview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// Images made by the test-only builder (builder_test.go), for what no
// Debian tool writes.

// symlinkData encodes path components (ECMA-167 4/14.16).
func symlinkData(comps ...string) []byte {
	var b []byte
	for _, c := range comps {
		switch c {
		case "/":
			b = append(b, 2, 0, 0, 0)
		case "..":
			b = append(b, 3, 0, 0, 0)
		case ".":
			b = append(b, 4, 0, 0, 0)
		default:
			n := cs8(c)
			b = append(b, 5, byte(len(n)), 0, 0)
			b = append(b, n...)
		}
	}
	return b
}

// deviceEA is an extended attribute area holding a device specification.
func deviceEA(major, minor uint32) []byte {
	b := make([]byte, 24+24)
	binary.LittleEndian.PutUint32(b[16:], 24)
	binary.LittleEndian.PutUint32(b[20:], 48)
	setTagN(b[:24], tagEAHD, 0)
	le := binary.LittleEndian
	le.PutUint32(b[24:], 12)
	b[28] = 1
	le.PutUint32(b[32:], 24)
	le.PutUint32(b[40:], major)
	le.PutUint32(b[44:], minor)
	return b
}

func setTagN(d []byte, ident uint16, loc uint32) { setTag(d, ident, loc) }

const (
	sparseSize = 5<<30 + 12345 // over 4 GiB, not a multiple of a block
	permAll    = 0x7fff        // every permission bit, for every class
)

// udfPerm turns POSIX permission bits into UDF ones (plus the change
// attribute and delete bits, which must not leak into the mode).
func udfPerm(m fs.FileMode) uint32 {
	p := uint32(m.Perm())
	return p&7 | (p>>3&7)<<5 | (p>>6&7)<<10 | 0x18<<10 | 0x18
}

// handTree is the tree written into every handmade image. It is built
// afresh per image (the builder records where each file went).
func handTree(b *builder) (*hfile, map[string]string) {
	file := func(name []byte, data string) *hfile {
		return &hfile{name: name, fileType: ftFile, perm: udfPerm(0o644), data: []byte(data)}
	}
	dir := func(name []byte, kids ...*hfile) *hfile {
		return &hfile{name: name, fileType: ftDir, perm: udfPerm(0o755), kids: kids}
	}
	var many []*hfile
	for i := range 300 {
		many = append(many, file(cs16(fmt.Sprintf("file %03d with a rather long name, ünïcödé", i)), fmt.Sprint(i)))
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes
	hard := file(cs8("hard1"), "linked")
	// A file whose allocation descriptors continue in an allocation extent
	// descriptor: the first extent inline, the others in the AED, with an
	// allocated-not-recorded extent between.
	chain := func() []byte {
		first := mkLongAD(uint32(b.bs), b.physAlloc(big[:b.bs]), 0)
		var rest []byte
		rest = append(rest, mkLongAD(uint32(extAllocated)<<30|uint32(b.bs), 0, 0)...)
		rest = append(rest, b.dataADs(big[b.bs:], 16*b.bs)...)
		aed := make([]byte, aedHeader+len(rest))
		binary.LittleEndian.PutUint32(aed[20:], uint32(len(rest)))
		copy(aed[aedHeader:], rest)
		at := b.physAlloc(nil)
		setTag(aed, tagAED, at)
		copy(b.phys[at], aed)
		return append(first, mkLongAD(uint32(extNext)<<30|uint32(b.bs), at, 0)...)
	}()
	chainData := append(append(append([]byte{}, big[:b.bs]...), make([]byte, b.bs)...), big[b.bs:]...)
	root := dir(nil,
		file(cs8("plain.txt"), "hello, world\n"),
		&hfile{name: cs8("embedded.txt"), fileType: ftFile, perm: udfPerm(0o600), data: []byte("tiny"), embed: true},
		&hfile{name: cs8("efe.bin"), fileType: ftFile, perm: udfPerm(0o644), data: big, efe: true},
		file(cs16("Ünï 😀 𝄞 日本"), "sixteen"),
		file(cs8("caf\xe9 \xbd"), "latin-1"),
		&hfile{name: cs8("extended.bin"), fileType: ftFile, perm: udfPerm(0o644), data: big[:10000], extAD: true, eas: deviceEA(9, 9)},
		dir(cs8("many"), many...),
		&hfile{name: cs8("suid"), fileType: ftFile, perm: udfPerm(0o755), flags: icbSetuid | icbSetgid, data: []byte("s"), uid: 1000, gid: 100},
		&hfile{name: cs8("sticky"), fileType: ftDir, perm: udfPerm(0o777), flags: icbSticky},
		&hfile{name: cs8("noowner"), fileType: ftFile, perm: udfPerm(0o644), uid: noOwner, gid: noOwner, data: []byte("n")},
		hard,
		&hfile{name: cs8("hard2"), link: hard},
		dir(cs8("sub"), &hfile{name: cs8("hard3"), link: hard}),
		&hfile{name: cs8("sym"), fileType: ftSymlink, perm: udfPerm(0o777), data: symlinkData("..", "sub", ".", "hard3")},
		&hfile{name: cs8("abs"), fileType: ftSymlink, perm: udfPerm(0o777), data: symlinkData("/", "plain.txt")},
		&hfile{name: cs8("fifo"), fileType: ftFIFO, perm: udfPerm(0o644)},
		&hfile{name: cs8("null"), fileType: ftChar, perm: udfPerm(0o666), eas: deviceEA(1, 3)},
		&hfile{name: cs8("blk"), fileType: ftBlock, perm: udfPerm(0o660)},
		&hfile{name: cs8("chain.bin"), fileType: ftFile, perm: udfPerm(0o644), ads: chain, size: int64(len(chainData))},
		&hfile{name: cs8("deleted"), chars: fidDelete, fileType: ftFile, data: []byte("gone")},
		&hfile{name: cs8("hidden"), chars: fidHidden, fileType: ftFile, data: []byte("hid")},
		file(cs8("a/b"), "slash"),
		file(cs8("."), "dot"),
		file(cs8("dup"), "dup1"),
		file(cs8("dup"), "dup2"),
		file(cs8("nul\x00"), "nul"),
	)
	want := map[string]string{ // path -> "mode size content-or-target"
		"plain.txt":    "-rw-r--r-- 13 hello, world\n",
		"embedded.txt": "-rw------- 4 tiny",
		"Ünï 😀 𝄞 日本":   "-rw-r--r-- 7 sixteen",
		"suid":         "ugrwxr-xr-x 1 s",
		"sticky":       "dtrwxrwxrwx 40 ",
		"noowner":      "-rw-r--r-- 1 n",
		"hard1":        "-rw-r--r-- 6 linked",
		"hard2":        "-rw-r--r-- 6 linked",
		"sub/hard3":    "-rw-r--r-- 6 linked",
		"sym":          "Lrwxrwxrwx 14 ../sub/./hard3",
		"abs":          "Lrwxrwxrwx 10 /plain.txt",
		"fifo":         "prw-r--r-- 0 ",
		"null":         "Dcrw-rw-rw- 0 ",
		"blk":          "Drw-rw---- 0 ",
		"a_b~2":        "-rw-r--r-- 5 slash",
		"_.~2":         "-rw-r--r-- 3 dot",
		"dup":          "-rw-r--r-- 4 dup1",
		"dup~2":        "-rw-r--r-- 4 dup2",
		"nul_~2":       "-rw-r--r-- 3 nul",
		"many/file 299 with a rather long name, ünïcödé": "-rw-r--r-- 3 299",
	}
	want["efe.bin"] = fmt.Sprintf("-rw-r--r-- %d %s", len(big), big)
	want["extended.bin"] = fmt.Sprintf("-rw-r--r-- 10000 %s", big[:10000])
	want["chain.bin"] = fmt.Sprintf("-rw-r--r-- %d %s", len(chainData), chainData)
	return root, want
}

// handImage builds the handmade image of a kind and block size.
func handImage(t testing.TB, kind string, bs int) (*builder, []byte, map[string]string) {
	b := newBuilder(kind, bs)
	root, want := handTree(b)
	img := b.build(t, root)
	return b, img, want
}

func openBytes(t testing.TB, img []byte) *Image {
	t.Helper()
	im, err := Open(bytes.NewReader(img), int64(len(img)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestHandmade reads the handmade tree from every partition kind (plain,
// sparable with a spared packet, metadata, VAT in its 2.xx and 1.50
// layouts) at three block sizes.
func TestHandmade(t *testing.T) {
	for _, kind := range []string{"plain", "sparable", "metadata", "virtual", "virtual150"} {
		for _, bs := range []int{512, 2048, 4096} {
			t.Run(fmt.Sprintf("%s-%d", kind, bs), func(t *testing.T) {
				b, img, want := handImage(t, kind, bs)
				if b.crossings == 0 {
					t.Error("no file identifier crosses a block boundary")
				}
				im := openBytes(t, img)
				checkHandTree(t, im, want)
				info := im.Info()
				if info.BlockSize != bs || info.Label() != "HANDMADE LV" || info.FileSetID != "HANDMADE" || info.VAT != strings.HasPrefix(kind, "virtual") || info.ReserveVDS || info.MetadataMirror {
					t.Errorf("info %+v", info)
				}
				testFS(t, im)
			})
		}
	}
}

// checkHandTree compares an image with handTree's expectations.
func checkHandTree(t *testing.T, im *Image, want map[string]string) {
	t.Helper()
	for p, w := range want {
		e, err := im.Lookup(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		content := e.Target()
		if e.Mode().IsRegular() {
			content = string(readEntry(t, e))
		}
		if got := fmt.Sprintf("%v %d %s", e.Mode(), e.Size(), content); got != w {
			t.Errorf("%s: got %.80q, want %.80q", p, got, w)
		}
	}
	for _, p := range []string{"deleted", "hidden"} {
		if _, err := im.Lookup(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want it skipped", p, err)
		}
	}
	kids, _ := im.Root().ReadDir()
	if len(kids) != 24 {
		var names []string
		for _, k := range kids {
			names = append(names, k.Name())
		}
		t.Errorf("root has %d entries, want 24: %q", len(kids), names)
	}
	many, _ := im.Lookup("many")
	if k, err := many.ReadDir(); err != nil || len(k) != 300 {
		t.Errorf("many: %d entries, %v", len(k), err)
	}
	// Hard links: one inode, three names.
	h1, _ := im.Lookup("hard1")
	h3, _ := im.Lookup("sub/hard3")
	if h1.Inode() != h3.Inode() || h1.Nlink() != 3 {
		t.Errorf("hard links: inodes %d %d, nlink %d", h1.Inode(), h3.Inode(), h1.Nlink())
	}
	p, _ := im.Lookup("plain.txt")
	if p.Nlink() != 1 || p.Inode() == h1.Inode() {
		t.Errorf("plain.txt nlink %d inode %d", p.Nlink(), p.Inode())
	}
	// Owners: recorded, and "none".
	s, _ := im.Lookup("suid")
	n, _ := im.Lookup("noowner")
	if !s.HasOwner() || s.UID() != 1000 || s.GID() != 100 || n.HasOwner() || n.UID() != 0 {
		t.Errorf("owners: %d/%d %v, %d/%d %v", s.UID(), s.GID(), s.HasOwner(), n.UID(), n.GID(), n.HasOwner())
	}
	// Times: 2024-02-29 13:14:15.16171800 at UTC+1.
	if mt := p.ModTime(); mt.Format("2006-01-02 15:04:05.000000") != "2024-02-29 12:14:15.161718" {
		t.Errorf("mtime %v", mt)
	}
	if d, _ := im.Lookup("null"); d.Rdev() != 1<<8|3 {
		t.Errorf("null rdev %#x", d.Rdev())
	}
	if d, _ := im.Lookup("blk"); d.Rdev() != 0 {
		t.Errorf("blk rdev %#x", d.Rdev())
	}
	if b, err := fs.ReadFile(im, "sym"); err != nil || string(b) != "linked" {
		t.Errorf("through sym: %q %v", b, err)
	}
	if target, err := im.ReadLink("abs"); err != nil || target != "/plain.txt" {
		t.Errorf("ReadLink: %q %v", target, err)
	}
	if !strings.HasPrefix(fmt.Sprint(im.Root().Mode()), "d") {
		t.Errorf("root %v", im.Root().Mode())
	}
}

// TestSparseOver4GiB reads a file of 5 GiB that is almost all hole: not
// allocated extents of almost 1 GiB each, then 16 recorded bytes. (It is
// kept out of handTree because fstest.TestFS reads every file whole.)
func TestSparseOver4GiB(t *testing.T) {
	for _, kind := range []string{"plain", "metadata"} {
		b := newBuilder(kind, 2048)
		var ads []byte
		left := int64(sparseSize - 16)
		for left > 0 {
			n := min(left, int64(1<<30-b.bs))
			ads = append(ads, mkLongAD(uint32(extUnallocated)<<30|uint32(n), 0, 0)...)
			left -= n
		}
		ads = append(ads, mkLongAD(16, b.physAlloc([]byte("END-OF-BIG-FILE\n")), 0)...)
		root := &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{
			{name: cs8("sparse.bin"), fileType: ftFile, perm: udfPerm(0o644), ads: ads, size: sparseSize},
		}}
		im := openBytes(t, b.build(t, root))
		sp, err := im.Lookup("sparse.bin")
		if err != nil {
			t.Fatal(err)
		}
		if sp.Size() != sparseSize {
			t.Errorf("size %d", sp.Size())
		}
		r, err := sp.Open()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 32)
		if n, err := r.ReadAt(buf, sparseSize-32); n != 32 || err != nil || !bytes.Equal(buf, append(make([]byte, 16), "END-OF-BIG-FILE\n"...)) {
			t.Errorf("sparse tail: %q %v", buf[:n], err)
		}
		if n, err := r.ReadAt(buf, 1<<32); n != 32 || err != nil || !bytes.Equal(buf, make([]byte, 32)) {
			t.Errorf("at 4 GiB: %q %v", buf[:n], err)
		}
	}
}

// TestNlinkRecorded: a file's link count is its file entry's, so asking
// for it lists no other directory (pycdlib's discs, whose counts are all
// 1, are counted over the tree: TestPycdlibBridge).
func TestNlinkRecorded(t *testing.T) {
	_, img, _ := handImage(t, "plain", 2048)
	im := openBytes(t, img)
	h, err := im.Lookup("hard1")
	if err != nil {
		t.Fatal(err)
	}
	before := im.listings.Used() // the root alone
	if h.Nlink() != 3 || im.listings.Used() != before {
		t.Errorf("hard1: %d links, listings of %d bytes kept, then %d; want 3 links and no other listing", h.Nlink(), before, im.listings.Used())
	}
}
