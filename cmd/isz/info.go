package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

var infoCmd = &command{
	name: "info",
	flags: func(fs *pflag.FlagSet) func(context.Context, []string) error {
		var pw passwordFlags
		pw.register(fs)
		var view string
		registerFS(fs, &view)
		asJSON := fs.Bool("json", false, "")
		return func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return usagef("want one IMAGE, got %d arguments", len(args))
			}
			if *asJSON {
				return infoJSON(os.Stdout, args[0], view, &pw)
			}
			return info(os.Stdout, args[0], view, &pw)
		}
	},
}

func info(stdout io.Writer, name, view string, pw *passwordFlags) error {
	im, err := openImageInspect(name, pw)
	if err != nil {
		return err
	}
	defer im.Close()
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	row := func(key, format string, args ...any) { fmt.Fprintf(tw, "%s:\t%s\n", key, fmt.Sprintf(format, args...)) }

	row("Image", "%s", name)
	if im.isz == nil {
		row("Format", "plain image (no ISZ header), %d bytes (%s)", im.size, formatBytes(im.size))
	} else {
		describeISZ(row, im.isz.Info())
	}
	tw.Flush()
	fmt.Fprintln(stdout)
	err = describeVolume(row, im, view)
	tw.Flush()
	return err
}

// openImageInspect opens an image like openImage, except that an encrypted
// ISZ image without a password is opened for its header only.
func openImageInspect(name string, pw *passwordFlags) (*image, error) {
	im, err := openImage(name, pw, 0)
	if !errors.Is(err, isz.ErrNeedPassword) {
		return im, err
	}
	r, err := isz.Open(name, &isz.Options{Inspect: true})
	if err != nil {
		return nil, err
	}
	return &image{name: name, r: r, size: r.Size(), isz: r}, nil
}

func describeISZ(row func(key, format string, args ...any), in isz.Info) {
	h := in.Header
	row("Format", "ISZ version %d, %d-byte header", h.Version, h.HeaderSize)
	row("Volume serial", "0x%08X%s", h.VSN, serialTime(h.VSN))
	row("Image size", "%d bytes (%s), %d sectors of %d bytes", h.ImageSize(), formatBytes(h.ImageSize()), h.TotalSectors, h.SectorSize)
	if in.Raw {
		row("Chunks", "none: no chunk table, the image is stored uncompressed")
	} else {
		row("Chunks", "%d of %s (%d bytes), %d-byte chunk table entries", in.NumChunks, formatBytes(int64(h.ChunkSize)), h.ChunkSize, h.PtrLen)
		for _, t := range []isz.ChunkType{isz.ChunkZlib, isz.ChunkBzip2, isz.ChunkData, isz.ChunkZero} {
			if in.Count[t] > 0 {
				row("  "+t.String(), "%d chunks, %d bytes stored", in.Count[t], in.Stored[t])
			}
		}
		if in.Count[isz.ChunkZero] > 0 {
			row("  zero rule", "%s", in.ZeroRule)
		}
	}
	ratio := ""
	if in.StoredTotal > 0 {
		ratio = fmt.Sprintf(", ratio %.2f:1", float64(h.ImageSize())/float64(in.StoredTotal))
	}
	row("Stored data", "%d bytes (%s), %.1f%% of the image%s", in.StoredTotal, formatBytes(in.StoredTotal),
		percent(in.StoredTotal, h.ImageSize()), ratio)
	row("Layout", "chunk table at %s, segment table at %s, data at %d", offsetOrNone(h.PtrOffs), offsetOrNone(h.SegOffs), h.DataOffs)
	if h.HasChecksums() {
		row("Data size field", "%d bytes", h.DataSize)
	}
	row("Encryption", "%s", h.Encryption)
	if h.HasChecksums() {
		row("Checksums", "image 0x%08X, data 0x%08X (stored as NOT CRC-32; \"isz verify\" checks them)", h.Checksum1, h.Checksum2)
	} else {
		row("Checksums", "none (48-byte header)")
	}
	if len(in.Segments) <= 1 {
		row("Segments", "1 file")
	} else {
		row("Segments", "%d files, split at %d bytes (%s)", len(in.Segments), h.SegmentSize, formatBytes(h.SegmentSize))
		for i, s := range in.Segments {
			row(fmt.Sprintf("  %d", i), "%s: %d bytes, chunks %d-%d", s.Name, s.FileSize, s.FirstChunk, s.FirstChunk+s.NumChunks-1)
		}
	}
	if in.Trailer {
		row("Trailer", "a copy of the header at the end of the last file")
	}
}

