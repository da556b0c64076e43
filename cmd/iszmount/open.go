package main

// The desktop side of iszmount. "iszmount --open IMAGE" (the desktop
// entry's command) and "iszmount IMAGE" mount an image as the calling user
// on a new directory named after its volume label, in a place where file
// managers list it as a drive; "iszmount -u" undoes it.
//
// Where: GIO (Nautilus, Thunar, Caja, ...) shows a FUSE mount as a drive
// only below /media, /run/media/$USER or the user's home, and never one
// with a dot-directory in its path (gunixmounts.c,
// g_unix_mount_guess_should_display). root can make /media/LABEL; a user
// cannot write /media, and /run/media/$USER is udisks' (root-owned), so a
// user's images go to ~/Discs/LABEL. docs/design.md has the evidence.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ifs "github.com/iszmount/iszmount/fs"
	"github.com/iszmount/iszmount/internal/mountinfo"
)

// madeDirEnv tells the daemon the mount point it should remove once
// unmounted: the directory runOpen made for it.
const madeDirEnv = "_ISZMOUNT_MADE_DIR"

// openIdle is the idle= of an --open mount unless -o idle= says otherwise.
const openIdle = "idle=10m"

// openRequest is a command line of the forms handled here.
type openRequest struct {
	image   string  // --open IMAGE, or IMAGE alone
	open    bool    // --open: show the mount in the file manager
	unmount string  // -u TARGET
	cfg     *config // the mount's configuration from the -o lists
}

// parseOpen recognises "--open IMAGE", a lone "IMAGE" and "-u TARGET",
// each with any -o lists. ok is false for every other command line, which
// parseArgs then reads.
func parseOpen(args []string) (req *openRequest, ok bool, err error) {
	req = &openRequest{}
	var pos, opts []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--open":
			req.open = true
		case (a == "-u" || a == "--unmount") && i+1 < len(args):
			i++
			req.unmount = args[i]
		case (a == "-o" || a == "--options") && i+1 < len(args):
			i++
			opts = append(opts, "-o", args[i])
		case strings.HasPrefix(a, "--options="):
			opts = append(opts, "-o", strings.TrimPrefix(a, "--options="))
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			opts = append(opts, "-o", a[2:])
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			return nil, false, nil // a flag of the mount command line
		default:
			pos = append(pos, a)
		}
	}
	switch {
	case req.unmount != "":
		if len(pos) > 0 || req.open || len(opts) > 0 {
			return nil, true, usageErr("-u takes one MOUNTPOINT or IMAGE and nothing else")
		}
		return req, true, nil
	case len(pos) == 1:
		req.image = pos[0]
	case req.open:
		return nil, true, usageErr("--open takes one IMAGE")
	default:
		return nil, false, nil
	}
	// The options are those of a mount; the mount point comes later.
	if req.cfg, err = parseArgs(append(opts, "--", req.image, "-")); err != nil {
		return nil, true, err
	}
	if req.cfg.idle == 0 {
		if err := req.cfg.addOptions(openIdle); err != nil {
			return nil, true, err
		}
	}
	return req, true, nil
}

// runOpen carries out an openRequest and returns the exit status.
func runOpen(req *openRequest) int {
	if req.unmount != "" {
		if err := unmountTarget(req.unmount); err != nil {
			return fail(err)
		}
		return exitOK
	}
	cfg := req.cfg
	base, err := openBase()
	if err != nil {
		return fail(err)
	}
	dir, err := makeMountDir(base, imageLabel(cfg))
	if err != nil {
		return fail(err)
	}
	cfg.mountPoint = dir
	os.Setenv(madeDirEnv, dir)
	if code := daemonize(cfg); code != exitOK {
		os.Remove(dir)
		return code
	}
	fmt.Println(dir)
	if req.open {
		showInFileManager(dir)
	}
	return exitOK
}

// openBase is the directory the mounts of --open go in: /media for root,
// ~/Discs for other users (see the top of this file).
func openBase() (string, error) {
	if os.Geteuid() == 0 {
		return "/media", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", withCode(exitMountPoint, err)
	}
	return filepath.Join(home, "Discs"), nil
}

