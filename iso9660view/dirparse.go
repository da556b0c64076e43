package iso9660view

import (
	"bytes"
	"io/fs"
	"strings"
	"time"

	"github.com/iszmount/iszmount/internal/discfs"
)

// rawEntry is a directory record (or a run of multi-extent records) as read,
// before names are made unique.
type rawEntry struct {
	off      int64 // offset of the (first) record
	ref      int64 // offset of the record that names the entry: off, but a relocated directory's CL record (claimDir)
	flags    byte
	unitSize byte      // the first record's interleaving unit, 0 if contiguous
	date     time.Time // the first record's recording date
	isoName  []byte
	rr       *rrInfo
	rrErr    error
	extents  []extent
	size     int64
	badData  error
}

// slab hands out pointers to T from chunks, so that parsing a directory
// of n entries makes about n/256 allocations rather than n. Chunks
// start small and double, so small directories stay cheap.
type slab[T any] struct {
	chunks [][]T
	n      int
}

// Slab chunks hold 8, 16, 32 ... and at most 8<<5 = 256 elements.
const (
	slabFirst     = 8
	slabDoublings = 5
)

func (s *slab[T]) next() *T {
	if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) == cap(s.chunks[len(s.chunks)-1]) {
		s.chunks = append(s.chunks, make([]T, 0, slabFirst<<min(len(s.chunks), slabDoublings)))
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = (*c)[:len(*c)+1]
	s.n++
	return &(*c)[len(*c)-1]
}

// one hands out a one-element slice holding v. Its capacity is 1, so
// appending to it copies rather than overwrite the next element.
func (s *slab[T]) one(v T) []T {
	*s.next() = v
	c := s.chunks[len(s.chunks)-1]
	return c[len(c)-1 : len(c) : len(c)]
}

// all yields the handed-out elements in order.
func (s *slab[T]) all() func(yield func(*T) bool) {
	return func(yield func(*T) bool) {
		for _, c := range s.chunks {
			for i := range c {
				if !yield(&c[i]) {
					return
				}
			}
		}
	}
}

// forEachRecord calls fn for every record of the directory of length bytes
// at image offset start, "." and ".." included. Records are parsed from a
// buffer reused between calls: fn must copy what it keeps.
func (im *Image) forEachRecord(start, length int64, fn func(rec dirRecord) error) error {
	buf := make([]byte, min(length, dirReadSize))
	for done := int64(0); done < length; {
		n := min(int64(len(buf)), length-done)
		chunk := buf[:n]
		if err := im.readFull(chunk, start+done); err != nil {
			return err
		}
		for s := int64(0); s < n; s += sectorSize {
			sec := chunk[s:min(s+sectorSize, n)]
			secOff := start + done + s
			for p := 0; p < len(sec) && sec[p] != 0; {
				l := int(sec[p])
				if p+l > len(sec) {
					return formatErr(secOff+int64(p), "directory record of %d bytes crosses the end of its sector", l)
				}
				rec, err := parseDirRecord(sec[p:p+l], secOff+int64(p))
				if err != nil {
					return err
				}
				if err := fn(rec); err != nil {
					return err
				}
				p += l
			}
		}
		done += n
	}
	return nil
}

// claimDir records that directory dir, named by the record at image
// offset ref, lists the blocks of extent x; it is called when dir's entry
// is built, as its parent is listed, and again each time the parent is
// parsed anew (after the listing cache dropped it): the same record claims
// the same blocks, for a new entry. It refuses when another record
// already claimed one of those blocks: directories sharing extents (siblings
// pointing at one directory, a directory starting inside another) would
// list the same records again and again, exponentially many times in a
// chain of such levels. So each record is listed once, and the entries of
// all the directories listed number at most the image size divided by the
// smallest record (34 bytes). The first directory met keeps the blocks
// (in the order directories are listed, records in on-disc order); any
// other is a directory that cannot be read (ErrFormat), with an inode
// number of its own. Loops (a directory pointing at an ancestor) are
// reported as such before this check. from is where errors point.
func (im *Image) claimDir(dir *Entry, x extent, ref, from int64) error {
	bs := im.blockSize
	first, end := x.start/bs, (x.start+x.length+bs-1)/bs
	im.dirsMu.Lock()
	defer im.dirsMu.Unlock()
	if im.dirBlocks == nil {
		im.dirBlocks = make(map[int64]dirClaim)
	}
	for b := first; b < end; b++ {
		if other, ok := im.dirBlocks[b]; ok && other.ref != ref {
			return formatErr(from, "directory extent (bytes %d to %d) shares block %d with directory %s, listed first", x.start, x.start+x.length, b, discfs.QuotePath(other.dir.Path()))
		}
	}
	for b := first; b < end; b++ {
		im.dirBlocks[b] = dirClaim{ref, dir}
	}
	return nil
}

