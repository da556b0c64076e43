// Package fs is the FUSE layer of iszmount: it serves a decompressed image
// (raw mode) or the ISO 9660 or UDF tree inside it (tree mode) on go-fuse/v2's
// raw protocol API.
//
// The package knows nothing about the ISZ format or the ISO 9660 and UDF
// on-disc structures. A raw mount serves any [Source] (an [io.ReaderAt] with a size,
// such as *isz.Reader or an *io.SectionReader over a plain .iso file); a tree
// mount serves the entries of a
// *disc.Tree, whichever reader made it. Everything the kernel asks is answered from those two
// read-only objects, so the file system is immutable for its whole life.
//
// # Modes
//
// Raw mode shows one regular file, NAME.iso, whose bytes are the image:
//
//	root (0555)
//	└── disc.iso (0444, size = image size)
//
// Tree mode shows the directory tree of the disc's file system with the
// names, modes, owners, times, symlinks, device nodes and hard links that
// its reader reports: iso9660view (Rock Ridge over Joliet over plain ISO
// names) or udfview; disc.Open picks one.
// Inode numbers (st_ino) are the entries' on-disc identities, so they are
// stable across mounts and hard links share one.
//
// # Inodes and memory
//
// Raw mode is served as a tree of two entries, by the same code. The kernel
// names inodes by node ID; a node ID here names an entry by its parent's
// node ID and its position in the parent's listing, 16 bytes a record (plus
// its index slot) and nothing else: no entry, name or attributes is kept
// for the kernel's sake. Each request finds its entry again from the root
// through the readers' listings, which the readers keep in a bounded cache.
// Records live while the kernel holds the inode: FORGET frees them. So the
// daemon's memory grows by some 32 bytes per inode the kernel caches, not by
// the size of a tree node; a million looked-up entries cost about 32 MiB.
//
// # Usage
//
//	tree, _ := disc.Open(r, size, nil)
//	fsys := fs.NewTree(tree, &fs.Options{Logger: slog.Default()})
//	server, err := fsys.Mount("/mnt/disc", &fs.MountOptions{FsName: "/srv/disc.isz"})
//	if err != nil { ... }
//	server.Wait() // returns once the file system is unmounted
//
// # Kernel caching
//
// Because nothing ever changes, the kernel may cache everything for long:
// entries, attributes and failed lookups get [CacheTimeout]; files are opened
// and closed with no request at all (the first OPEN and FLUSH are answered
// ENOSYS, which the kernel remembers; see NO_OPEN_SUPPORT) and keep their
// page cache across opens; with Options.Permit, or when the daemon checks
// permissions itself, every open is still checked, and then opened with
// FOPEN_KEEP_CACHE and FOPEN_NOFLUSH. Directories are opened the same way
// (OPENDIR answered ENOSYS), and the kernel keeps the listings it reads;
// symlink targets are cached (not on a /dev/fd/N mount,
// which may need every readlink checked); xattrs are
// disabled so that ls -l does not ask for security labels of every file.
// Directory listings are answered from the parsed tree. READDIRPLUS fills
// in every entry's attributes in the same reply, so ls -l causes no LOOKUP
// storm, but only for callers that stat what they list: find(1) gets names
// and types only, so the kernel builds no inode per name (see plus.go). Requests are up to [MaxRequest] bytes (1 MiB). Mounted by root,
// the mount's readahead is raised to [ReadAhead] (the kernel starts FUSE
// mounts at 128 KiB), so sequential reads keep several requests in flight
// for the parallel decoder.
//
// # Errors
//
// The mount is always read-only: it is mounted "ro", so the kernel itself
// answers EROFS to writes, and nothing is ever modified. A failed read of
// the source (a corrupt chunk, a truncated or vanished image) answers EIO for
// that request only and logs one line with the error as a slog value (an
// *isz.ChunkError names the chunk and its offsets itself; fs imports no
// format package). Repeated failures with the same error text, such as
// those of one damaged chunk, are logged at debug level only. Reads
// are never short: a short FUSE read means end of file to the kernel, which
// would then cache zeros in place of the missing bytes.
//
// # Mounting and privileges
//
// [FS.Mount] mounts with mount(2) as root, else (and for
// [MountOptions.AutoUnmount]) through fusermount3, or serves a /dev/fd/N
// descriptor its caller mounted (mount.fuse3 -o drop_privileges). It asks
// for ro, nosuid, nodev and default_permissions, then reads the options the
// kernel mount really has from /proc/self/mountinfo: where one is missing
// (drop_privileges mounts have none of them) the daemon enforces it
// themselves, checking the caller's permissions, hiding setuid bits and
// showing device nodes as empty files (see guard.go).
//
// # Idle tracking
//
// [FS.LastUse] reports when the kernel last asked anything; the mount
// program uses it for its idle= option.
package fs
