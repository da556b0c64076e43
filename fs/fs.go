package fs

import (
	"io"
	"log/slog"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/iszmount/iszmount/disc"
)

// Source is what a raw mount serves: random access to the image bytes.
// ReadAt must be safe for concurrent use. *isz.Reader satisfies it; so does
// an *io.SectionReader over a plain file.
type Source interface {
	io.ReaderAt
	Size() int64
}

// HoleSeeker is implemented by sources that know which ranges read as zeros
// (*isz.Reader: its all-zero chunks). It follows lseek(2): SeekData returns
// the first data offset at or after off, SeekHole the first hole offset at or
// after off (the end of the image counts as a hole); both return io.EOF when
// off is at or past the end, or when no data follows.
type HoleSeeker interface {
	SeekData(off int64) (int64, error)
	SeekHole(off int64) (int64, error)
}

// Options shape the attributes the nodes report. The zero value reports what
// the image says.
type Options struct {
	// UID and GID, when non-nil, replace the owner of every node (uid= and
	// gid= mount options).
	UID, GID *uint32

	// Umask clears permission bits of every node but symlinks; Fmask of
	// files, devices, fifos and sockets only; Dmask of directories only
	// (umask=, fmask=, dmask=). Only the low 12 bits (permissions, setuid,
	// setgid, sticky) are used.
	Umask, Fmask, Dmask uint32

	// Permit, when non-nil, decides per request whether the calling user may
	// use the file system (allow_root: only root and the mounting user).
	// Refused callers get EACCES.
	Permit func(uid uint32) bool

	// Logger receives read errors and warnings; nil discards them.
	Logger *slog.Logger
}

// CacheTimeout is how long the kernel may cache entries, attributes and
// failed lookups. The file system never changes, so this is long.
const CacheTimeout = 24 * time.Hour

// openFlags are the flags of a file open that Options.Permit makes the
// kernel send (otherwise files open without a request, see FS.open): the
// page cache survives close and reopen (KEEP_CACHE), and close(2) sends no
// FLUSH, which would only be a round trip on a read-only file system
// (NOFLUSH).
const openFlags = fuse.FOPEN_KEEP_CACHE | fuse.FOPEN_NOFLUSH

// MaxRequest is the largest read request the kernel sends (max_read and
// MaxWrite): 1 MiB, the kernel's maximum, so that the [ReadAhead] window
// splits into whole requests. Splicing is off (go-fuse would try it on every
// reply and fail on one this large; the nodes hand it bytes, not file
// descriptors, so there is nothing to splice anyway).
const MaxRequest = 1 << 20

// FS is one file system: the tree it serves and the kernel's inodes of it.
// Create it with [NewRaw] or [NewTree], then [FS.Mount] it.
type FS struct {
	fuse.RawFileSystem // ENOSYS for everything server.go does not answer

	root    disc.Entry
	inodes  inodeTable
	plus    plusPolicy
	opts    Options
	log     *slog.Logger
	statfs  fuse.StatfsOut
	lastUse atomic.Int64  // unix nanoseconds of the last request
	mounted atomic.Bool   // Mount has returned: Options.Permit applies
	guard   atomic.Uint32 // protections the kernel mount lacks (guard.go)
	errs    errorLog

	// opendir: answer OPENDIR rather than ENOSYS (see OpenDir), set by
	// Mount before serving.
	opendir bool
}

func newFS(root disc.Entry, opts *Options, blockSize int64, blocks int64) *FS {
	f := &FS{RawFileSystem: fuse.NewDefaultRawFileSystem(), root: root}
	f.inodes.init()
	if opts != nil {
		f.opts = *opts
	}
	f.log = f.opts.Logger
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	f.statfs = fuse.StatfsOut{
		Blocks:  uint64(blocks),
		Bsize:   uint32(blockSize),
		Frsize:  uint32(blockSize),
		NameLen: 255,
	}
	f.touch()
	return f
}

// LastUse is when the kernel last sent a request to any node.
func (f *FS) LastUse() time.Time { return time.Unix(0, f.lastUse.Load()) }

func (f *FS) touch() { f.lastUse.Store(time.Now().UnixNano()) }

// enter is called first by every request: it records the use and applies
// Options.Permit to the caller. A non-zero errno must be returned to the
// kernel. Permit applies once the mount is up (go-fuse itself opens a file
// in it while mounting, from any thread) and not to the kernel's own
// requests, which carry pid 0.
func (f *FS) enter(c *fuse.Caller) syscall.Errno {
	f.touch()
	if f.opts.Permit == nil || !f.mounted.Load() {
		return 0
	}
	if c.Pid != 0 && !f.opts.Permit(c.Uid) {
		return syscall.EACCES
	}
	return 0
}
