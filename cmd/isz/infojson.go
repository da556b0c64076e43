package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

// The JSON form of "isz info --json". Its field names and meanings are
// interface, documented in the README: add fields, never rename or
// repurpose one.
type (
	infoDoc struct {
		Image      string     `json:"image"`       // the IMAGE argument
		Format     string     `json:"format"`      // "isz" or "plain"
		Size       int64      `json:"size"`        // bytes of the (decompressed) disc image
		ISZ        *iszDoc    `json:"isz"`         // null for a plain image
		FileSystem string     `json:"file_system"` // "iso9660", "udf-only", "none", "encrypted" or "error"
		Volume     *volumeDoc `json:"volume"`      // null unless file_system is "iso9660"
		UDF        *udfDoc    `json:"udf"`         // the UDF volume, null if none is readable
		UDFError   string     `json:"udf_error,omitempty"`
		View       *string    `json:"view"`        // the tree ls, cat, extract --files and iszmount show: "iso9660", "udf" or null
		ViewReason string     `json:"view_reason"` // why --fs picked that tree
		Error      string     `json:"error,omitempty"`
	}
	udfDoc struct {
		LogicalVolumeID  string     `json:"logical_volume_id"`
		VolumeID         string     `json:"volume_id"`
		VolumeSetID      string     `json:"volume_set_id"`
		FileSetID        string     `json:"file_set_id"`
		Label            string     `json:"label"`
		NSR              string     `json:"nsr"`      // "NSR02", "NSR03" or ""
		Revision         string     `json:"revision"` // "2.60", "" if unknown
		MinReadRevision  string     `json:"min_read_revision"`
		MinWriteRevision string     `json:"min_write_revision"`
		MaxWriteRevision string     `json:"max_write_revision"`
		Files            *int64     `json:"files"` // from the integrity descriptor, null if not recorded
		Dirs             *int64     `json:"dirs"`
		BlockSize        int        `json:"block_size"`
		PartitionMaps    []string   `json:"partition_maps"` // "physical", "sparable", "virtual", "metadata"
		Created          *time.Time `json:"created"`
		Recorded         *time.Time `json:"recorded"`
		FileSetCreated   *time.Time `json:"file_set_created"`
		ReserveVDS       bool       `json:"reserve_vds"`
		VAT              bool       `json:"vat"`
		MetadataMirror   bool       `json:"metadata_mirror"`
	}
	iszDoc struct {
		Version      int                 `json:"version"`
		HeaderSize   int                 `json:"header_size"`
		VolumeSerial uint32              `json:"volume_serial"`
		SectorSize   int                 `json:"sector_size"`
		Sectors      int64               `json:"sectors"`
		ChunkSize    int64               `json:"chunk_size"`
		Chunks       int                 `json:"chunks"`
		ChunkTypes   map[string]chunkDoc `json:"chunk_types"` // "zlib", "bzip2", "data", "zero": only those present
		StoredBytes  int64               `json:"stored_bytes"`
		Encryption   string              `json:"encryption"`
		Checksums    *checksumDoc        `json:"checksums"` // null for a 48-byte header
		Segments     []segmentDoc        `json:"segments"`
	}
	chunkDoc struct {
		Count       int   `json:"count"`
		StoredBytes int64 `json:"stored_bytes"`
	}
	checksumDoc struct {
		Image uint32 `json:"image"` // as stored in the header (NOT of the CRC-32)
		Data  uint32 `json:"data"`
	}
	segmentDoc struct {
		Name       string `json:"name"`
		Size       int64  `json:"size"`
		FirstChunk int    `json:"first_chunk"`
		Chunks     int    `json:"chunks"`
	}
	volumeDoc struct {
		VolumeID    string     `json:"volume_id"`
		SystemID    string     `json:"system_id"`
		Publisher   string     `json:"publisher"`
		Application string     `json:"application"`
		Created     *time.Time `json:"created"` // RFC 3339, null if not recorded
		Modified    *time.Time `json:"modified"`
		BlockSize   int        `json:"block_size"`
		Blocks      int64      `json:"blocks"`
		RockRidge   bool       `json:"rock_ridge"`
		Joliet      bool       `json:"joliet"`
		Zisofs      bool       `json:"zisofs"`
		UDFBridge   bool       `json:"udf_bridge"`
		Names       string     `json:"names"` // "rockridge", "joliet", "iso9660:1999" or "iso9660"
		Bootable    bool       `json:"bootable"`
	}
)