// dirClaim is the directory that lists a block: the record naming it, and
// its latest entry (for messages).
type dirClaim struct {
	ref int64
	dir *Entry
}

// countRecords fails when the directory of extent x holds more records
// than maxDirEntries, or than the listings' budget holds at all, reading
// it without keeping anything.
func (im *Image) countRecords(x extent) error {
	count := 0
	return im.forEachRecord(x.start, x.length, func(rec dirRecord) error {
		if rec.isDot() {
			return nil
		}
		if err := countEntry(&count, rec.off); err != nil {
			return err
		}
		if b := im.listings.Budget.Limit; b > 0 && int64(count) > b {
			return im.overBudget(rec.off)
		}
		return nil
	})
}

// overBudget is the error of a directory whose record at off is one more
// than the listings' budget holds.
func (im *Image) overBudget(off int64) error {
	return formatErr(off, "%s", im.listings.Budget.Refusal())
}

// countEntry counts one more record of a directory (the one at off),
// refusing more than maxDirEntries.
func countEntry(count *int, off int64) error {
	if *count++; *count > maxDirEntries {
		return unsupportedErr(off, "directory with more than %d entries", maxDirEntries)
	}
	return nil
}

// parseDir reads directory dir into l, counting the records hidden because
// they were relocated.
func (im *Image) parseDir(dir *Entry, l *discfs.Listing[*Entry], relocated *int) error {
	if err := dir.fault(); err != nil {
		return err
	}
	if discfs.Depth(dir) >= maxDepth {
		return &FormatError{Offset: dir.ext[0].start, Path: dir.Path(), What: "directories nested too deep", Err: ErrUnsupported}
	}
	x := dir.ext[0]
	if n := x.length / drMinLen; n > maxDirEntries || im.listings.Budget.Limit > 0 && n > im.listings.Budget.Limit {
		// Count before building anything: a directory refused for its
		// size must not cost the memory of the entries it would make
		// (several such, listed at once for their link counts, took the
		// daemon past its memory bound).
		if err := im.countRecords(x); err != nil {
			return withPath(err, dir.Path())
		}
	}
	w := newSUSPWalker(im)
	var raws slab[rawEntry]
	var rrs slab[rrInfo]
	var exts slab[extent] // one allocation per chunk, not per record
	var pending *rawEntry // multi-extent run in progress
	count := 0            // records seen
	err := im.forEachRecord(x.start, x.length, func(rec dirRecord) error {
		if rec.isDot() {
			return nil
		}
		if err := countEntry(&count, rec.off); err != nil {
			return err
		}
		if l.Take(1) != nil {
			return im.overBudget(rec.off)
		}
		x, bad := im.recordExtent(&rec)
		if pending != nil && bytes.Equal(pending.isoName, rec.name) {
			// Next extent of a multi-extent file.
			pending.extents = append(pending.extents, x)
			pending.size += x.length
			if pending.badData == nil {
				pending.badData = bad
			}
			if rec.flags&flagMulti == 0 {
				pending = nil
			}
			return nil
		}
		r := raws.next()
		*r = rawEntry{
			off:      rec.off,
			ref:      rec.off,
			flags:    rec.flags,
			unitSize: rec.unitSize,
			date:     rec.date,
			isoName:  bytes.Clone(rec.name),
			extents:  exts.one(x),
			size:     x.length,
			badData:  bad,
		}
		if im.rock {
			readRockRidge(w, r, rrs.next(), &rec, im.suspSkip)
		}
		pending = nil
		if rec.flags&flagMulti != 0 && rec.flags&flagDir == 0 {
			pending = r
		}
		return nil
	})
	if err != nil {
		return withPath(err, dir.Path())
	}

	kids := make([]*Entry, 0, raws.n)
	for r := range raws.all() {
		if r.flags&flagAssociated != 0 {
			continue // associated files (resource forks) are hidden, as by the kernel
		}
		if r.rr != nil && r.rr.hasRE {
			*relocated++ // shown at its original place through a CL entry
			continue
		}
		k := im.newChild(dir, r)
		if k.IsDir() && dir.parent == nil && im.rock && im.isRelocationDir(k) {
			continue
		}
		kids = append(kids, k)
	}

	names := make([]string, len(kids))
	for i, k := range kids {
		names[i] = k.name
	}
	discfs.UniqueNames(names)
	for i, k := range kids {
		k.name = names[i]
	}
	discfs.SetChildren(l, kids, (*Entry).place)
	return nil
}

