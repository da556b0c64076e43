package udfview

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Options is reserved for future choices; the zero value (or nil) is the
// default.
type Options struct {
	// MaxEntries bounds the entries all directories hold together (0: no
	// bound beyond the image's size, which limits file identifiers to one
	// per 38 bytes). A caller reading a compressed image sets it from the
	// image's stored size, so that a few hundred KiB cannot expand into
	// millions of entries (see disc.Open). It bounds the entries in
	// memory at once: those of the listings DirCache keeps, and those
	// being parsed.
	MaxEntries int64

	// DirCache bounds the estimated bytes of the parsed directory
	// listings kept (0: 16 MiB, some 90,000 entries). The least recently
	// used are dropped past it, and parsed again when next used.
	DirCache int64
}

// Image is an opened UDF file system. It implements fs.FS, fs.ReadDirFS,
// fs.ReadFileFS, fs.StatFS and fs.ReadLinkFS and is safe for concurrent
// use. Directories are read on first access and kept in a cache bounded
// by Options.DirCache.
type Image struct {
	r     io.ReaderAt
	meta  readFunc // reads metadata: r's ReadAtOnce if it has one, else its ReadAt
	size  int64
	bs    int64
	parts []partition // by partition reference number
	root  *Entry
	info  VolumeInfo

	// countLinks says the writer's file link counts are wrong (pycdlib's
	// are all 1): links then counts the names of each ICB over the tree,
	// on first use.
	countLinks bool
	links      discfs.Nlinks
	listings   discfs.Cache[*Entry] // parsed directories, within Options.DirCache and MaxEntries
	scratches  sync.Pool            // of *scratch, for listings (see getScratch)
}

// VolumeInfo describes the volume.
type VolumeInfo struct {
	VolumeID        string // primary volume descriptor's volume identifier
	VolumeSetID     string // primary volume descriptor's volume set identifier
	LogicalVolumeID string // logical volume descriptor's identifier (what Windows shows)
	FileSetID       string // file set descriptor's identifier

	NSR      string // "NSR02" or "NSR03" from the volume recognition sequence, "" if none was found
	Revision uint16 // UDF revision of the logical volume's domain, BCD: 0x0201 is 2.01

	// From the logical volume integrity descriptor (HasCounts: it was read).
	MinReadRevision, MinWriteRevision, MaxWriteRevision uint16
	Files, Dirs                                         int64
	HasCounts                                           bool

	BlockSize     int
	PartitionMaps []string // kind of each partition map: "physical", "sparable", "virtual", "metadata"

	Created        time.Time // recording date of the primary volume descriptor
	Recorded       time.Time // recording date of the last integrity descriptor
	FileSetCreated time.Time // recording date of the file set descriptor

	ReserveVDS     bool // the main volume descriptor sequence was damaged; the reserve one is used
	VAT            bool // a virtual allocation table was read
	MetadataMirror bool // the metadata file was damaged; its mirror is used
}

// Label returns the name to show for the volume: the logical volume
// identifier, else the volume identifier.
func (v VolumeInfo) Label() string {
	if v.LogicalVolumeID != "" {
		return v.LogicalVolumeID
	}
	return v.VolumeID
}

// RevisionString returns Revision as "2.01" ("" if unknown).
func (v VolumeInfo) RevisionString() string {
	if v.Revision == 0 {
		return ""
	}
	return fmt.Sprintf("%x.%02x", v.Revision>>8, v.Revision&0xff)
}

// Open reads the volume structures and the root directory's file entry of
// the UDF image in r, which is size bytes long. Further directories are
// read when first used. opts may be nil.
//
// An image without a UDF anchor gives an error wrapping ErrNotUDF;
// malformed structures give a *FormatError.
func Open(r io.ReaderAt, size int64, opts *Options) (*Image, error) {
	if opts == nil {
		opts = &Options{}
	}
	if size < 257*512 {
		return nil, fmt.Errorf("%w: image of %d bytes is too small", ErrNotUDF, size)
	}
	meta := r.ReadAt
	if o, ok := r.(onceReader); ok {
		meta = o.ReadAtOnce
	}
	anc, bs, err := findAnchor(meta, size)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for i, x := range []extentAD{anc.main, anc.reserve} {
		im := &Image{r: r, meta: meta, size: size, bs: bs}
		im.listings.Limit, im.listings.EntryBytes, im.listings.Budget.Limit = opts.DirCache, entryBytes, opts.MaxEntries
		im.info.NSR = findVRS(meta, size)
		im.info.BlockSize = int(bs)
		im.info.ReserveVDS = i == 1
		err := im.mount(x)
		if err == nil {
			return im, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			break // an I/O error: the reserve would not help
		}
	}
	return nil, firstErr
}