// infoJSON prints what info prints, as one JSON object. A volume that
// cannot be read is reported in "error" and as the command's error.
func infoJSON(stdout io.Writer, name, view string, pw *passwordFlags) error {
	im, err := openImageInspect(name, pw)
	if err != nil {
		return err
	}
	defer im.Close()
	doc := infoDoc{Image: name, Format: "plain", Size: im.size}
	if im.isz != nil {
		doc.Format = "isz"
		doc.ISZ = newISZDoc(im.isz.Info())
	}
	vol := readVolume(im, view)
	doc.FileSystem = vol.kind
	if vol.err != nil {
		doc.Error = vol.err.Error()
	}
	if vol.udfErr != nil {
		doc.UDFError = vol.udfErr.Error()
	}
	if vol.view != "" {
		doc.View, doc.ViewReason = &vol.view, vol.reason
	}
	if u := vol.udf; u != nil {
		rev := func(r uint16) string { return udfview.VolumeInfo{Revision: r}.RevisionString() }
		doc.UDF = &udfDoc{
			LogicalVolumeID: u.LogicalVolumeID, VolumeID: u.VolumeID, VolumeSetID: u.VolumeSetID, FileSetID: u.FileSetID,
			Label: u.Label(), NSR: u.NSR, Revision: u.RevisionString(),
			MinReadRevision: rev(u.MinReadRevision), MinWriteRevision: rev(u.MinWriteRevision), MaxWriteRevision: rev(u.MaxWriteRevision),
			BlockSize: u.BlockSize, PartitionMaps: u.PartitionMaps,
			Created: timeOrNil(u.Created), Recorded: timeOrNil(u.Recorded), FileSetCreated: timeOrNil(u.FileSetCreated),
			ReserveVDS: u.ReserveVDS, VAT: u.VAT, MetadataMirror: u.MetadataMirror,
		}
		if u.HasCounts {
			doc.UDF.Files, doc.UDF.Dirs = &u.Files, &u.Dirs
		}
	}
	if vol.kind == "iso9660" {
		vi := vol.info
		doc.Volume = &volumeDoc{
			VolumeID: vi.VolumeID, SystemID: vi.SystemID, Publisher: vi.PublisherID, Application: vi.ApplicationID,
			Created: timeOrNil(vi.Created), Modified: timeOrNil(vi.Modified),
			BlockSize: vi.BlockSize, Blocks: vi.VolumeBlocks,
			RockRidge: vi.RockRidge, Joliet: vi.Joliet, Zisofs: vi.ZisofsSeen, UDFBridge: vi.UDF,
			Names: vi.Names, Bootable: len(vi.Boot) > 0,
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return vol.err
}

func newISZDoc(in isz.Info) *iszDoc {
	h := in.Header
	d := &iszDoc{
		Version: int(h.Version), HeaderSize: int(h.HeaderSize), VolumeSerial: h.VSN,
		SectorSize: int(h.SectorSize), Sectors: int64(h.TotalSectors), ChunkSize: int64(h.ChunkSize),
		Chunks: in.NumChunks, ChunkTypes: map[string]chunkDoc{}, StoredBytes: in.StoredTotal,
		Encryption: h.Encryption.String(), Segments: []segmentDoc{},
	}
	for t := range isz.ChunkType(isz.NumChunkTypes) {
		if in.Count[t] > 0 {
			d.ChunkTypes[t.String()] = chunkDoc{in.Count[t], in.Stored[t]}
		}
	}
	if h.HasChecksums() {
		d.Checksums = &checksumDoc{h.Checksum1, h.Checksum2}
	}
	for _, s := range in.Segments {
		d.Segments = append(d.Segments, segmentDoc{s.Name, s.FileSize, s.FirstChunk, s.NumChunks})
	}
	return d
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
