package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

const usage = `Usage: iszmount [-f] [-d] [-s] [-o OPTIONS] IMAGE MOUNTPOINT [-o OPTIONS]

Mount an ISZ (UltraISO compressed ISO) image, or a plain ISO 9660 image,
read-only at MOUNTPOINT. By default the image's ISO 9660 directory tree is
shown (tree mode); mode=raw shows one file, NAME.iso, holding the whole
decompressed image (for mount -o loop or other ISO tools). Images without
an ISO 9660 tree (UDF-only, or no file system at all) are mounted in raw
mode with a notice saying why; an image whose descriptors cannot be read
(a damaged chunk) is an error. Unmount with: umount MOUNTPOINT (or
fusermount3 -u). A dead mount of iszmount (its daemon killed) at
MOUNTPOINT is cleared before mounting.

Flags:
  -f, --foreground   stay in the foreground (for systemd Type=simple or
                     Type=notify units; sends READY=1 to $NOTIFY_SOCKET)
  -d, --debug        foreground, debug log and every FUSE request
  -s                 serve one request at a time (for debugging)
  -o OPTIONS         comma-separated mount options, repeatable, before or
                     after the positional arguments
  -h, --help         this help
  -V, --version      print the version

Options of iszmount:
  mode=tree|raw      what to show (default: tree when there is one)
  cache=SIZE         memory budget, e.g. 64M, 1G: decompressed chunks plus
                     the directory tree; peak RSS stays near SIZE + 64M
                     (default: 1/32 of RAM, between 16M and 256M; at
                     most the machine's RAM)
  password=PW        password of an encrypted image (visible in ps(1):
                     prefer passfile= or $ISZ_PASSWORD)
  passfile=FILE      read the password from the first line of FILE ("-": stdin)
  norock, nojoliet   ignore Rock Ridge / Joliet names and attributes
  idle=DURATION      unmount after DURATION without use (e.g. 10m, 1h)
  verify             check the image checksums in the background, log result
  logfile=FILE       log here instead of syslog once daemonized (opened
                     before mounting: an unwritable FILE is an error)
  auto_unmount       unmount even if the daemon is killed (through
                     fusermount3, which stays to watch it)
  debug              the same as -d

Standard options:
  ro, rw             accepted; the mount is always read-only (mount(8)
                     passes rw whenever ro is not given)
  allow_other        let other users in (non-root: needs user_allow_other
                     in /etc/fuse.conf)
  allow_root         let only root and the mounting user in
  uid=, gid=         owner of every file (number or name); a user's
                     (non-root) mount defaults to that user
  umask=, fmask=, dmask=
                     octal permission bits to clear: all but symlinks /
                     non-directories / directories
  fsname=, subtype=  source and type (fuse.SUBTYPE) shown in /proc/mounts
  noexec             forbid running programs from the mount
  Ignored: defaults, auto, noauto, nofail, user, users, _netdev, dev, suid,
  nodev, nosuid, exec, atime, noatime, relatime, nodiratime,
  default_permissions (always on), comment=, x-* (e.g. x-systemd.automount).

In /etc/fstab:
  /srv/disc.isz  /mnt/disc  fuse.iszmount  ro,allow_other,nofail  0 0

`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, err := parseArgs(args)
	if err != nil {
		// One line, like every other error, pointing at --help.
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		if !strings.Contains(msg, "--help") {
			msg += " (see iszmount --help)"
		}
		fmt.Fprintf(os.Stderr, "iszmount: %s\n", msg)
		return exitCode(err)
	}
	switch {
	case cfg.help:
		fmt.Print(usage + exitTable)
		return exitOK
	case cfg.version:
		fmt.Println("iszmount", version())
		return exitOK
	}
	notify, err := daemonChild()
	if err != nil {
		return fail(err)
	}
	if notify == nil && !cfg.foreground {
		return daemonize(cfg)
	}
	return foreground(cfg, notify)
}

// foreground mounts and serves in this process. notify is the daemon
// child's readiness pipe, or nil when run with -f.
func foreground(cfg *config, notify *os.File) int {
	// A reader of our stderr may go away (the daemon's parent interrupted,
	// "iszmount -d ... | head"): a log write must then fail, not kill the
	// process halfway through mounting, which would leave a dead mount.
	signal.Ignore(syscall.SIGPIPE)
	level := new(slog.LevelVar)
	if cfg.debug {
		level.Set(slog.LevelDebug)
	}
	out := newSwitchHandler(textHandler(os.Stderr, level, false))
	// logfile= is opened before mounting, so that a bad one is refused
	// rather than discovered by a daemon with nowhere to say so.
	var fileLog slog.Handler
	if cfg.logFile != "" {
		h, err := openLogFile(cfg.logFile, level)
		if err != nil {
			return fail(withCode(exitUsage, fmt.Errorf("logfile=%s: %w", cfg.logFile, err)))
		}
		fileLog = h
		if notify == nil {
			out.set(h)
		}
	}
	log := slog.New(out)
	s, err := setup(cfg, log)
	if err != nil {
		return fail(err)
	}
	if notify != nil {
		// Daemon child: from now on log to logfile= or syslog, hand the
		// caller its answer, and let go of its terminal or pipes.
		h := fileLog
		if h == nil {
			if h, err = openSyslog(level); err != nil {
				log.Warn("no syslog socket (/dev/log): the daemon's messages are discarded from now on; -o logfile=FILE keeps them")
				h = slog.DiscardHandler
			}
		}
		out.set(h)
		notify.WriteString(readyMsg)
		notify.Close()
		if err := detachStdio(); err != nil {
			log.Error("cannot detach from the terminal", "err", err)
		}
	} else if err := sdNotify("READY=1"); err != nil {
		log.Warn("cannot notify systemd", "err", err)
	}
	log.Debug("mounted", "image", cfg.image, "mountpoint", s.mp)
	return s.serve()
}

// fail prints err as the one line a failed mount says and returns its exit
// status.
func fail(err error) int {
	fmt.Fprintf(os.Stderr, "iszmount: %v\n", err)
	return exitCode(err)
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