// mount reads the volume descriptor sequence of extent x and everything up
// to the root directory's file entry.
func (im *Image) mount(x extentAD) error {
	vd, err := im.readVDS(x)
	if err != nil {
		return err
	}
	im.info.VolumeID = decodeDString(vd.pvd[24:56])
	im.info.VolumeSetID = decodeDString(vd.pvd[72:200])
	im.info.Created = decodeTimestamp(vd.pvd[376:])
	lvdOff := int64(binary.LittleEndian.Uint32(vd.lvd[12:])) * im.bs
	lv, err := im.parseLVD(vd.lvd, lvdOff)
	if err != nil {
		return err
	}
	im.info.LogicalVolumeID = lv.id
	im.countLinks = lv.impl == "*pycdlib"
	im.info.Revision = udfRevision(vd.lvd[216:248])
	if err := im.setupPartitions(lv, vd.pds, lvdOff); err != nil {
		return err
	}
	im.integrity(vd.lvd)

	fsd, off, err := im.readDescriptor(lv.fsd.loc, tagFSD, nil)
	if err != nil {
		return err
	}
	im.info.FileSetCreated = decodeTimestamp(fsd[16:])
	im.info.FileSetID = decodeDString(fsd[304:336])
	rootAD := parseLongAD(fsd[400:])
	fe, err := im.readICB(rootAD.loc, nil)
	if err != nil {
		return err
	}
	root := &Entry{im: im, name: ".", icb: rootAD.loc, dir: new(discfs.Dir[*Entry])}
	if err := im.fromFileEntry(root, fe); err != nil {
		return err
	}
	if !root.IsDir() {
		return formatErr(off+400, "root ICB is not a directory")
	}
	im.root = root
	return nil
}

// onceReader is an image that can be told which reads are metadata, which
// the reader parses once and keeps: *isz.Reader, whose chunk cache then
// does not count them as re-reads (see isz.Reader.ReadAtOnce). A walk of a
// UDF tree reads every file entry, a block each, and listings of
// neighbouring directories read into the same chunks: counted as re-reads,
// the walk of the bench tree left 800 chunks of file entries in the main
// queue of the cache, and reading every file after it took 1,200 chunk
// decodes (11%) more than through the ISO 9660 view; read once, those
// chunks keep to a small queue of their own and never reach the main one.
type onceReader interface {
	ReadAtOnce(p []byte, off int64) (int, error)
}

// readFull reads exactly len(buf) bytes of metadata at off; a short read
// is a *FormatError (the image is shorter than its structures say).
func (im *Image) readFull(buf []byte, off int64) error { return im.readWith(im.meta, buf, off) }

// readData is readFull for a file's contents, read through the image's
// ReadAt.
func (im *Image) readData(buf []byte, off int64) error { return im.readWith(im.r.ReadAt, buf, off) }

// readFunc is a ReadAt method.
type readFunc func(p []byte, off int64) (int, error)

func (im *Image) readWith(read readFunc, buf []byte, off int64) error {
	n, err := read(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return formatErr(off+int64(n), "image ends %d bytes into a %d-byte read", n, len(buf))
	}
	return fmt.Errorf("udfview: reading %d bytes at byte %d: %w", len(buf), off, err)
}

// Root returns the root directory.
func (im *Image) Root() *Entry { return im.root }

// Info describes the volume.
func (im *Image) Info() VolumeInfo {
	info := im.info
	info.PartitionMaps = append([]string(nil), info.PartitionMaps...)
	return info
}

// nlinkOf returns the number of names of a non-directory inode, counting
// every directory of the image once (on first use).
func (im *Image) nlinkOf(ino uint64) uint32 {
	return im.links.Of(ino, func() map[uint64]uint32 {
		return discfs.HardLinks(im.root, (*Entry).children, func(e *Entry) (uint64, bool) { return e.Inode(), true })
	})
}
