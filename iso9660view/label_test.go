package iso9660view

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf16"
)

// labelDescriptors builds a primary descriptor with volume ID pvdID and,
// unless jolietID is "-", a Joliet one with volume ID jolietID (UCS-2,
// space-padded to 16 characters).
func labelDescriptors(pvdID, jolietID string) (pvd, joliet *descriptor) {
	pvd = &descriptor{raw: make([]byte, sectorSize)}
	copy(pvd.raw[40:72], pvdID+strings.Repeat(" ", 32))
	if jolietID == "-" {
		return pvd, nil
	}
	joliet = &descriptor{raw: make([]byte, sectorSize), ucs2: true}
	u := utf16.Encode([]rune(jolietID))
	for k := range 16 {
		c := uint16(' ')
		if k < len(u) {
			c = u[k]
		}
		binary.BigEndian.PutUint16(joliet.raw[40+2*k:], c)
	}
	return pvd, joliet
}

// TestVolumeLabel: blkid's rule, case by case.
func TestVolumeLabel(t *testing.T) {
	for _, tc := range []struct{ pvd, joliet, want string }{
		// The Joliet ID cut at 16 characters: the primary completes it.
		{"ThisWonderfulLabelIsVeryVeryLong", "ThisWonderfulLab", "ThisWonderfulLabelIsVeryVeryLong"},
		// Non-ASCII characters ('_' in the primary) come from Joliet, and
		// Joliet's case is kept where the primary is upper case.
		{"NA_VE AND VERY LOOOOOOOONG_LABEL", "Naïve and very l", "Naïve and very lOOOOOOOONG_LABEL"},
		// A character beyond U+FFFF: two UTF-16 units, one '_'.
		{"DISC_ONETWOTHREEFOUR", "Disc😀OneTwoThre", "Disc😀OneTwoThreEFOUR"},
		// Joliet shorter than 16 characters: its padding must match the
		// primary's, or the two are different labels.
		{"DISC_ONE_TWO", "Disc😀One", "Disc😀One"},
		// Both short and equal: the Joliet spelling.
		{"MYDISC", "MyDisc", "MyDisc"},
		// Different labels: Joliet's.
		{"CDROM", "Backup 2024", "Backup 2024"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOX", "ABCDEFGHIJKLMNOX"},
		// No Joliet: the primary ID.
		{"PLAIN_LABEL", "-", "PLAIN_LABEL"},
	} {
		pvd, joliet := labelDescriptors(tc.pvd, tc.joliet)
		if got := volumeLabel(pvd, joliet); got != tc.want {
			t.Errorf("primary %q, Joliet %q: label %q, want %q", tc.pvd, tc.joliet, got, tc.want)
		}
	}
}

// TestVolumeLabelMatchesBlkid: on real images made by genisoimage (which
// cuts the Joliet ID at 16 characters), the label is the one blkid
// reports. genisoimage and xorriso write a non-ASCII label to the primary
// descriptor as UTF-8 bytes, not '_': the two IDs then disagree, and the
// label is the Joliet one, for blkid as here.
func TestVolumeLabelMatchesBlkid(t *testing.T) {
	blkid, err := exec.LookPath("blkid")
	if err != nil {
		t.Fatal("blkid (util-linux) is needed: ", err)
	}
	for _, tc := range []struct{ label, want string }{
		{"ThisWonderfulLabelIsVeryVeryLong", "ThisWonderfulLabelIsVeryVeryLong"},
		{"Naïve and very lOOOOOOOONG_LABE", "Naïve and very l"},
		{"Short", "Short"},
	} {
		label := tc.label
		img, _ := fixture(t, []node{{Path: "f", Data: []byte("x")}}, "genisoimage", "-quiet", "-J", "-input-charset", "utf-8", "-V", label, "-o", "$OUT", "$SRC")
		out, err := exec.Command(blkid, "-p", "-o", "value", "-s", "LABEL", img).Output()
		if err != nil {
			t.Fatalf("blkid: %v", err)
		}
		if got := string(bytes.TrimSpace(out)); got != tc.want {
			t.Fatalf("-V %q: blkid says %q, the test expects %q", label, got, tc.want)
		}
		if got := openImage(t, img, nil).Info().Label; got != tc.want {
			t.Errorf("-V %q: Label %q, blkid %q", label, got, tc.want)
		}
	}
}