// imageLabel names the mount directory: the image's volume label, else its
// file name without the extension.
func imageLabel(cfg *config) string {
	fallback := strings.TrimSuffix(rawName(cfg.image), ".iso")
	img, err := openImage(cfg.image, cfg.password, 1, cfg)
	if err != nil {
		return fallback
	}
	defer img.Close()
	tree, err := openDisc(img, cfg)
	if err != nil {
		return fallback
	}
	if l := dirName(tree.Label()); l != "" {
		return l
	}
	return fallback
}

// dirName makes a label usable as one directory name that GIO does not
// hide: no slash, no leading dot, no surrounding space.
func dirName(label string) string {
	label = strings.ReplaceAll(label, "/", "_")
	return strings.TrimLeft(strings.TrimSpace(label), ".")
}

// makeMountDir creates base/name, or base/name-2, -3, ... when that exists.
func makeMountDir(base, name string) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", withCode(exitMountPoint, err)
	}
	for i := 1; i < 1000; i++ {
		dir := filepath.Join(base, name)
		if i > 1 {
			dir += "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", withCode(exitMountPoint, err)
		}
	}
	return "", withCode(exitMountPoint, fmt.Errorf("no free directory name for %s in %s", name, base))
}

// removeMadeDir removes the mount point after the daemon's last request if
// runOpen made it.
func removeMadeDir(mp string) {
	if d := os.Getenv(madeDirEnv); d != "" && d == mp {
		os.Remove(d)
	}
}

// showInFileManager opens dir with the user's file manager; a desktop
// without one leaves the mount in place and says so.
func showInFileManager(dir string) {
	for _, cmd := range [][]string{{"xdg-open", dir}, {"gio", "open", dir}} {
		if _, err := exec.LookPath(cmd[0]); err != nil {
			continue
		}
		out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput()
		if err == nil {
			return
		}
		fmt.Fprintf(os.Stderr, "iszmount: %s: %v: %s\n", strings.Join(cmd, " "), err, strings.TrimSpace(string(out)))
		return
	}
	fmt.Fprintln(os.Stderr, "iszmount: no xdg-open or gio to open", dir)
}

// unmountTarget unmounts target, an iszmount mount point or an image that
// --open mounted, and removes the directory if --open made it.
func unmountTarget(target string) error {
	abs, err := filepath.Abs(target)
	if err != nil {
		return err
	}
	base, err := openBase()
	if err != nil {
		return err
	}
	mounts, err := mountinfo.Read()
	if err != nil {
		return err
	}
	var mps []string
	if _, ok := iszmountAt(mounts, abs); ok {
		mps = append(mps, abs)
	} else if ents, err := os.ReadDir(base); err == nil {
		for _, e := range ents {
			mp := filepath.Join(base, e.Name())
			if m, ok := iszmountAt(mounts, mp); ok && m.Source == abs {
				mps = append(mps, mp)
			}
		}
	}
	if len(mps) == 0 {
		return withCode(exitMountPoint, fmt.Errorf("%s is not an iszmount mount point, nor an image mounted in %s", target, base))
	}
	for _, mp := range mps {
		if err := ifs.Unmount(mp, true); err != nil {
			return withCode(exitMountPoint, fmt.Errorf("cannot unmount %s: %w", mp, err))
		}
		if filepath.Dir(mp) == base {
			removeAfterDaemon(mp)
		}
	}
	return nil
}

// removeAfterDaemon waits for the daemon of the mount just undone at mp
// to remove its directory (removeMadeDir), and removes it if the daemon
// does not within daemonExitWait (it was killed, or made no directory).
// Removing it at once raced with the daemon: the next mount of the same
// label made the directory again, and the old daemon's removal took it
// away before the new one could mount on it.
func removeAfterDaemon(mp string) {
	for deadline := time.Now().Add(daemonExitWait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Lstat(mp); errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
	os.Remove(mp)
}

// daemonExitWait is how long iszmount -u waits for a daemon to remove its
// directory after the unmount: it does so within milliseconds.
const daemonExitWait = 2 * time.Second
