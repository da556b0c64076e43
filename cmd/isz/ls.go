package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/disc"
)

var lsCmd = &command{
	name: "ls",
	flags: func(fs *pflag.FlagSet) func(context.Context, []string) error {
		var tf treeFlags
		tf.register(fs)
		long := fs.BoolP("long", "l", false, "")
		recursive := fs.BoolP("recursive", "R", false, "")
		return func(ctx context.Context, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("want IMAGE and an optional PATH, got %d arguments", len(args))
			}
			p := ""
			if len(args) == 2 {
				p = args[1]
			}
			return list(ctx, os.Stdout, args[0], p, &tf, *long, *recursive)
		}
	},
}

func list(ctx context.Context, stdout io.Writer, name, p string, tf *treeFlags, long, recursive bool) error {
	t, err := openTree(name, tf, 0)
	if err != nil {
		return err
	}
	defer t.Close()
	e, err := t.find(p, false)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	if !e.IsDir() {
		writeEntry(w, e, strings.TrimSuffix(p, "/"), long)
		return w.Flush()
	}
	if err := listDir(ctx, w, e, long, recursive); err != nil {
		w.Flush()
		return err
	}
	return w.Flush()
}

// listDir writes the children of dir, or with recursive its whole subtree
// as paths relative to dir.
func listDir(ctx context.Context, w *bufio.Writer, dir disc.Entry, long, recursive bool) error {
	if recursive {
		skip := &skipped{cmd: "ls"}
		err := walk(ctx, dir, "", skip, func(e disc.Entry, rel string) error {
			writeEntry(w, e, rel, long)
			return nil
		})
		if err != nil {
			return err
		}
		return skip.err()
	}
	children, err := dir.ReadDir()
	if err != nil {
		return err
	}
	for _, c := range children {
		writeEntry(w, c, c.Name(), long)
	}
	return nil
}

func writeEntry(w *bufio.Writer, e disc.Entry, name string, long bool) {
	if !long {
		w.WriteString(displayName(name))
		w.WriteByte('\n')
		return
	}
	size := strconv.FormatInt(e.Size(), 10)
	if e.Mode()&fs.ModeDevice != 0 { // devices show "major, minor" like ls -l
		size = fmt.Sprintf("%d, %d", unix.Major(e.Rdev()), unix.Minor(e.Rdev()))
	}
	fmt.Fprintf(w, "%s %3d %5d %5d %12s %s %s", modeString(e.Mode()), e.Nlink(), e.UID(), e.GID(),
		size, e.ModTime().Local().Format(time.DateTime), displayName(name))
	if e.Mode()&fs.ModeSymlink != 0 {
		fmt.Fprintf(w, " -> %s", displayName(e.Target()))
	}
	w.WriteByte('\n')
}

// displayName quotes names with control characters so one entry is one line.
func displayName(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// modeString formats a mode the way ls -l does ("drwxr-xr-x", "lrwxrwxrwx",
// "-rwsr-xr-x"); Go's FileMode.String uses other letters.
func modeString(m fs.FileMode) string {
	var b [10]byte
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(set bool, i int, lower, upper byte) {
		if set {
			if b[i] == 'x' {
				b[i] = lower
			} else {
				b[i] = upper
			}
		}
	}
	special(m&fs.ModeSetuid != 0, 3, 's', 'S')
	special(m&fs.ModeSetgid != 0, 6, 's', 'S')
	special(m&fs.ModeSticky != 0, 9, 't', 'T')
	return string(b[:])
}
