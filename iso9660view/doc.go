// Package iso9660view reads ISO 9660 file systems (CD and DVD images) with
// their Rock Ridge, Joliet, zisofs and El Torito extensions, and serves them
// through io/fs.
//
// It reads from any io.ReaderAt: a plain .iso file, or the decompressed view
// of an ISZ image. It never writes.
//
// # Opening an image
//
//	f, _ := os.Open("disc.iso")
//	st, _ := f.Stat()
//	im, err := iso9660view.Open(f, st.Size(), nil)
//	if errors.Is(err, iso9660view.ErrUDFOnly) {
//		// a UDF-only disc: nothing for this package to read
//	}
//	data, err := fs.ReadFile(im, "docs/README")
//
// Open reads the volume descriptors, the root directory's first sector and
// the El Torito boot catalog, nothing more: other directories are read when
// first listed or looked up, then kept in a listing cache bounded by
// Options.DirCache (16 MiB by default, some 90,000 entries), so listing the
// root of a DVD image costs a few reads and a directory of 50,000 files is
// parsed once, while a disc of millions of entries is walked in bounded
// memory: the least recently used listings are dropped and parsed again
// when next used, giving the same entries in the same order (Entry.Index,
// Entry.Child). All methods are safe for concurrent use.
//
// # Which names
//
// An ISO 9660 image can carry up to three trees of names for the same data:
// the primary tree with 8.3-style upper-case names, optionally extended by
// Rock Ridge entries (POSIX names, permissions, owners, times, symlinks,
// devices, hard-link counts); a Joliet tree with UCS-2 names of up to 64
// characters (more with mkisofs -joliet-long) but no POSIX attributes and no
// symlinks; and, rarely, an ISO 9660:1999 tree with longer plain names. Like
// the Linux kernel, Open uses Rock Ridge if present, else Joliet, else the
// plain names (with the ";1" version suffix and a trailing "." removed);
// Options.NoRock and Options.NoJoliet skip an extension. VolumeInfo.Names
// says which tree is shown.
//
// Names are made safe for a file system: within a directory they are never
// empty, ".", "..", longer than 255 bytes, or contain "/" or NUL, and never
// repeat. Offending names are renamed deterministically (a "~2", "~3" suffix
// in on-disc order, "/" and NUL replaced by "_"); nothing is dropped.
// udfview renames the same way: the rule, like the rest of what the two
// readers share (the io/fs glue, path resolution, the once-read directory
// listing and its cache, the hard-link count, packed times, the ReadAt over
// a file's extents), lives once in the internal package discfs.
//
// # Entries
//
// Each file is an *Entry carrying what stat(2) needs: mode, size, inode
// number, link count, owner, device number and three times. Inode numbers
// are stable across opens because they come from on-disc identity: the byte
// offset of a directory's extent, or of a non-empty file's data (hard links
// made by xorriso and genisoimage share their data, so they share the
// number), or of the directory record of an empty file, symlink or device
// (tools point all empty files at one dummy extent; those must stay
// distinct).
//
// Rock Ridge PX serial numbers are not used for this. A file's link count
// is its PX entry's, as the kernel shows it (xorriso records the names in
// the image, genisoimage those of the source tree); without Rock Ridge,
// Entry.Nlink counts the names that share a file's data, reading every
// directory once.
//
// A regular file's contents are read with Entry.Open, an io.ReaderAt (also
// a FileReader, with a Size method) that joins the extents of multi-extent
// files (files of 4 GiB and more), follows interleaving, and inflates
// zisofs-compressed files.
//
// Rock Ridge directory relocation (mkisofs moves directories deeper than
// eight levels into "rr_moved" and leaves a CL pointer behind) is undone:
// relocated directories appear at their original place and "rr_moved"
// disappears once empty.
//
// # io/fs
//
// Image implements fs.FS, fs.ReadDirFS, fs.ReadFileFS, fs.StatFS and
// fs.ReadLinkFS, so fs.WalkDir, fs.ReadFile and testing/fstest work on it.
// Symlinks are followed inside the image only: an absolute target starts at
// the image root, and ".." stops at the root, so no path leads out of the
// image; more than 40 symlinks in one path is an error ("too many levels of
// symbolic links"), and a path through a file does not exist. Errors are
// *fs.PathError values wrapping this package's errors or the io/fs ones.
//
// # Hostile input
//
// Every structure is checked before it is used: extents against the image
// size, record lengths against their sector, continuation-area chains for
// loops and length (at most 64 hops and 256 KiB per record), directory
// nesting (1,024 levels), directory size (1,048,576 entries, counted before
// any entry is built), directory loops (a subdirectory pointing at an
// ancestor), zisofs block pointers. Problems give a *FormatError wrapping
// ErrFormat or ErrUnsupported that says what is wrong and at which byte
// offset; an entry whose data is damaged is still listed, and the error
// comes back from Open or ReadDir. Nothing on the disc can make the package
// panic or allocate more than a small multiple of what it reads.
//
// Memory follows from what the image holds, not from how its directories
// point at each other: no two directories may list the same blocks.
// Directories sharing an extent (a DAG of siblings pointing at one
// directory, whose paths would double at each level) or overlapping ones
// are listed through the first directory record met that points there (in
// the order directories are listed); any other is a directory of its own
// inode number whose ReadDir fails with ErrFormat, naming the path that
// lists those blocks. So every record is listed at most once, and all the
// entries of an image number at most its size divided by 34 (the smallest
// record). An entry of a kept listing takes about 150 bytes and its name
// (Entry is packed: what only some entries have, such as a symlink target
// or an error, lives in a side structure), and Options.MaxEntries bounds
// the entries in memory at once.
//
// # UDF
//
// UDF is not read. Open detects UDF volume recognition sequences: a UDF-only
// disc gives ErrUDFOnly, and VolumeInfo.UDF reports a UDF bridge disc (such
// as a Windows install DVD whose ISO 9660 tree holds only a README).
package iso9660view
