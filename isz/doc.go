// Package isz reads and writes ISZ ("ISO zipped") images, UltraISO's
// compressed, optionally split and encrypted CD/DVD image format.
//
// A [Reader] is an [io.ReaderAt] over the decompressed image: it decodes
// only the chunks a read touches, keeps decoded chunks in one cache,
// bounded in bytes ([Options].CacheSize, changeable later with
// [Reader.SetCacheSize]), that all goroutines reading the image share, and
// decodes ahead on all cores when reads are sequential. The bound is hard:
// however many goroutines read at once, the cache's chunk buffers never
// outnumber what the budget holds (a read waits for a buffer instead), and
// chunks are at most [MaxChunkSize] (4 MiB). zlib chunks are
// decoded whole into their cache buffer by the module's own DEFLATE
// decoder, bzip2 chunks by github.com/dsnet/compress. [Create] and [Write]
// make images.
//
// # Layout
//
// All integers are little-endian and every structure is packed. A
// single-file image is
//
//	offset 0        header: "IsZ!", sizes, counts, offsets (48 or 64 bytes)
//	seg_offs        segment table (split sets only), XOR-obfuscated
//	ptr_offs        chunk table: one ptr_len-byte entry per chunk, XOR-obfuscated
//	data_offs       the chunks' stored bytes, back to back
//	(optional)      trailer: a copy of the header and its size
//
// The image is cut into chunks of block_size bytes (128 KiB in UltraISO
// files, at most MaxChunkSize here; the last chunk is shorter when the image is not a multiple of
// it). Each chunk table entry holds the chunk's type in its top two bits
// and its stored length (blk_len) in the others:
//
//	type 0 ZERO   nothing stored; the chunk is all zero bytes
//	type 1 DATA   stored as is
//	type 2 ZLIB   a zlib (RFC 1950) stream
//	type 3 BZIP2  a bzip2 stream
//
// A chunk's data follows the previous chunk's, so the chunk table is all
// that is needed to find any chunk: [Reader.Chunk] shows where each one is.
// The 64-byte header (what UltraISO writes) adds checksum1 and checksum2,
// the bitwise NOT of the CRC-32 of the image and of the stored chunk data;
// [Reader.Verify] checks both. [Header] documents every field.
//
// # Quirks this package handles
//
// None of these are in the format's specification; all are in real files
// or in the readers that real files were tested with:
//
//   - The chunk and segment tables are XORed with the repeating key
//     B6 8C A5 DE (the NOT of "IsZ!"), phase 0 at each table's start.
//   - UltraISO overwrites the "BZh" magic of bzip2 chunks; the reader
//     puts it back before decoding. The writer leaves it intact.
//   - Readers disagree on ZERO chunks: the vendor's SDK stores nothing for
//     them (blk_len = their size), libMirage skips blk_len bytes of data.
//     When the two rules give different layouts, the reader uses the one
//     under which the data ends where the file (or data_size) says it
//     does ([Info].ZeroRule). The writer emits ZERO chunks only when asked
//     ([WriterOptions].ZeroChunks), with blk_len = size, the SDK's rule.
//   - An image with no chunk table (ptr_offs = 0) is stored raw from
//     data_offs on.
//   - data_offs may leave padding after the chunk table (UltraISO aligns
//     it to 4); bytes after the last chunk (a trailer) are ignored.
//   - ptr_len may be 1 to 4 bytes; the writer uses 3 (4 for blocks of
//     4 MiB and more).
//
// # Split sets
//
// A split image is a set of files: NAME.isz, NAME.i01, NAME.i02 ... or
// NAME.part01.isz, NAME.part02.isz ... (two or three digits). The first
// file (seg_no 0, whatever its name) holds the segment table, which says
// for each file which chunks start in it, where, and how many bytes of its
// last chunk continue at the start of the next file (after that file's
// own header). [Open] finds the whole set from any member and checks each
// file's vsn (the set's serial number) and seg_no; a missing or foreign
// file is an error wrapping [ErrSegment] that names it. The writer never
// leaves a file that holds only the tail of a chunk. An uncompressed image
// (no chunk table) may also be split without a segment table: each file
// then holds its header and the next bytes of the image, up to
// segment_size bytes in all.
//
// # Encryption
//
// Types 2, 3 and 4 are AES-128, -192 and -256 in ECB mode (not the CBC
// the specification claims), keyed with the password's bytes padded with
// zeros. Each chunk's stored bytes are encrypted on their own; the last
// len%16 bytes stay in plain text. Without a password, [Open] fails with
// [ErrNeedPassword] (or, with [Options].Inspect, opens for inspection
// only). A wrong password is found at [Open] by decrypting the first
// compressed chunks and reported as [ErrPassword]. Type 1 is refused with
// [ErrUnsupported].
//
// # Reading
//
//	r, err := isz.Open("disc.isz", &isz.Options{Password: pw})
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	sector := make([]byte, 2048)
//	_, err = r.ReadAt(sector, 16*2048) // the ISO 9660 primary volume descriptor
//
// ReadAt and every other method but Close are safe for concurrent use.
// Every header count, offset and length is checked against the real file
// sizes before it is used, and a chunk must decode to exactly its size,
// so hostile input gives an error, never a panic or a huge allocation.
// Failures unwrap to one of the sentinel errors ([ErrFormat],
// [ErrTruncated], [ErrCorrupt], ...); a chunk that cannot be read is a
// [*ChunkError] with the chunk's index and offsets.
//
// # Writing
//
//	files, err := isz.Create(ctx, "disc.isz", iso, isoSize, &isz.WriterOptions{
//		Codec:     isz.CodecZlib,
//		SplitSize: 700 << 20, // disc.isz, disc.i01, ...
//	})
//
// Chunks are compressed on all cores; a chunk that does not shrink is
// stored as DATA. The output depends only on the input and the options
// (set [WriterOptions].VSN for byte-identical files across runs).
package isz
