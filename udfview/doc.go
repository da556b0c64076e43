// Package udfview reads UDF file systems (ECMA-167 3rd edition as profiled
// by OSTA UDF 1.02 to 2.60: DVD and Blu-ray discs, Windows install media,
// packet-written and incrementally recorded discs) and serves them through
// io/fs, with the same API shape as its sibling iso9660view.
//
// It reads from any io.ReaderAt: a plain .iso or .udf file, or the
// decompressed view of an ISZ image. It never writes. A reader that also
// has a ReadAtOnce method of ReadAt's signature, as *isz.Reader does, gets
// the reads of metadata (descriptors, file entries, directories) through
// it, and the reads of files' contents through ReadAt.
//
//	f, _ := os.Open("disc.iso")
//	st, _ := f.Stat()
//	im, err := udfview.Open(f, st.Size(), nil)
//	if errors.Is(err, udfview.ErrNotUDF) {
//		// no UDF here: try iso9660view
//	}
//	data, err := fs.ReadFile(im, "sources/install.wim")
//
// # Structures
//
// A UDF volume is found through fixed places and pointers, from the outside
// in:
//
//   - the volume recognition sequence at byte 32768 (BEA01, NSR02 or NSR03,
//     TEA01) says a UDF volume is present (VolumeInfo.NSR);
//   - an anchor volume descriptor pointer at block 256 (else N-256, else
//     N-1, N the number of blocks) points at the main and the reserve
//     volume descriptor sequence; the block size (512 to 4096) is the one at
//     which a valid anchor is found;
//   - the volume descriptor sequence holds the primary volume descriptor
//     (identifiers, date), partition descriptors (where each partition
//     starts and how long it is) and the logical volume descriptor: block
//     size, partition maps, and where the file set descriptor is;
//   - the partition maps say how a partition-relative block number becomes
//     an image block: directly (type 1), through a sparing table (sparable,
//     rewritable media), through the virtual allocation table (VAT,
//     write-once media recorded incrementally) or through the metadata file
//     (metadata partition, UDF 2.50+, with a mirror copy);
//   - the file set descriptor gives the root directory's ICB;
//   - an ICB is a File Entry or Extended File Entry: type, permissions,
//     owner, times, size, link count, and allocation descriptors (short,
//     long or extended, possibly continued in allocation extent descriptors)
//     or the data itself, embedded;
//   - a directory's data is a run of File Identifier Descriptors, each a
//     name (OSTA CS0: 8-bit or UTF-16) and the ICB of the file it names.
//
// # How a path resolves
//
// Open reads the descriptors, loads what the partition maps need (sparing
// table, VAT, metadata file extents) and reads the root's file entry. A
// directory is read on first use: its file entry, then its data (in
// windows of 128 KiB, whatever its size), then the file entry of every
// child (one block each, in block order, up to 64 KiB at a time where
// writers record them one after another), so that the listing has modes,
// sizes and times; the listing is then sorted by name
// and kept in a listing cache bounded by Options.DirCache, which drops the
// least recently used and parses them again when next used (the same
// entries in the same order: Entry.Index, Entry.Child). Lookup
// binary-searches it. A file whose data is one extent, as nearly every
// file is, keeps where it starts, so reading it reads nothing but its
// data; other allocations (embedded data, several extents) are read again
// from the file entry when the file is first opened. Symlinks in the
// middle of a path are followed inside the image (absolute targets start
// at the image root; ".." stops there); Lookup and Lstat do not follow a
// final one. All methods are safe for concurrent use.
//
// Names are made safe for a file system by the same code as iso9660view's
// (the two views of a bridge disc rename alike): never empty, ".", "..",
// longer than 255 bytes, or containing "/" or NUL, and never repeated
// within a directory. Offending names get a "~2", "~3" suffix in on-disc
// order. What the two readers share, this rule, the io/fs glue, path
// resolution inside the image, the listing and its cache (a malformed
// directory's error is kept, an I/O error retried), the hard-link count
// and packed times, lives once in the internal package discfs; the
// formats, errors and Entry types stay each reader's own. Deleted entries, the parent entry and
// named-stream entries are skipped, and so are hidden ones, as the Linux
// kernel does by default (UDF 1.50 records the "Non-Allocatable Space" of
// rewritable media as a hidden file of the root).
//
// Inode numbers come from on-disc identity (the partition reference and
// block of the ICB), so they are stable across opens and hard links (several
// identifiers naming one ICB) share one. A file's link count is its file
// entry's, as the kernel shows it, except on discs written by pycdlib,
// which records 1 for hard-linked files: there the first Nlink of a
// non-directory counts the names of each ICB, reading every directory once.
// UDF permissions (read, write, execute, plus change-attribute and delete
// bits that POSIX lacks, for owner, group and other) map to POSIX modes
// with the setuid, setgid and sticky flags of the ICB tag. A uid or gid of
// 0xFFFFFFFF means "none": HasOwner is then false, for the caller to pick
// its own. Device numbers come from the device specification extended
// attribute; other extended attributes and named streams are skipped.
//
// # What is checked
//
// Nothing read from the disc is trusted. Every descriptor's tag is checked
// before use: its checksum, its CRC over the descriptor body and, for
// descriptors at a known place, the block it says it is recorded in. A
// damaged main volume descriptor sequence falls back to the reserve one
// (VolumeInfo.ReserveVDS), a damaged metadata file to its mirror. Every
// extent is checked against its partition before it is used, and every read
// against the image size; a file's extents must cover its size. Loops are
// caught: in strategy-4096 indirect entries, in allocation extent chains and
// in directories (a directory that is its own ancestor); nesting is bounded
// at 1024; a partition map never resolves through itself. Allocations are
// bounded: a directory's data at 64 MiB parsed (a file identifier takes
// at least 40 bytes, so that bounds its entries too; the entries kept are
// bounded by Options.MaxEntries), a
// file at 2^20 extents, a symlink at 64 KiB, the VAT at 64 MiB. A problem
// is reported as a *FormatError naming the byte offset and the path,
// wrapping ErrFormat or ErrUnsupported; a child whose file entry is damaged
// still appears in its directory and reports the error when used.
//
// # What is not supported
//
// Multi-volume sets (only the volume with the anchor is read), several
// file sets (the first is used), the partition of another volume, extended
// attributes held in a separate ICB (a device then has number 0), named
// streams (skipped), and the real-time and access-control features of
// ECMA-167 (read as plain data). Files are read as recorded: UDF has no
// compression.
package udfview
