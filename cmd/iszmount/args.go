package main

import (
	"errors"
	"fmt"
	"maps"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iszmount/iszmount/disc"
	"github.com/iszmount/iszmount/internal/cliutil"
)

// config is everything the command line says.
type config struct {
	image, mountPoint string
	foreground, debug bool
	singleThread      bool // -s: serve one request at a time
	help, version     bool

	mode               string // "" (tree if possible), "raw" or "tree"
	cacheSize          int64  // 0: the isz default
	password, passfile string
	noRock, noJoliet   bool
	fsView             string // "" (auto), or one of disc.Views
	idle               time.Duration
	verify             bool
	logFile            string
	autoUnmount        bool

	allowOther, allowRoot bool
	uid, gid              *uint32
	umask, fmask, dmask   uint32
	fsName, subtype       string
	noExec                bool

	// opts are the -o options as given, in order, for the daemon child.
	opts []string
}

// errUsage marks command-line errors (exit code exitUsage).
var errUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// parseArgs reads the command line the way mount(8) helpers are called:
// flags and -o lists may come before, between or after the two positional
// arguments, and -o may repeat.
func parseArgs(args []string) (*config, error) {
	c := &config{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case a == "-o" || a == "--options":
			if i+1 >= len(args) {
				return nil, usageErr("%s needs an option list", a)
			}
			i++
			if err := c.addOptions(args[i]); err != nil {
				return nil, err
			}
		case strings.HasPrefix(a, "-o"):
			if err := c.addOptions(a[2:]); err != nil {
				return nil, err
			}
		case strings.HasPrefix(a, "--options="):
			if err := c.addOptions(strings.TrimPrefix(a, "--options=")); err != nil {
				return nil, err
			}
		case a == "-f" || a == "--foreground":
			c.foreground = true
		case a == "-d" || a == "--debug":
			c.debug, c.foreground = true, true
		case a == "-s":
			c.singleThread = true
		case a == "-h" || a == "--help":
			c.help = true
		case a == "-V" || a == "--version":
			c.version = true
		case len(a) > 1 && a[0] == '-':
			return nil, usageErr("unknown flag %s", a)
		default:
			pos = append(pos, a)
		}
	}
	if c.help || c.version {
		return c, nil
	}
	switch len(pos) {
	case 0:
		return nil, usageErr("missing IMAGE and MOUNTPOINT")
	case 1:
		return nil, usageErr("missing MOUNTPOINT")
	case 2:
		c.image, c.mountPoint = pos[0], pos[1]
	default:
		return nil, usageErr("unexpected argument %q", pos[2])
	}
	if c.image == "" || c.mountPoint == "" {
		return nil, usageErr("IMAGE and MOUNTPOINT must not be empty")
	}
	return c, nil
}

// ignoredOptions are accepted and ignored: fstab and mount(8) generic options
// that mean nothing here or that the mount always has (nosuid, nodev).
var ignoredOptions = map[string]bool{
	"nofail": true, "auto": true, "noauto": true, "user": true, "users": true,
	"_netdev": true, "defaults": true, "dev": true, "suid": true,
	"nodev": true, "nosuid": true, "exec": true, "atime": true,
	"noatime": true, "relatime": true, "nodiratime": true,
	"default_permissions": true, // always on
	"ro":                  true, // always on
	// mount(8) passes rw to helpers whenever ro is not given (checked with
	// util-linux 2.38: "mount -t fuse.iszmount IMG DIR" runs
	// "iszmount IMG DIR -o rw"), so rw cannot be an error; the mount is
	// read-only all the same, as /proc/mounts shows.
	"rw": true,
}

// addOptions parses one -o list: comma-separated, "\," is a literal comma
// and "\\" a backslash (as mount.fuse3 and fusermount3 escape them).
func (c *config) addOptions(list string) error {
	for _, o := range splitOptions(list) {
		if o == "" {
			continue
		}
		if err := c.setOption(o); err != nil {
			return err
		}
		c.opts = append(c.opts, o)
	}
	return nil
}

