// Package mountinfo reads /proc/self/mountinfo, the kernel's list of the
// mounts visible to this process, as proc(5) describes it.
//
// Each line is
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)    (10)         (11)
//
// the mount ID, its parent's ID, the MAJOR:MINOR device number of the
// superblock, the root of the mount within its file system, the mount
// point, the per-mount options, zero or more optional fields ended by a
// single "-", the file system type, the mount source and the superblock
// options. Paths and the source have their spaces, tabs, newlines and
// backslashes written as octal escapes (\040 for a space); [Unescape]
// undoes any \NNN.
//
// A later line stacked on the same mount point hides the earlier ones:
// [At] returns the topmost.
package mountinfo

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Mount is one line of mountinfo.
type Mount struct {
	ID, Parent   int
	Major, Minor uint32 // device number of the superblock (st_dev of files in it)
	Root         string // the mount's root within its file system
	Point        string // mount point, unescaped
	Options      []string
	Optional     []string // tagged fields such as "shared:1"
	FSType       string   // e.g. "ext4", "fuse.iszmount"
	Source       string   // unescaped; "none" when there is none
	SuperOptions []string
}

// ErrFormat is returned for a line that does not follow proc(5).
var ErrFormat = errors.New("mountinfo: malformed line")

// Path is where the kernel shows the mounts of the calling process.
const Path = "/proc/self/mountinfo"

// Read parses [Path].
func Read() ([]Mount, error) {
	data, err := os.ReadFile(Path)
	if err != nil {
		return nil, err
	}
	return Parse(string(data))
}

// Parse parses mountinfo text. Empty lines are skipped; any other line
// that does not follow proc(5) is an error wrapping [ErrFormat].
func Parse(text string) ([]Mount, error) {
	var out []Mount
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%w %d: %v", ErrFormat, i+1, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func parseLine(line string) (Mount, error) {
	f := strings.Fields(line)
	sep := slices.Index(f, "-")
	if sep < 6 || len(f) < sep+3 {
		return Mount{}, errors.New("want 6 fields, optional fields, \"-\" and 2 or 3 fields")
	}
	var m Mount
	var err error
	if m.ID, err = strconv.Atoi(f[0]); err != nil {
		return Mount{}, fmt.Errorf("mount ID %q", f[0])
	}
	if m.Parent, err = strconv.Atoi(f[1]); err != nil {
		return Mount{}, fmt.Errorf("parent ID %q", f[1])
	}
	maj, min, ok := strings.Cut(f[2], ":")
	ma, err1 := strconv.ParseUint(maj, 10, 32)
	mi, err2 := strconv.ParseUint(min, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return Mount{}, fmt.Errorf("device %q", f[2])
	}
	m.Major, m.Minor = uint32(ma), uint32(mi)
	m.Root, m.Point = Unescape(f[3]), Unescape(f[4])
	m.Options = splitOptions(f[5])
	m.Optional = f[6:sep]
	m.FSType, m.Source = Unescape(f[sep+1]), Unescape(f[sep+2])
	if len(f) > sep+3 {
		m.SuperOptions = splitOptions(f[sep+3])
	}
	return m, nil
}

func splitOptions(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ",") {
		out = append(out, Unescape(o))
	}
	return out
}

// Has reports whether opt (a name such as "nosuid", or "name=value") is
// among the per-mount or the superblock options.
func (m *Mount) Has(opt string) bool {
	return slices.Contains(m.Options, opt) || slices.Contains(m.SuperOptions, opt)
}

// Dev is the superblock's device number as "MAJOR:MINOR", the name sysfs
// gives its backing device info (/sys/class/bdi/MAJOR:MINOR).
func (m *Mount) Dev() string { return fmt.Sprintf("%d:%d", m.Major, m.Minor) }

// At returns the topmost mount at dir (an absolute, clean path as the
// kernel shows it), if any.
func At(mounts []Mount, dir string) (Mount, bool) {
	for i := len(mounts) - 1; i >= 0; i-- {
		if mounts[i].Point == dir {
			return mounts[i], true
		}
	}
	return Mount{}, false
}

// Unescape undoes the kernel's octal escapes: every backslash followed by
// three octal digits of a byte value (\000 to \377) is that byte; anything
// else stays as it is.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
