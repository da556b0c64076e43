package fs

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/internal/mountinfo"
)

// A guard is a set of protections the file system enforces itself because
// the kernel mount lacks the option that would enforce them.
//
// [FS.Mount] mounts with nosuid, nodev and default_permissions, but a mount
// made by someone else does not always have them: "mount.fuse3 -o
// drop_privileges" (and an fstab line using it) mounts the /dev/fuse
// descriptor it hands over with only the options it was given, so a setuid
// root program on the disc would run as root and every file would be
// readable by every user of an allow_other mount. So Mount reads the
// options the kernel really has from /proc/self/mountinfo, and for each one
// missing the daemon does the kernel's job:
//
//   - no default_permissions: every lookup, open, opendir, readlink and
//     access is checked against the caller's uid, gid and supplementary
//     groups (read from /proc/PID/status) as the kernel would: search
//     permission on every directory from the root down, read permission on
//     the file or directory opened; root may do anything but run a file
//     with no execute bit. Opens are then always sent to the daemon (no
//     NO_OPEN_SUPPORT), and symlink targets are not cached by the kernel.
//     Names and attributes the kernel has cached for one user stay visible
//     to another who may not search the directory (the kernel answers those
//     without asking); file contents, listings and link targets never do.
//     The directories checked above a hard-linked file are those of the
//     name it was first looked up by.
//   - no nosuid: setuid and setgid bits are never reported.
//   - no nodev: device nodes are shown as empty regular files with mode 0
//     (unusable, but their names stay listed; see docs/design.md).
//
// Until the options are known (from before the mount until Mount has read
// them) everything is guarded.
type guard uint32

const (
	guardPerms guard = 1 << iota // no default_permissions
	guardSuid                    // no nosuid
	guardDev                     // no nodev
	guardAll   = guardPerms | guardSuid | guardDev
)

// String names the kernel options whose absence the guard makes up for.
func (g guard) String() string {
	var missing []string
	for _, o := range []struct {
		g    guard
		name string
	}{{guardSuid, "nosuid"}, {guardDev, "nodev"}, {guardPerms, "default_permissions"}} {
		if g&o.g != 0 {
			missing = append(missing, o.name)
		}
	}
	return strings.Join(missing, ",")
}

// guardOf is the guard for mounts, all the kernel mounts that may be ours:
// a protection is needed when any of them lacks its option, and all are
// when there is none.
func guardOf(mounts []mountinfo.Mount) guard {
	if len(mounts) == 0 {
		return guardAll
	}
	var g guard
	for _, m := range mounts {
		if !m.Has("default_permissions") {
			g |= guardPerms
		}
		if !m.Has("nosuid") {
			g |= guardSuid
		}
		if !m.Has("nodev") {
			g |= guardDev
		}
	}
	return g
}

// mountGuard finds the kernel mount(s) of dir, just mounted with type
// fstype, and returns their guard. A mount point is identified by the
// device number stat(2) reports for it; a /dev/fd/N descriptor mounted by
// our caller has no path we know, so every mount of type fstype counts
// (more protection than needed at worst, never less).
func mountGuard(dir, fstype string) (guard, error) {
	mounts, err := mountinfo.Read()
	if err != nil {
		return guardAll, err
	}
	match := func(m mountinfo.Mount) bool { return m.FSType == fstype }
	if !IsDevFD(dir) {
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			return guardAll, err
		}
		match = func(m mountinfo.Mount) bool {
			return m.Major == unix.Major(st.Dev) && m.Minor == unix.Minor(st.Dev)
		}
	}
	var ours []mountinfo.Mount
	for _, m := range mounts {
		if match(m) {
			ours = append(ours, m)
		}
	}
	if len(ours) == 0 {
		return guardAll, fmt.Errorf("no mount of %s in %s", dir, mountinfo.Path)
	}
	return guardOf(ours), nil
}

func (f *FS) guarding(g guard) bool { return guard(f.guard.Load())&g != 0 }

// present is the stat(2) mode the kernel gets for a node: its own mode with
// the masks and the guard applied.
func (f *FS) present(mode uint32) uint32 {
	t := mode & syscall.S_IFMT
	if (t == syscall.S_IFCHR || t == syscall.S_IFBLK) && f.guarding(guardDev) {
		return syscall.S_IFREG
	}
	if f.guarding(guardSuid) {
		mode &^= syscall.S_ISUID | syscall.S_ISGID
	}
	return f.opts.applyMasks(mode)
}

// Access bits of access(2) and of the kernel's permission checks.
const (
	rOK = 4
	wOK = 2
	xOK = 1
)

// permit answers EACCES unless c may access entry e for mask (see may).
func (f *FS) permit(c *caller, e disc.Entry, mask uint32) syscall.Errno {
	if !f.may(c, f.attrOf(e), mask) {
		return syscall.EACCES
	}
	return 0
}

// caller is the process a request comes from.
type caller struct {
	uid, gid uint32
	pid      uint32
	groups   []uint32 // supplementary groups, read when first needed
	read     bool
}

// inGroup reports whether gid is the caller's group or one of its
// supplementary groups. Those come from the Groups: line of
// /proc/PID/status, which the kernel does not pass in a FUSE request; when
// it cannot be read (the process is gone, or not visible: pid 0) only the
// request's gid counts.
func (c *caller) inGroup(gid uint32) bool {
	if gid == c.gid {
		return true
	}
	if !c.read {
		c.read = true
		if c.pid != 0 {
			c.groups = procGroups(fmt.Sprintf("/proc/%d/status", c.pid))
		}
	}
	return slices.Contains(c.groups, gid)
}

// procGroups reads the Groups: line of a /proc/PID/status file.
func procGroups(path string) []uint32 {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Groups:")
		if !ok {
			continue
		}
		var out []uint32
		for _, g := range strings.Fields(rest) {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				out = append(out, uint32(n))
			}
		}
		return out
	}
	return nil
}

// may reports whether c may access a node with attributes a for mask, as
// the kernel's generic_permission does with the attributes the node
// reports (owner and mode after uid=, gid= and the masks; no ACLs).
func (f *FS) may(c *caller, a attrInput, mask uint32) bool {
	uid, gid := f.opts.owner(a.uid, a.gid)
	mode := f.present(a.mode)
	if c.uid == 0 {
		// CAP_DAC_OVERRIDE: all but executing a file no one may execute.
		return mask&xOK == 0 || mode&syscall.S_IFMT == syscall.S_IFDIR || mode&0o111 != 0
	}
	perm := mode
	switch {
	case c.uid == uid:
		perm >>= 6
	case c.inGroup(gid):
		perm >>= 3
	}
	return perm&mask == mask
}
