package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strings"

	"github.com/iszmount/iszmount/iso9660view"
)

// treeFlags are the name-extension switches of the commands that read the
// ISO 9660 tree (ls, cat, extract --files), like the kernel's isofs options.
type treeFlags struct {
	pw               passwordFlags
	noRock, noJoliet bool
}

func (t *treeFlags) register(fs *flag.FlagSet) {
	t.pw.register(fs)
	fs.BoolVar(&t.noRock, "norock", false, "ignore Rock Ridge (POSIX names, modes, symlinks)")
	fs.BoolVar(&t.noJoliet, "nojoliet", false, "ignore Joliet (Windows long names)")
}

// tree is an opened image with its ISO 9660 file system.
type tree struct {
	*image
	fs *iso9660view.Image
}

// openTree opens name (ISZ or plain ISO) and its ISO 9660 file system.
func openTree(name string, t *treeFlags) (*tree, error) {
	im, err := openImage(name, &t.pw, 0)
	if err != nil {
		return nil, err
	}
	v, err := iso9660view.Open(im.r, im.size, &iso9660view.Options{NoRock: t.noRock, NoJoliet: t.noJoliet})
	if err != nil {
		im.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &tree{image: im, fs: v}, nil
}

// maxSymlinkHops bounds symlink resolution, like the kernel's ELOOP limit.
const maxSymlinkHops = 40

// resolve finds p in the tree. Symlinks in the middle of p are followed
// (absolute targets start at the image root, ".." never climbs above it);
// a symlink as the last component is followed only when followLast is set.
// It returns the entry and its real slash-separated path from the root ("" is
// the root). A missing path unwraps to errNotInImage.
func (t *tree) resolve(p string, followLast bool) (*iso9660view.Entry, string, error) {
	type step struct {
		e    *iso9660view.Entry
		name string
	}
	stack := []step{{t.fs.Root(), ""}}
	parts := splitPath(p)
	hops := 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		if name == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		cur := stack[len(stack)-1].e
		if !cur.IsDir() {
			return nil, "", fmt.Errorf("%s: not a directory: %w", p, errNotInImage)
		}
		e, err := cur.Lookup(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("%s: %w", p, errNotInImage)
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", p, err)
		}
		if e.Mode()&fs.ModeSymlink != 0 && (len(parts) > 0 || followLast) {
			if hops++; hops > maxSymlinkHops {
				return nil, "", fmt.Errorf("%s: too many levels of symbolic links: %w", p, errNotInImage)
			}
			target := e.Target()
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			parts = append(splitPath(target), parts...)
			continue
		}
		stack = append(stack, step{e, name})
	}
	names := make([]string, 0, len(stack)-1)
	for _, s := range stack[1:] {
		names = append(names, s.name)
	}
	return stack[len(stack)-1].e, strings.Join(names, "/"), nil
}

// splitPath splits a slash-separated path into its components, dropping
// empty ones and ".".
func splitPath(p string) []string {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			parts = append(parts, s)
		}
	}
	return parts
}

// joinRel joins a relative directory path and a name ("" is the top).
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