// serialTime shows the volume serial number as the time it usually is
// (UltraISO and isz create write a Unix time), when it is a plausible one.
func serialTime(vsn uint32) string {
	t := time.Unix(int64(vsn), 0).UTC()
	if t.Year() < 1995 || t.Year() > 2100 {
		return ""
	}
	return " (as a time: " + t.Format("2006-01-02 15:04:05 UTC") + ")"
}

// offsetOrNone formats a table offset; 0 means the table is absent.
func offsetOrNone(off uint32) string {
	if off == 0 {
		return "none"
	}
	return fmt.Sprint(off)
}

func percent(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// volume is what info learns about the file systems of an image.
type volume struct {
	kind string // of the ISO 9660 side: "iso9660", "udf-only", "none" (neither file system in a good ISZ), "encrypted" (no password), "error"
	info iso9660view.VolumeInfo
	err  error // for "error"

	udf    *udfview.VolumeInfo // nil without a readable UDF volume
	udfErr error               // why a UDF volume that is there cannot be read

	view, reason string // the tree the other commands show (disc.Tree.FS, Reason); "" if none
}

// readVolume opens the ISO 9660 and UDF volumes of the image and the tree
// that --fs view picks. A disc that is neither inside a good ISZ image is a
// fact, not an error; for a plain image it is (the file is no disc image at
// all).
func readVolume(im *image, view string) volume {
	if im.isz != nil && im.isz.Header().Encryption != isz.EncryptNone {
		if _, err := im.r.ReadAt(make([]byte, 1), 0); errors.Is(err, isz.ErrNeedPassword) {
			return volume{kind: "encrypted"}
		}
	}
	var vol volume
	if u, err := udfview.Open(im.r, im.size, nil); err == nil {
		info := u.Info()
		vol.udf = &info
	} else if !errors.Is(err, udfview.ErrNotUDF) {
		vol.udfErr = err
	}
	if t, err := disc.Open(im.r, im.size, &disc.Options{FS: view}); err == nil {
		vol.view, vol.reason = t.FS(), t.Reason()
	} else if !errors.Is(err, disc.ErrNoFileSystem) {
		vol.kind, vol.err = "error", fmt.Errorf("%s: %w", im.name, err)
		return vol
	}
	v, err := iso9660view.Open(im.r, im.size, nil)
	switch {
	case err == nil:
		vol.kind, vol.info = "iso9660", v.Info()
	case errors.Is(err, iso9660view.ErrNotISO9660) && (vol.udf != nil || vol.udfErr != nil):
		vol.kind = "udf-only"
	case errors.Is(err, iso9660view.ErrNotISO9660) && im.isz != nil:
		vol.kind = "none"
	default:
		vol.kind, vol.err = "error", fmt.Errorf("%s: %w", im.name, err)
	}
	return vol
}

// describeVolume prints the volumes of the image and returns the error
// that reading them gave.
func describeVolume(row func(key, format string, args ...any), im *image, view string) error {
	vol := readVolume(im, view)
	switch vol.kind {
	case "encrypted":
		row("File system", "unknown: the image is encrypted; give a password to read the volume")
		return nil
	case "udf-only":
		row("File system", "UDF only: no ISO 9660 volume")
	case "none":
		row("File system", "not ISO 9660 or UDF (no volume descriptor found)")
		return nil
	case "error":
		row("File system", "error: %s", cliutil.Message(vol.err))
		return vol.err
	case "iso9660":
		describeISO(row, vol.info)
	}
	switch {
	case vol.udf != nil:
		describeUDF(row, *vol.udf)
	case vol.udfErr != nil:
		row("UDF", "error: %s", cliutil.Message(vol.udfErr))
	}
	if vol.view != "" {
		shown := map[string]string{disc.ISO9660: "ISO 9660", disc.UDF: "UDF"}[vol.view]
		row("Tree shown", "%s (--fs %s: %s)", shown, cmp.Or(view, disc.Auto), vol.reason)
	}
	return nil
}

// describeISO prints the ISO 9660 volume.
func describeISO(row func(key, format string, args ...any), vi iso9660view.VolumeInfo) {
	row("File system", "ISO 9660%s", extensions(vi))
	for _, id := range []struct{ key, value string }{
		{"Volume ID", vi.VolumeID}, {"System ID", vi.SystemID},
		{"Publisher", vi.PublisherID}, {"Application", vi.ApplicationID},
	} {
		if id.value != "" {
			row(id.key, "%s", id.value)
		}
	}
	row("Created", "%s", formatTime(vi.Created))
	row("Modified", "%s", formatTime(vi.Modified))
	row("Volume size", "%d blocks of %d bytes (%s)", vi.VolumeBlocks, vi.BlockSize, formatBytes(vi.VolumeBlocks*int64(vi.BlockSize)))
	row("Names shown", "%s", vi.Names)
	for i, b := range vi.Boot {
		key := "  "
		if i == 0 {
			key = "Boot (El Torito)"
		}
		row(key, "%s", describeBoot(b))
	}
}

// describeUDF prints the UDF volume.
func describeUDF(row func(key, format string, args ...any), u udfview.VolumeInfo) {
	row("UDF", "revision %s (%s), %d-byte blocks, partition maps: %s", cmp.Or(u.RevisionString(), "unknown"),
		cmp.Or(u.NSR, "no recognition sequence"), u.BlockSize, strings.Join(u.PartitionMaps, ", "))
	for _, id := range []struct{ key, value string }{
		{"  logical volume", u.LogicalVolumeID}, {"  volume ID", u.VolumeID},
		{"  volume set", u.VolumeSetID}, {"  file set", u.FileSetID},
	} {
		if id.value != "" {
			row(id.key, "%s", id.value)
		}
	}
	row("  created", "%s", formatTime(u.Created))
	if !u.Recorded.IsZero() {
		row("  recorded", "%s", formatTime(u.Recorded))
	}
	if u.HasCounts {
		rev := func(r uint16) string { return cmp.Or(udfview.VolumeInfo{Revision: r}.RevisionString(), "?") }
		row("  counts", "%d files, %d directories; revisions: read %s, write %s to %s", u.Files, u.Dirs,
			rev(u.MinReadRevision), rev(u.MinWriteRevision), rev(u.MaxWriteRevision))
	}
	var notes []string
	for _, n := range []struct {
		set  bool
		text string
	}{
		{u.VAT, "virtual allocation table (incremental recording)"},
		{u.ReserveVDS, "main descriptor sequence damaged: the reserve one is used"},
		{u.MetadataMirror, "metadata file damaged: its mirror is used"},
	} {
		if n.set {
			notes = append(notes, n.text)
		}
	}
	if len(notes) > 0 {
		row("  notes", "%s", strings.Join(notes, "; "))
	}
}

// describeBoot is one line about an El Torito boot entry.
func describeBoot(b iso9660view.BootEntry) string {
	platform := map[byte]string{
		iso9660view.PlatformX86: "x86 BIOS", iso9660view.PlatformPPC: "PowerPC",
		iso9660view.PlatformMac: "Mac", iso9660view.PlatformEFI: "UEFI",
	}[b.Platform]
	if platform == "" {
		platform = fmt.Sprintf("platform 0x%02X", b.Platform)
	}
	media := map[byte]string{
		iso9660view.MediaNoEmulation: "no emulation", iso9660view.MediaFloppy12M: "1.2M floppy",
		iso9660view.MediaFloppy144M: "1.44M floppy", iso9660view.MediaFloppy288M: "2.88M floppy",
		iso9660view.MediaHardDisk: "hard disk",
	}[b.Media]
	s := fmt.Sprintf("%s, %s, image at block %d, %d bytes loaded", platform, media, b.Block, b.Size())
	if !b.Bootable {
		s += ", not bootable"
	}
	return s
}

func extensions(vi iso9660view.VolumeInfo) string {
	var ext []string
	if vi.RockRidge {
		rr := "Rock Ridge"
		if vi.RockRidgeVersion != "" {
			rr += " " + vi.RockRidgeVersion
		}
		ext = append(ext, rr)
	}
	if vi.Joliet {
		ext = append(ext, fmt.Sprintf("Joliet level %d", vi.JolietLevel))
	}
	if vi.ZisofsSeen {
		ext = append(ext, "zisofs")
	}
	if len(ext) == 0 {
		return " (no extensions)"
	}
	return " with " + strings.Join(ext, ", ")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "(not recorded)"
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}
