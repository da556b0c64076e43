package udfview

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Fuzz targets. The only failures are a panic, a hang, an untyped error or
// a broken invariant. Seeds are added here from the test-only builder and
// the real-writer descriptors kept in testdata/fuzz/<target>/.

// crcBitwise is CRC-ITU-T computed bit by bit, the definition the table
// version must match.
func crcBitwise(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c ^= uint16(x) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
	}
	return c
}

// TestCRC checks the eight-bytes-at-a-time CRC against its bitwise
// definition at every length up to a file entry's block, so that both its
// loops and every tail length are covered, and against the published check
// value of this CRC (CRC-16/XMODEM: 0x31C3 for "123456789").
func TestCRC(t *testing.T) {
	if got := crcITU([]byte("123456789")); got != 0x31c3 {
		t.Fatalf("CRC of the check string %#04x, want 0x31c3", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 2048)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	for n := range len(b) + 1 {
		if got, want := crcITU(b[:n]), crcBitwise(b[:n]); got != want {
			t.Fatalf("CRC of %d bytes %#04x, bitwise %#04x", n, got, want)
		}
	}
}

// FuzzTag checks descriptor tags: checkTag accepts exactly the tags whose
// checksum and CRC are right, and the CRC agrees with its bitwise
// definition.
func FuzzTag(f *testing.F) {
	_, img, _ := handImage(f, "plain", 512)
	for _, blk := range []int{256, 257, 258, 259, 290, partStartBlock, partStartBlock + 1} {
		f.Add(img[blk*512 : blk*512+512])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if crcITU(data) != crcBitwise(data) {
			t.Fatalf("crc %#x, bitwise %#x", crcITU(data), crcBitwise(data))
		}
		tg, err := checkTag(data, 0, -1, 0)
		checkTyped(t, "tag", err)
		if err != nil {
			return
		}
		if int(tg.crcLen) > len(data)-tagSize || tagChecksum(data) != data[4] || crcBitwise(data[16:16+int(tg.crcLen)]) != tg.crc {
			t.Fatalf("accepted a bad tag % x", data[:16])
		}
	})
}

// fuzzBase is a small plain image with one file whose file entry the
// fuzzer replaces, and where that entry is.
func fuzzBase(tb testing.TB) ([]byte, int) {
	b := newBuilder("plain", 512)
	f := &hfile{name: cs8("f"), fileType: ftFile, perm: udfPerm(0o644), data: bytes.Repeat([]byte("data"), 300)}
	root := &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{f,
		{name: cs8("l"), fileType: ftSymlink, perm: udfPerm(0o777), data: symlinkData("..", "f")}}}
	img := b.build(tb, root)
	return img, b.icbPhys[f.icb] * b.bs
}

// FuzzICB fuzzes a file entry and its allocation descriptors (and the
// extended attributes, embedded data and allocation extent descriptors
// they lead to): the input replaces the file entry of a file of a small
// image, whose tag is then made valid so that the body gets parsed.
func FuzzICB(f *testing.F) {
	img, at := fuzzBase(f)
	f.Add(img[at:at+512], true)
	_, hand, _ := handImage(f, "plain", 512)
	for off := 0; off+512 <= len(hand); off += 512 {
		if id := binary.LittleEndian.Uint16(hand[off:]); (id == tagFE || id == tagEFE) && hand[off+27] != ftDir {
			f.Add(hand[off:off+512], true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, fixTag bool) {
		if len(data) > 512 {
			return
		}
		v := bytes.Clone(img)
		blk := v[at : at+512]
		clear(blk)
		copy(blk, data)
		if fixTag && len(data) >= tagSize {
			binary.LittleEndian.PutUint32(blk[12:], uint32(at/512-partStartBlock))
			n := min(int(binary.LittleEndian.Uint16(blk[10:])), 512-tagSize)
			binary.LittleEndian.PutUint16(blk[10:], uint16(n))
			retag(blk)
		}
		exercise(t, v)
	})
}

// FuzzFID fuzzes directory data: file identifier descriptors and the CS0
// names they carry, then the same bytes as symlink path components.
// Decoded names are valid UTF-8 and, once made unique, legal.
func FuzzFID(f *testing.F) {
	f.Add(fidBytes(fidDir|fidParent, nil, 1, 0, 0))
	f.Add(append(fidBytes(0, cs16("Ünï 😀"), 5, 0, 0), fidBytes(fidHidden, cs8("x"), 6, 0, 0)...))
	f.Add(symlinkData("/", "..", ".", "name"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var names []string
		for pos := 0; pos < len(data); {
			fd, n, err := parseFID(data[pos:], int64(pos))
			checkTyped(t, "fid", err)
			if err != nil {
				break
			}
			if n <= 0 {
				t.Fatalf("FID of length %d", n)
			}
			pos += n
			name := decodeCS0(fd.name)
			if !utf8.ValidString(name) {
				t.Fatalf("name %q is not UTF-8", name)
			}
			names = append(names, name)
		}
		names = append(names, decodeCS0(data), decodeDString(data))
		discfs.UniqueNames(names)
		seen := map[string]bool{}
		for _, n := range names {
			if !discfs.LegalName(n) || seen[n] {
				t.Fatalf("name %q after UniqueNames", n)
			}
			seen[n] = true
		}
		target, err := symlinkTarget(data, 0)
		checkTyped(t, "symlink", err)
		if err == nil && !utf8.ValidString(target) {
			t.Fatalf("target %q", target)
		}
	})
}

// FuzzImage fuzzes whole images: the input is everything from block 256
// on of a 512-byte-block image (the 128 KiB before it hold only the volume
// recognition sequence, which is put back).
func FuzzImage(f *testing.F) {
	head := 256 * 512
	img, _ := fuzzBase(f)
	f.Add(img[head:])
	for _, kind := range []string{"metadata", "virtual", "sparable"} {
		b := newBuilder(kind, 512)
		root := &hfile{fileType: ftDir, perm: udfPerm(0o755), kids: []*hfile{
			{name: cs8("f"), fileType: ftFile, perm: udfPerm(0o644), data: []byte("hello")},
			{name: cs8("d"), fileType: ftDir, perm: udfPerm(0o755)},
		}}
		f.Add(b.build(f, root)[head:])
	}
	prefix := img[:head]
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		exercise(t, append(bytes.Clone(prefix), data...))
	})
}