func splitOptions(list string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(list); i++ {
		switch ch := list[i]; {
		case ch == '\\' && i+1 < len(list):
			i++
			cur.WriteByte(list[i])
		case ch == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	return append(out, cur.String())
}

func (c *config) setOption(o string) error {
	key, val, hasVal := strings.Cut(o, "=")
	needVal := func() error {
		if !hasVal || val == "" {
			return usageErr("option %s needs a value (%s=...)", key, key)
		}
		return nil
	}
	noVal := func() error {
		if hasVal {
			return usageErr("option %s takes no value", key)
		}
		return nil
	}
	switch {
	case ignoredOptions[key]:
		return noVal()
	case strings.HasPrefix(key, "x-") || key == "comment":
		return nil // fstab annotations (x-systemd.automount, ...)
	case key == "allow_other":
		c.allowOther = true
		return noVal()
	case key == "allow_root":
		c.allowRoot = true
		return noVal()
	case key == "noexec":
		c.noExec = true
		return noVal()
	case key == "uid" || key == "gid":
		if err := needVal(); err != nil {
			return err
		}
		id, err := parseID(key, val)
		if err != nil {
			return err
		}
		if key == "uid" {
			c.uid = &id
		} else {
			c.gid = &id
		}
	case key == "umask" || key == "fmask" || key == "dmask":
		if err := needVal(); err != nil {
			return err
		}
		m, err := strconv.ParseUint(val, 8, 32)
		if err != nil || m > 0o7777 {
			return usageErr("option %s=%s: want an octal mask up to 7777", key, val)
		}
		switch key {
		case "umask":
			c.umask = uint32(m)
		case "fmask":
			c.fmask = uint32(m)
		default:
			c.dmask = uint32(m)
		}
	case key == "fsname":
		c.fsName = val
		return needVal()
	case key == "subtype":
		c.subtype = val
		return needVal()
	case key == "mode":
		if val != "raw" && val != "tree" {
			return usageErr("option mode=%s: want mode=raw or mode=tree", val)
		}
		c.mode = val
	case key == "cache":
		if err := needVal(); err != nil {
			return err
		}
		n, err := cliutil.ParseSize(val)
		if err != nil {
			return usageErr("option cache=%s: %v", val, err)
		}
		if ram := physicalRAM(); ram > 0 && n > ram {
			return usageErr("option cache=%s: more than this machine's memory (%d MiB)", val, ram>>20)
		}
		c.cacheSize = n
	case key == "password":
		if !hasVal {
			return usageErr("option password needs a value (password=...)")
		}
		c.password = val
	case key == "passfile":
		c.passfile = val
		return needVal()
	case key == "fs":
		if err := needVal(); err != nil {
			return err
		}
		if !slices.Contains(disc.Views, val) {
			return usageErr("option fs=%s: want fs=%s", val, strings.Join(disc.Views, ", fs="))
		}
		c.fsView = val
	case key == "norock":
		c.noRock = true
		return noVal()
	case key == "nojoliet":
		c.noJoliet = true
		return noVal()
	case key == "idle":
		if err := needVal(); err != nil {
			return err
		}
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return usageErr("option idle=%s: want a positive duration such as 90s or 10m", val)
		}
		c.idle = d
	case key == "verify":
		c.verify = true
		return noVal()
	case key == "debug": // libfuse's -o debug, the same as -d
		c.debug, c.foreground = true, true
		return noVal()
	case key == "auto_unmount":
		c.autoUnmount = true
		return noVal()
	case key == "logfile":
		c.logFile = val
		return needVal()
	default:
		if near := cliutil.Suggest(key, optionNames()); near != "" {
			return usageErr("unknown option %q: did you mean %q? (see iszmount --help)", o, near)
		}
		return usageErr("unknown option %q (see iszmount --help)", o)
	}
	return nil
}

// knownOptions are the options setOption understands besides
// ignoredOptions, for "did you mean" (TestOptionNames keeps the two in step).
var knownOptions = []string{
	"mode", "cache", "password", "passfile", "fs", "norock", "nojoliet", "idle",
	"verify", "logfile", "auto_unmount", "debug", "allow_other", "allow_root",
	"uid", "gid", "umask", "fmask", "dmask", "fsname", "subtype", "noexec",
}

// optionNames are all the option names -o accepts, ours first.
func optionNames() []string {
	names := slices.Clone(knownOptions)
	for _, k := range slices.Sorted(maps.Keys(ignoredOptions)) {
		names = append(names, k)
	}
	return names
}

// parseID reads uid=/gid= as a number or a user/group name.
func parseID(key, val string) (uint32, error) {
	if n, err := strconv.ParseUint(val, 10, 32); err == nil {
		return uint32(n), nil
	}
	var id string
	if key == "uid" {
		u, err := user.Lookup(val)
		if err != nil {
			return 0, usageErr("option uid=%s: no such user", val)
		}
		id = u.Uid
	} else {
		g, err := user.LookupGroup(val)
		if err != nil {
			return 0, usageErr("option gid=%s: no such group", val)
		}
		id = g.Gid
	}
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return 0, usageErr("option %s=%s: id %q is not a number", key, val, id)
	}
	return uint32(n), nil
}

// childArgs is the command line of the daemon child: foreground, the same
// options except password= and passfile= (the parent reads the password and
// hands it over in the environment, where other users cannot read it), and
// the given absolute paths, since the child runs in /.
func (c *config) childArgs(image, mountPoint string) []string {
	args := []string{"-f"}
	if c.singleThread {
		args = append(args, "-s")
	}
	var opts []string
	for _, o := range c.opts {
		key, _, _ := strings.Cut(o, "=")
		if key == "password" || key == "passfile" {
			continue
		}
		opts = append(opts, escapeOption(o))
	}
	if len(opts) > 0 {
		args = append(args, "-o", strings.Join(opts, ","))
	}
	return append(args, "--", image, mountPoint)
}

func escapeOption(o string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`).Replace(o)
}
