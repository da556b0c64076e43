package test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/isz"
)

// TestImages mounts every image of the source tree in tree mode and in raw
// mode and compares them with the source tree and the ISO.
func TestImages(t *testing.T) {
	for _, im := range fx.images {
		t.Run(im.name, func(t *testing.T) {
			var opts []string
			if im.password != "" {
				opts = append(opts, "passfile="+writePassfile(t, im.password))
			}
			tree := mountDaemon(t, bin, im.path, opts...)
			compareTree(t, fx.src, tree.dir)
			var st unix.Statfs_t
			if err := unix.Statfs(tree.dir, &st); err != nil || st.Blocks*uint64(st.Bsize) != uint64(len(fx.isoData)) {
				t.Errorf("statfs: %d blocks of %d (%v); want the image size %d", st.Blocks, st.Bsize, err, len(fx.isoData))
			}

			raw := mountDaemon(t, bin, im.path, append(opts, "mode=raw")...)
			name := filepath.Join(raw.dir, "src.iso")
			if im.name != "iso" {
				name = filepath.Join(raw.dir, im.name+".iso")
			}
			if sum := fileSum(t, name); sum != fx.isoSum {
				t.Errorf("raw node %s: sha256 %x, want the ISO's %x", name, sum, fx.isoSum)
			}
			ents, err := os.ReadDir(raw.dir)
			if err != nil || len(ents) != 1 {
				t.Errorf("raw mount lists %v (%v), want one file", ents, err)
			}
		})
	}
}