// readRockRidge reads the Rock Ridge entries of record rec's system use
// area (after skip bytes) into rr, and makes rr r's, with the error met
// reading them (a broken continuation area).
func readRockRidge(w *suspWalker, r *rawEntry, rr *rrInfo, rec *dirRecord, skip int) {
	r.rr = rr
	r.rrErr = w.walk(rec.su, rec.off+int64(len(rec.name)), skip, func(e suspEntry) bool {
		rr.add(e)
		return true
	})
}

// recordExtent returns the data extent of a record, and an error if it does
// not lie inside the image.
func (im *Image) recordExtent(rec *dirRecord) (extent, error) {
	x := extent{
		start:  (rec.extent + rec.earLen) * im.blockSize,
		length: rec.size,
		bs:     uint16(im.blockSize),
	}
	if rec.unitSize != 0 {
		x.unitSize, x.gapSize = rec.unitSize, rec.gapSize
	}
	if x.length == 0 {
		return x, nil
	}
	return x, im.checkRange(x.start, x.end()-x.start, rec.off, "file data")
}

// isRelocationDir reports whether a root subdirectory is the one Rock Ridge
// relocation moved deep directories into ("rr_moved"): it is hidden when
// all it holds are relocated directories, which appear at their original
// places instead.
func (im *Image) isRelocationDir(k *Entry) bool {
	switch strings.ToLower(k.name) {
	case "rr_moved", ".rr_moved":
	default:
		return false
	}
	l, err := k.load()
	return err == nil && len(l.Children) == 0 && k.dir.relocated > 0
}

// newRoot builds the root entry from its record in the volume descriptor
// and its "." record.
func (im *Image) newRoot(rec, dot *dirRecord) *Entry {
	r := &rawEntry{off: dot.off, ref: rec.off, flags: rec.flags, unitSize: dot.unitSize, date: dot.date}
	x, err := im.recordExtent(rec)
	r.extents, r.size, r.badData = []extent{x}, x.length, err
	if im.rock {
		readRockRidge(newSUSPWalker(im), r, &rrInfo{}, dot, 0) // the root's "." holds SP itself: no skip
	}
	e := im.newEntry(nil, r)
	e.name = "."
	return e
}

// newChild builds the entry for raw record r in directory parent.
func (im *Image) newChild(parent *Entry, r *rawEntry) *Entry {
	if r.rr != nil && r.rr.hasCL {
		return im.newRelocated(parent, r)
	}
	return im.newEntry(parent, r)
}

// newRelocated builds the entry for a Rock Ridge CL placeholder: a
// directory moved elsewhere (to keep the ISO 9660 tree within 8 levels),
// shown here with the attributes of its own "." record, like the kernel.
func (im *Image) newRelocated(parent *Entry, r *rawEntry) *Entry {
	name := im.chooseName(r)
	start := r.rr.cl * im.blockSize
	fail := func(err error) *Entry {
		e := im.newEntry(parent, r)
		e.name, e.mode = name, fs.ModeDir|0o555
		e.extra().err = withPath(err, childPath(parent, name))
		e.dir = &dirState{im: im}
		return e
	}
	if err := im.checkRange(start, sectorSize, r.off, "relocated directory"); err != nil {
		return fail(err)
	}
	dot, err := im.readDot(start, r.off)
	if err != nil {
		return fail(err)
	}
	rd := &rawEntry{off: dot.off, ref: r.off, flags: dot.flags | flagDir, unitSize: dot.unitSize, date: dot.date}
	x, err := im.recordExtent(&dot)
	rd.extents, rd.size, rd.badData = []extent{x}, x.length, err
	readRockRidge(newSUSPWalker(im), rd, &rrInfo{}, &dot, im.suspSkip)
	e := im.newEntry(parent, rd)
	e.name = name
	return e
}

