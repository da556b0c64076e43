package iso9660view

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"
)

// Options chooses which name extensions are used, like the kernel's isofs
// mount options "norock" and "nojoliet". The zero value (or nil) uses Rock
// Ridge if present, else Joliet, else the ISO 9660:1999 enhanced tree, else
// plain ISO 9660 names.
type Options struct {
	NoRock   bool // ignore Rock Ridge
	NoJoliet bool // ignore Joliet

	// MaxEntries bounds the entries all directories hold together (0: no
	// bound beyond the image's size, which limits records to one per 34
	// bytes). A caller reading a compressed image sets it from the
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

// Image is an opened ISO 9660 file system. It implements fs.FS,
// fs.ReadDirFS, fs.ReadFileFS, fs.StatFS and fs.ReadLinkFS and is safe for
// concurrent use. Directories are read on first access and kept in a
// cache bounded by Options.DirCache.
type Image struct {
	r         io.ReaderAt
	size      int64
	blockSize int64
	rock      bool // Rock Ridge names and attributes are in use
	suspSkip  int  // SP skip length
	joliet    bool // the tree in use is the Joliet one
	root      *Entry
	info      VolumeInfo
	bootErr   error

	zisofsSeen atomic.Bool

	dirsMu    sync.Mutex
	dirBlocks map[int64]dirClaim // block number -> the directory listing it (see claimDir)

	links    discfs.Nlinks        // hard-link counts, made on first use
	listings discfs.Cache[*Entry] // parsed directories, within Options.DirCache and MaxEntries
}

// VolumeInfo describes the volume.
type VolumeInfo struct {
	VolumeID, SystemID, PublisherID, ApplicationID string // of the descriptor whose tree is shown

	// Label is the volume label as blkid reports it (and desktops show):
	// with Joliet, the Joliet volume ID completed by the primary one where
	// the 16-character Joliet ID is a cut form of the 32-character primary
	// ID (Joliet "Naïve and very l" and primary
	// "NA_VE AND VERY LOOOOOOOONG_LABEL" give "Naïve and very
	// lOOOOOOOONG_LABEL"); else the primary volume ID.
	Label string

	Created, Modified             time.Time // zero if not recorded
	BlockSize                     int
	VolumeBlocks                  int64 // size in BlockSize units
	RockRidge, Joliet, ZisofsSeen bool  // extensions found (ZisofsSeen: among directories read so far)
	UDF                           bool  // a UDF descriptor sequence was found

	RockRidgeVersion string      // "1.09", "1.10" or "1.12" from the ER entry, "" if unknown
	JolietLevel      int         // 1-3, 0 without Joliet
	Enhanced         bool        // an ISO 9660:1999 enhanced volume descriptor was found
	Names            string      // which names the tree shows: "rockridge", "joliet", "iso9660:1999" or "iso9660"
	Boot             []BootEntry // El Torito boot catalog entries, nil if not bootable
}

// Open reads the volume descriptors and the root directory of the ISO 9660
// image in r, which is size bytes long. Further directories are read when
// first used. opts may be nil.
//
// An image without an ISO 9660 volume gives an error wrapping ErrNotISO9660
// (ErrUDFOnly if it is a UDF-only disc); malformed structures give a
// *FormatError.
func Open(r io.ReaderAt, size int64, opts *Options) (*Image, error) {
	if opts == nil {
		opts = &Options{}
	}
	if size < (firstDescriptor+1)*sectorSize {
		return nil, fmt.Errorf("%w: image of %d bytes is too small", ErrNotISO9660, size)
	}
	ds, err := readDescriptors(r, size)
	if err != nil {
		return nil, err
	}
	pvd := ds.primary
	im := &Image{r: r, size: size, blockSize: pvd.blockSize}
	im.listings.Limit, im.listings.EntryBytes, im.listings.Budget.Limit = opts.DirCache, entryBytes, opts.MaxEntries
	im.info = VolumeInfo{
		SystemID:      pvd.identifier(8, 40),
		VolumeID:      pvd.identifier(40, 72),
		Label:         volumeLabel(pvd, ds.joliet),
		PublisherID:   pvd.identifier(318, 446),
		ApplicationID: pvd.identifier(574, 702),
		Created:       decDateTime(pvd.raw[813:830]),
		Modified:      decDateTime(pvd.raw[830:847]),
		BlockSize:     int(pvd.blockSize),
		VolumeBlocks:  pvd.blocks,
		Joliet:        ds.joliet != nil,
		Enhanced:      ds.enhanced != nil,
		UDF:           ds.udf,
	}
	if ds.joliet != nil {
		im.info.JolietLevel = ds.joliet.jolietLevel
	}

	// Rock Ridge lives in the primary tree: the root's "." record starts
	// with an SP entry, and an ER entry names the RRIP version.
	pRoot, err := im.rootRecord(pvd)
	if err != nil {
		return nil, err
	}
	pDot, err := im.readDot(pRoot.extent*pvd.blockSize, pRoot.off)
	if err != nil {
		return nil, err
	}
	if skip, ok := spSkip(pDot.su); ok {
		// SP alone turns Rock Ridge on, as in the kernel; ER, when
		// present, names the version.
		im.info.RockRidge, im.info.RockRidgeVersion = true, im.rripVersion(pDot)
		im.suspSkip = skip
	}

	tree, rootRec, dot := pvd, pRoot, pDot
	switch {
	case im.info.RockRidge && !opts.NoRock:
		im.rock, im.info.Names = true, "rockridge"
	case ds.joliet != nil && !opts.NoJoliet:
		tree, im.joliet, im.info.Names = ds.joliet, true, "joliet"
	case ds.enhanced != nil:
		tree, im.info.Names = ds.enhanced, "iso9660:1999"
	default:
		im.info.Names = "iso9660"
	}
	if tree != pvd {
		if tree.blockSize != pvd.blockSize {
			return nil, formatErr(tree.off+128, "block size %d differs from the primary volume's %d", tree.blockSize, pvd.blockSize)
		}
		if rootRec, err = im.rootRecord(tree); err != nil {
			return nil, err
		}
		if dot, err = im.readDot(rootRec.extent*tree.blockSize, rootRec.off); err != nil {
			return nil, err
		}
		if im.joliet && ds.joliet.identifier(40, 72) != "" {
			im.info.VolumeID = ds.joliet.identifier(40, 72)
		}
	}
	im.root = im.newRoot(&rootRec, &dot)
	if err := im.root.fault(); err != nil {
		return nil, err
	}
	if ds.bootCat >= 0 {
		im.info.Boot, im.bootErr = parseBootCatalog(r, size, ds.bootCat)
	}
	return im, nil
}

// rootRecord parses the root directory record of a volume descriptor.
func (im *Image) rootRecord(d *descriptor) (dirRecord, error) {
	rec, err := parseDirRecord(d.root, d.off+156)
	if err != nil {
		return rec, err
	}
	if !rec.isDir() {
		return rec, formatErr(rec.off, "root directory record is not a directory")
	}
	return rec, im.checkRange(rec.extent*d.blockSize, rec.size, rec.off, "root directory")
}

// readDot reads the "." record at the start of the directory at image
// offset off; from is where the pointer to it was found, for errors.
func (im *Image) readDot(off, from int64) (dirRecord, error) {
	buf := make([]byte, sectorSize)
	n := min(sectorSize, im.size-off)
	if n < drMinLen {
		return dirRecord{}, formatErr(from, "directory at byte %d lies past the end of the image", off)
	}
	if err := im.readFull(buf[:n], off); err != nil {
		return dirRecord{}, err
	}
	if int64(buf[0]) > n {
		return dirRecord{}, formatErr(off, "directory record length %d", buf[0])
	}
	rec, err := parseDirRecord(buf[:n], off)
	if err != nil {
		return rec, err
	}
	if !rec.isDot() || rec.name[0] != 0 {
		return rec, formatErr(off, `directory does not start with a "." record`)
	}
	return rec, nil
}

// rripVersion finds the ER entry of the root "." record and returns the
// RRIP version it names.
func (im *Image) rripVersion(dot dirRecord) (version string) {
	_ = newSUSPWalker(im).walk(dot.su, dot.off+int64(len(dot.name)), 0, func(e suspEntry) bool {
		if e.sig != "ER" || len(e.data) < 4 || 4+int(e.data[0]) > len(e.data) {
			return true
		}
		switch string(e.data[4 : 4+int(e.data[0])]) {
		case "RRIP_1991A":
			version = "1.09"
		case "IEEE_P1282":
			version = "1.10"
		case "IEEE_1282":
			version = "1.12"
		default:
			return true
		}
		return false
	})
	return version
}

func (im *Image) readFull(buf []byte, off int64) error { return readFull(im.r, buf, off) }

// checkRange checks that length bytes at image offset off lie inside the
// image; from is the offset of the structure that points there.
func (im *Image) checkRange(off, length, from int64, what string) error {
	if off < 0 || length < 0 || off > im.size || length > im.size-off {
		return formatErr(from, "%s of %d bytes at byte %d lies past the end of the image (%d bytes)", what, length, off, im.size)
	}
	return nil
}

// Root returns the root directory.
func (im *Image) Root() *Entry { return im.root }

// Info describes the volume.
func (im *Image) Info() VolumeInfo {
	info := im.info
	info.ZisofsSeen = im.zisofsSeen.Load()
	info.Boot = append([]BootEntry(nil), info.Boot...)
	return info
}

// BootCatalog returns the El Torito boot entries, or the error met reading
// the catalog. A non-bootable image returns no entries and no error.
func (im *Image) BootCatalog() ([]BootEntry, error) {
	return append([]BootEntry(nil), im.info.Boot...), im.bootErr
}

// BootImage returns a reader over the bytes of a boot entry, b.Size() bytes
// from block b.Block (for no-emulation entries, only what the firmware
// loads).
func (im *Image) BootImage(b BootEntry) (*io.SectionReader, error) {
	off := b.Block * sectorSize
	if err := im.checkRange(off, b.Size(), -1, "boot image"); err != nil {
		return nil, err
	}
	return io.NewSectionReader(im.r, off, b.Size()), nil
}

// nlinkOf returns the number of names of a non-directory inode, counting
// every directory of the image once (on first use).
func (im *Image) nlinkOf(ino uint64) uint32 {
	return im.links.Of(ino, func() map[uint64]uint32 {
		return discfs.HardLinks(im.root, (*Entry).children, func(e *Entry) (uint64, bool) { return e.ino, e.hasData() })
	})
}
