package manual

// Iszmount is iszmount(1) and the text of "iszmount --help".
var Iszmount = &Page{
	Name:    "iszmount",
	Summary: "mount an ISZ (UltraISO compressed ISO) or ISO 9660 image with FUSE",
	Synopsis: []string{
		"[-f] [-d] [-o OPTIONS] IMAGE MOUNTPOINT [-o OPTIONS]",
		"[--open] [-o OPTIONS] IMAGE",
		"-u MOUNTPOINT|IMAGE",
	},
	Description: []Block{
		{Text: "Mounts an ISZ image (UltraISO's compressed CD/DVD image format), or a plain ISO 9660 image, read-only at MOUNTPOINT. IMAGE is an ISZ file (for a split set any member: disc.isz, disc.i01, disc.part01.isz) or a plain .iso. By default the image's ISO 9660 directory tree is shown (tree mode: Rock Ridge names, modes, owners, times, symlinks and hard links, else Joliet or plain ISO 9660 names); mode=raw shows one file, NAME.iso, holding the whole decompressed image (for mount -o loop or other ISO tools). Images without an ISO 9660 tree (UDF-only, or no file system at all) are mounted in raw mode with a notice. Chunks are decompressed on demand, in parallel, into one bounded cache."},
		{Text: "Without -f, iszmount returns once the kernel has accepted the mount (exit status 0) or with an error message and one of the exit codes below; the file system is then served by a background process, which logs to syslog (the journal) or to logfile=. Unmount with umount MOUNTPOINT, fusermount3 -u MOUNTPOINT or iszmount -u. SIGINT, SIGTERM and SIGHUP unmount too; a busy mount is detached at once (umount -l) and the process exits when the last open file is closed."},
		{Text: "Given only IMAGE, or with --open, iszmount mounts the image as the calling user on a new directory named after its volume label, where file managers show it as a drive: /media/LABEL for root, ~/Discs/LABEL for other users. It prints the directory, unmounts it after 10 idle minutes unless idle= says otherwise, and removes the directory when it is unmounted. With --open it then opens the directory in the file manager (xdg-open). This is what the desktop entry \"Mount ISZ image\" runs."},
	},
	Flags: []Flag{
		{Short: "f", Long: "foreground", Text: "stay in the foreground and log to standard error; tell systemd READY=1 on $NOTIFY_SOCKET once mounted (Type=notify units)"},
		{Short: "d", Long: "debug", Text: "foreground, with a debug log and every FUSE request"},
		{Short: "o", Long: "options", Arg: "OPTIONS", Text: "comma-separated mount options (see MOUNT OPTIONS), repeatable, before or after the other arguments"},
		{Long: "open", Text: "mount IMAGE on a new directory named after its label and open it in the file manager"},
		{Short: "u", Long: "unmount", Text: "unmount MOUNTPOINT, or the mount of IMAGE, and remove the directory if iszmount made it"},
		{Short: "h", Long: "help", Text: "print this help"},
		{Short: "V", Long: "version", Text: "print the version"},
	},
	Options: []Option{
		{Name: "mode", Arg: "tree|raw", Values: []string{"tree", "raw"}, Text: "what to show: the ISO 9660 tree, or one file with the decompressed image (default: tree when there is one)"},
		{Name: "cache", Arg: "SIZE", Text: "memory budget, e.g. 256M, 1G (binary units): decompressed chunks plus the directory tree the kernel has looked up; peak RSS stays near SIZE + 64M (default: 1/32 of RAM, between 16M and 256M)"},
		{Name: "passfile", Arg: "FILE", Text: "password of an encrypted image: the first line of FILE (\"-\": standard input)"},
		{Name: "password", Arg: "PW", Text: "the password itself (visible in ps(1): prefer passfile= or $ISZ_PASSWORD)"},
		{Name: "norock", Text: "ignore Rock Ridge names and attributes, like the kernel's isofs"},
		{Name: "nojoliet", Text: "ignore Joliet names"},
		{Name: "idle", Arg: "DURATION", Text: "unmount after DURATION without use (90s, 10m, 1h); not while a file is open"},
		{Name: "verify", Text: "check the image checksums in the background and log the result"},
		{Name: "logfile", Arg: "FILE", Text: "log to FILE instead of syslog once in the background"},
		{Name: "allow_other", Text: "let other users in; a non-root user needs user_allow_other in /etc/fuse.conf"},
		{Name: "allow_root", Text: "let in only root and the user who mounted"},
		{Name: "uid", Arg: "USER", Text: "owner of every file, as a number or a name"},
		{Name: "gid", Arg: "GROUP", Text: "group of every file, as a number or a name"},
		{Name: "umask", Arg: "MASK", Text: "octal permission bits to clear on everything but symlinks"},
		{Name: "fmask", Arg: "MASK", Text: "octal permission bits to clear on non-directories"},
		{Name: "dmask", Arg: "MASK", Text: "octal permission bits to clear on directories"},
		{Name: "fsname", Arg: "NAME", Text: "source shown in /proc/mounts (default: the image path)"},
		{Name: "subtype", Arg: "TYPE", Text: "type shown in /proc/mounts as fuse.TYPE (default: iszmount)"},
		{Name: "noexec", Text: "forbid running programs from the mount"},
		{Name: "ro", Text: "accepted: the mount is read-only either way"},
		{Name: "rw", Text: "accepted (mount(8) passes rw whenever ro is not given); the mount is read-only all the same"},
	},
	Ignored: []string{
		"defaults", "auto", "noauto", "nofail", "user", "users", "_netdev", "dev", "suid",
		"nodev", "nosuid", "exec", "atime", "noatime", "relatime", "nodiratime",
		"default_permissions", "comment=", "x-*",
	},
	Sections: []Section{
		{Title: "ENVIRONMENT", Help: true, Body: []Block{{Items: []Item{
			{Term: "ISZ_PASSWORD", Text: "the password of an encrypted image, when neither password= nor passfile= is given"},
		}}}},
		{Title: "FSTAB", Help: true, Body: []Block{
			{Text: "mount(8) runs mount.fuse3 (Debian package fuse3) for the type fuse.iszmount, which runs iszmount IMAGE MOUNTPOINT -o OPTIONS. mount(8) clears PATH, so iszmount must be in a standard directory such as /usr/bin or /usr/local/bin:"},
			{Code: "mount -t fuse.iszmount /srv/disc.isz /mnt/disc -o ro,allow_other"},
			{Text: "The same as a line of /etc/fstab (then mount /mnt/disc, or at boot):"},
			{Code: "/srv/disc.isz  /mnt/disc  fuse.iszmount  ro,allow_other,nofail  0 0"},
			{Text: "The option drop_privileges of mount.fuse3 works too: mount.fuse3 mounts, then runs iszmount without privileges on the open /dev/fuse descriptor."},
		}},
		{Title: "SYSTEMD", Body: []Block{
			{Text: "systemd turns an fstab line of type fuse.iszmount into a mount unit (mnt-disc.mount for /mnt/disc): systemctl start mnt-disc.mount mounts, with the iszmount process in the unit's cgroup, and systemctl stop mnt-disc.mount unmounts. With x-systemd.automount the image is mounted on first access and, with x-systemd.idle-timeout, unmounted after the idle time; iszmount never examines the mount point before mounting, so nothing waits on itself:"},
			{Code: "/srv/disc.isz  /mnt/disc  fuse.iszmount  ro,allow_other,nofail,x-systemd.automount,x-systemd.idle-timeout=10min  0 0"},
			{Text: "A service that keeps an image mounted uses -f and Type=notify: systemd considers it started only once the image is mounted, logs its messages in the journal (journalctl -u disc-mount), and stopping it sends SIGTERM, which unmounts:"},
			{Code: "[Unit]\nDescription=Mount /srv/disc.isz on /mnt/disc\nAfter=local-fs.target\n\n[Service]\nType=notify\nExecStart=/usr/bin/iszmount -f /srv/disc.isz /mnt/disc -o allow_other,passfile=/etc/disc.pass\n\n[Install]\nWantedBy=multi-user.target"},
		}},
		{Title: "EXAMPLES", Body: []Block{
			{Code: "iszmount disc.isz /mnt/disc\nls -l /mnt/disc\numount /mnt/disc\n\niszmount -o mode=raw disc.isz /mnt/raw\nsha256sum /mnt/raw/disc.iso\n\niszmount --open ~/Downloads/disc.isz\niszmount -u ~/Downloads/disc.isz"},
		}},
	},
	Exits:   exits(),
	SeeAlso: []string{"isz(1)", "mount(8)", "fstab(5)", "mount.fuse3(8)", "fusermount3(1)", "systemd.mount(5)"},
}
