package isz

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
)

// maxSegments bounds a split set: seg_no is at most 99, so a set has at
// most 100 files (the .isz and .i01 ... .i99).
const maxSegments = 100

// sdtEntrySize is the size of one segment definition table entry.
const sdtEntrySize = 24

// sdtEntry is one entry of the segment definition table (SDT).
type sdtEntry struct {
	size       int64 // size of the segment file; 0 terminates the table
	numChunks  int64 // chunks that start in this file
	firstChunk int64 // index of the first of them
	chunkOff   int64 // file offset of that chunk
	leftSize   int64 // bytes of this file's last chunk stored in the next file
}

// parseSDT decodes a de-obfuscated segment table, stopping at the
// terminator (size == 0). b holds at most maxSegments+1 entries.
func parseSDT(b []byte) ([]sdtEntry, error) {
	le := binary.LittleEndian
	var es []sdtEntry
	for len(b) >= sdtEntrySize {
		e := sdtEntry{
			size:       int64(le.Uint64(b)),
			numChunks:  int64(int32(le.Uint32(b[8:]))),
			firstChunk: int64(int32(le.Uint32(b[12:]))),
			chunkOff:   int64(int32(le.Uint32(b[16:]))),
			leftSize:   int64(int32(le.Uint32(b[20:]))),
		}
		if e.size == 0 {
			if len(es) == 0 {
				return nil, formatErr("segment table is empty")
			}
			return es, nil
		}
		if e.size < 0 || e.numChunks < 1 || e.firstChunk < 0 || e.chunkOff < 0 || e.leftSize < 0 {
			return nil, formatErr("segment table entry %d is impossible (size %d, %d chunks from %d at %d, %d left)",
				len(es), e.size, e.numChunks, e.firstChunk, e.chunkOff, e.leftSize)
		}
		es = append(es, e)
		b = b[sdtEntrySize:]
	}
	return nil, formatErr("segment table has no terminator within %d entries", maxSegments)
}

// marshalSDT encodes and obfuscates es followed by a zero terminator and
// enough zero entries to fill room entries in total.
func marshalSDT(es []sdtEntry, room int) []byte {
	b := make([]byte, room*sdtEntrySize)
	le := binary.LittleEndian
	for i, e := range es {
		p := b[i*sdtEntrySize:]
		le.PutUint64(p, uint64(e.size))
		le.PutUint32(p[8:], uint32(e.numChunks))
		le.PutUint32(p[12:], uint32(e.firstChunk))
		le.PutUint32(p[16:], uint32(e.chunkOff))
		le.PutUint32(p[20:], uint32(e.leftSize))
	}
	xorTable(b)
	return b
}

// SegmentInfo describes one file of an image (one entry per file; a
// single-file image has one).
type SegmentInfo struct {
	Name        string // file name as opened; "image" (NewReader) or "file K" (NewSplitReader)
	FileSize    int64  // actual size of the file
	TableSize   int64  // size recorded in the segment table (0 when not split)
	FirstChunk  int    // first chunk that starts in this file
	NumChunks   int    // chunks that start in this file
	ChunkOffset int64  // file offset of FirstChunk's data
	LeftSize    int64  // bytes of the last chunk continued in the next file
	DataStart   int64  // file offset where this file's chunk data begins
	DataEnd     int64  // file offset where it ends (bytes after it are ignored)
}

// Naming schemes of split sets.
var (
	partName = regexp.MustCompile(`(?i)^(.*)(\.part)(\d{2,3})(\.isz)$`)
	iNNName  = regexp.MustCompile(`^(.*)\.([iI])(\d\d)$`)
	iszName  = regexp.MustCompile(`(?i)^(.*)\.isz$`)
)

// setNames computes the names of the files of a split set from the name of
// any member: name(k) returns the candidates for segment k (k = 0 is the
// first file), most likely first.
type setNames struct {
	base  string
	part  string // ".part" as spelled, for .partNN.isz naming; "" for .iNN
	width int    // digits of NN for part naming
	ext   string // ".isz" as spelled in the given name
	i     string // "i" or "I" for .iNN naming
}

func parseSetName(name string) setNames {
	if m := partName.FindStringSubmatch(name); m != nil {
		return setNames{base: m[1], part: m[2], width: len(m[3]), ext: m[4]}
	}
	if m := iNNName.FindStringSubmatch(name); m != nil && m[3] != "00" {
		ext := ".isz"
		if m[2] == "I" {
			ext = ".ISZ"
		}
		return setNames{base: m[1], ext: ext, i: m[2]}
	}
	if m := iszName.FindStringSubmatch(name); m != nil {
		ext := name[len(m[1]):]
		i := "i"
		if ext == strings.ToUpper(ext) {
			i = "I"
		}
		return setNames{base: m[1], ext: ext, i: i}
	}
	return setNames{base: name, ext: ".isz", i: "i"}
}

// SetFileName returns the name Create gives file k (0 is the first) of a
// split set whose first file is name: "disc.isz" gives "disc.i01",
// "disc.i02", ...; "disc.part01.isz" gives "disc.part02.isz", ...
// Commands use it to find the files of an earlier set that a new one would
// leave behind or overwrite.
func SetFileName(name string, k int) string {
	if k == 0 {
		return name
	}
	return parseSetName(name).member(k)[0]
}

// SetBaseName returns name without the extension that makes it a member of
// a split set: "disc" for "disc.isz", "disc.i01", "disc.part01.isz" and
// "disc" itself.
func SetBaseName(name string) string { return parseSetName(name).base }

// member returns candidate names for segment k, preferred spelling first.
func (s setNames) member(k int) []string {
	if s.part != "" {
		return []string{fmt.Sprintf("%s%s%0*d%s", s.base, s.part, s.width, k+1, s.ext)}
	}
	if k == 0 {
		// The writer names the first file of "NAME" (no .isz) NAME itself.
		return uniq(s.base+s.ext, s.base+strings.ToLower(s.ext), s.base+strings.ToUpper(s.ext), s.base)
	}
	nn := fmt.Sprintf("%02d", k)
	other := "I"
	if s.i == "I" {
		other = "i"
	}
	return uniq(s.base+"."+s.i+nn, s.base+"."+other+nn)
}

func uniq(names ...string) []string {
	var out []string
	for _, n := range names {
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}