// TestRawHoles checks SEEK_HOLE/SEEK_DATA on the raw node of an image with
// ZERO chunks: the first hole is a run of zeros in the ISO, and data follows.
func TestRawHoles(t *testing.T) {
	m := mountDaemon(t, bin, fx.image("zlib").path, "mode=raw")
	f, err := os.Open(filepath.Join(m.dir, "zlib.iso"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := int64(len(fx.isoData))
	hole, err := unix.Seek(int(f.Fd()), 0, unix.SEEK_HOLE)
	if err != nil || hole >= size || hole%chunkSize != 0 {
		t.Fatalf("SEEK_HOLE from 0 = %d, %v; want a chunk-aligned hole before the end (%d)", hole, err, size)
	}
	data, err := unix.Seek(int(f.Fd()), hole, unix.SEEK_DATA)
	if err != nil || data <= hole || data > size {
		t.Fatalf("SEEK_DATA from the hole at %d = %d, %v", hole, data, err)
	}
	for i, b := range fx.isoData[hole:data] {
		if b != 0 {
			t.Fatalf("hole [%d,%d) has a non-zero byte at %d", hole, data, hole+int64(i))
		}
	}
	// The end counts as a hole; the last chunk may be a hole itself (the
	// ISO ends with zero padding).
	if end, err := unix.Seek(int(f.Fd()), size-1, unix.SEEK_HOLE); err != nil || end < size-1 || end > size {
		t.Errorf("SEEK_HOLE from the last byte = %d, %v; want %d or %d", end, err, size-1, size)
	}
	if _, err := unix.Seek(int(f.Fd()), size, unix.SEEK_DATA); err != unix.ENXIO {
		t.Errorf("SEEK_DATA at the end: %v, want ENXIO", err)
	}
}

func writePassfile(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileSum(t *testing.T, name string) [sha256.Size]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// compareTree checks that mounted shows exactly the tree src: the same names
// in every directory, and for each entry the same type, permissions, owner,
// size, mtime, link count, symlink target, device number and content, with
// hard links sharing one inode and distinct files having distinct inodes.
func compareTree(t *testing.T, src, mounted string) {
	t.Helper()
	compareRecorded(t, src, mounted, recorded{perms: true, owner: true, mtime: true, links: true, rootMode: true})
}

// recorded says what a disc writer records, for compareRecorded.
type recorded struct {
	perms, owner, mtime bool
	rootMode            bool   // the root directory's mode is the source's, not the writer's own
	links               bool   // link counts and hard links (one inode)
	extra               string // a top-level directory mounted has and src lacks
}

// compareRecorded is compareTree for what rec says the writer records;
// names, types, sizes, contents, symlink targets and device numbers are
// always compared.
func compareRecorded(t *testing.T, src, mounted string, rec recorded) {
	t.Helper()
	inodes := map[uint64]uint64{} // source inode -> mounted inode
	seen := map[uint64]string{}   // mounted inode -> first path
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		m := filepath.Join(mounted, rel)
		var ss, ms syscall.Stat_t
		if err := syscall.Lstat(p, &ss); err != nil {
			return err
		}
		if err := syscall.Lstat(m, &ms); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if ss.Mode != ms.Mode && (rec.perms && (rel != "." || rec.rootMode) || ss.Mode&syscall.S_IFMT != ms.Mode&syscall.S_IFMT) {
			t.Errorf("%s: mode %o, want %o", rel, ms.Mode, ss.Mode)
		}
		if rec.owner && (ss.Uid != ms.Uid || ss.Gid != ms.Gid) {
			t.Errorf("%s: owner %d:%d, want %d:%d", rel, ms.Uid, ms.Gid, ss.Uid, ss.Gid)
		}
		if rec.mtime && rel != "." && ss.Mtim.Sec != ms.Mtim.Sec {
			t.Errorf("%s: mtime %d, want %d", rel, ms.Mtim.Sec, ss.Mtim.Sec)
		}
		if rel == "." && rec.extra != "" {
			ss.Nlink++ // the extra directory's ".."
		}
		if rec.links && ss.Nlink != ms.Nlink {
			t.Errorf("%s: nlink %d, want %d", rel, ms.Nlink, ss.Nlink)
		}
		if rel != "." && (rec.links || ss.Nlink == 1) {
			if prev, ok := inodes[ss.Ino]; ok && prev != ms.Ino {
				t.Errorf("%s: inode %d, but a hard link of it has %d", rel, ms.Ino, prev)
			} else if other, dup := seen[ms.Ino]; !ok && dup {
				t.Errorf("%s: inode %d is also %s's, which is a different file", rel, ms.Ino, other)
			}
			inodes[ss.Ino] = ms.Ino
			seen[ms.Ino] = rel
		}
		switch ss.Mode & syscall.S_IFMT {
		case syscall.S_IFREG:
			if ss.Size != ms.Size {
				t.Errorf("%s: size %d, want %d", rel, ms.Size, ss.Size)
			} else if fileSum(t, p) != fileSum(t, m) {
				t.Errorf("%s: content differs", rel)
			}
		case syscall.S_IFLNK:
			want, _ := os.Readlink(p)
			if got, err := os.Readlink(m); got != want || err != nil {
				t.Errorf("%s: symlink to %q (%v), want %q", rel, got, err, want)
			}
		case syscall.S_IFCHR, syscall.S_IFBLK:
			if ss.Rdev != ms.Rdev {
				t.Errorf("%s: device %d:%d, want %d:%d", rel,
					unix.Major(ms.Rdev), unix.Minor(ms.Rdev), unix.Major(ss.Rdev), unix.Minor(ss.Rdev))
			}
		case syscall.S_IFDIR:
			got, want := names(t, m), names(t, p)
			if rel == "." && rec.extra != "" {
				got = slices.DeleteFunc(got, func(n string) bool { return n == rec.extra })
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: lists %q, want %q", rel, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Errorf("ReadDir %s: %v", dir, err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestRawFallback: an ISZ image without an ISO 9660 file system is mounted
// in raw mode, with a notice, rather than refused.
func TestRawFallback(t *testing.T) {
	data := make([]byte, 512<<10)
	for i := range data {
		data[i] = byte(i * 31)
	}
	p := filepath.Join(t.TempDir(), "blob.isz")
	if _, err := isz.Create(context.Background(), p, bytes.NewReader(data), int64(len(data)), &isz.WriterOptions{BlockSize: chunkSize}); err != nil {
		t.Fatal(err)
	}
	m := mountForeground(t, bin, p)
	got, err := os.ReadFile(filepath.Join(m.dir, "blob.iso"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("raw node: %d bytes, %v; want the image", len(got), err)
	}
	// The output is copied from a pipe: wait for it.
	waitFor(t, "the raw mode notice", func() bool { return strings.Contains(m.logText(), "mounting in raw mode") })
	if log := m.logText(); strings.Count(log, "\n") != 1 || !strings.Contains(log, `reason="no ISO 9660 file system"`) || !strings.Contains(log, "file=blob.iso") {
		t.Errorf("want one notice line about raw mode saying why, got:\n%s", log)
	}
}