// chooseName picks Rock Ridge, Joliet or ISO 9660 names, in that order of
// preference, among those in use.
func (im *Image) chooseName(r *rawEntry) string {
	switch {
	case r.rr != nil && r.rr.nmDot != "":
		return r.rr.nmDot // renamed by discfs.UniqueNames
	case r.rr != nil && r.rr.hasNM:
		return string(r.rr.name)
	case im.joliet:
		return jolietName(r.isoName)
	}
	return isoName(r.isoName)
}

// newEntry builds an entry from a raw record. Names are not yet unique.
func (im *Image) newEntry(parent *Entry, r *rawEntry) *Entry {
	e := &Entry{parent: parent, owner: discfs.NoOwner}
	e.ext[0] = r.extents[0]
	if len(r.extents) > 1 {
		e.extra().exts = r.extents
	}
	mt, at, ct := r.date, time.Time{}, time.Time{}
	if parent != nil {
		e.name = im.chooseName(r)
	}
	isDir := r.flags&flagDir != 0
	rr := r.rr
	switch {
	case rr != nil && rr.hasPX:
		e.mode = posixMode(rr.mode, isDir)
		e.owner = discfs.MakeOwner(rr.uid, rr.gid)
		if rr.nlink > 1 && !isDir && r.size > 0 {
			e.extra().nlink = rr.nlink
		}
	case rr != nil && rr.hasSL && !isDir:
		e.mode = fs.ModeSymlink | 0o777
	case isDir:
		e.mode = fs.ModeDir | 0o555
	default:
		e.mode = 0o444
	}
	if rr != nil {
		if !rr.mtime.IsZero() {
			mt = rr.mtime
		}
		at, ct = rr.atime, rr.ctime
		if e.mode&fs.ModeSymlink != 0 {
			e.extra().target = rr.sl.String()
		}
		if e.mode&fs.ModeDevice != 0 && rr.hasPN {
			e.extra().rdev = rr.rdev()
		}
		if rr.zf != nil && e.mode.IsRegular() {
			e.extra().zf = &zisofsFile{zf: *rr.zf}
			im.zisofsSeen.Store(true)
		}
	}
	if at.IsZero() {
		at = mt
	}
	if ct.IsZero() {
		ct = mt
	}
	e.times.Set(discfs.MTime, mt)
	e.times.Set(discfs.ATime, at)
	e.times.Set(discfs.CTime, ct)

	var err error
	switch {
	case e.IsDir():
		e.ino = uint64(r.extents[0].start)
		e.dir = &dirState{im: im}
		if r.badData != nil {
			err = r.badData
		} else if r.size == 0 {
			err = formatErr(r.off, "directory of zero length")
		} else if parent != nil && e.isLoop() {
			err = formatErr(r.off, "directory loop: extent at byte %d is an ancestor's", r.extents[0].start)
		} else if err = im.claimDir(e, r.extents[0], r.ref, r.off); err != nil {
			e.ino = uint64(r.off) // not the inode of the directory listing those blocks
		}
	case e.mode.IsRegular() && r.size > 0:
		e.ino = uint64(r.extents[0].start)
		err = r.badData
		if r.unitSize != 0 && e.zisofs() != nil {
			err = unsupportedErr(r.off, "interleaved zisofs file")
		}
	default:
		e.ino = uint64(r.off)
	}
	if e.ino == 0 {
		e.ino = uint64(r.off)
	}
	if err == nil && r.rrErr != nil && !e.IsDir() {
		// A broken continuation area may have cut a name or link target.
		err = r.rrErr
	}
	if err != nil {
		e.extra().err = withPath(err, childPath(parent, e.name))
	}
	return e
}

// isLoop reports whether a directory's extent is one of its ancestors'.
func (e *Entry) isLoop() bool {
	for p := e.parent; p != nil; p = p.parent {
		if p.ino == e.ino {
			return true
		}
	}
	return false
}

// posixMode converts a Rock Ridge PX mode to an fs.FileMode. The directory
// flag of the record wins over the PX type: a PX directory on a file record
// is a regular file, and any PX type on a directory record is a directory.
func posixMode(m uint32, isDir bool) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	if isDir {
		return mode | fs.ModeDir
	}
	switch m & sIFMT {
	case sIFLNK:
		mode |= fs.ModeSymlink
	case sIFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case sIFBLK:
		mode |= fs.ModeDevice
	case sIFIFO:
		mode |= fs.ModeNamedPipe
	case sIFSOCK:
		mode |= fs.ModeSocket
	}
	return mode
}
