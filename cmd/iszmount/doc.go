// Command iszmount mounts an ISZ (UltraISO compressed ISO) image, or a plain
// ISO 9660 image, read-only with FUSE.
//
//	iszmount [-f] [-d] [-o OPTIONS] IMAGE MOUNTPOINT [-o OPTIONS]
//	iszmount [--open] [-o OPTIONS] IMAGE
//	iszmount -u MOUNTPOINT|IMAGE
//
// By default the image's ISO 9660 tree is shown (tree mode, Rock Ridge over
// Joliet names); with -o mode=raw the mount point holds one file, NAME.iso,
// with the whole decompressed image. Images without an ISO 9660 tree
// (UDF-only, or no file system) are mounted in raw mode with a notice. The
// full option list and the exit codes are in the --help output and the man
// page, both rendered from internal/manual. The second and third forms are
// the desktop's (open.go): mount on a directory named after the volume
// label where file managers list drives, and unmount it again.
//
// # How it runs
//
// Without -f the command re-executes itself in the background (a new
// session, working directory /) and waits: it exits 0 only once the kernel
// has accepted the mount, or with the child's exit status after the child's
// error message. The child reports on a pipe, then points its standard
// descriptors at /dev/null, so that callers that read its output (a shell's
// $(...), mount(8)) are not held up, and logs to syslog, or to logfile=.
// With -f it stays in the foreground, logs to standard error, and sends
// READY=1 to $NOTIFY_SOCKET once mounted (systemd Type=notify).
//
// As root it mounts with mount(2) itself; other users go through
// fusermount3. The mount point is never examined before mounting (it may be
// an autofs trigger of a systemd automount); the only check beforehand reads
// /proc/self/mountinfo to refuse mounting twice on the same point. A mount
// point of the form /dev/fd/N (mount.fuse3 -o drop_privileges) is used as
// the already mounted /dev/fuse descriptor it is.
//
// # Stopping
//
// umount MOUNTPOINT (or fusermount3 -u) ends the daemon. SIGINT, SIGTERM and
// SIGHUP unmount; when the mount is busy, it is detached lazily (umount -l)
// and the daemon exits once the last open file is closed. With idle=DURATION
// it unmounts itself after DURATION without any request, unless a file or
// directory is open or a process has its working directory inside.
//
// # Logging
//
// log/slog, quiet by default: a notice when falling back to raw mode, one
// line per damaged chunk (chunk index and image offset), the verify result,
// idle and busy unmounts. -d adds debug output and every FUSE request.
package main
