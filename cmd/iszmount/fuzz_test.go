package main

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseArgs feeds arbitrary -o lists and positionals to the parser: it
// must never panic, every error must be a usage error, and a parsed command
// line must survive the trip through childArgs (the daemon child's command
// line) with the same settings, the password aside.
func FuzzParseArgs(f *testing.F) {
	for _, seed := range []string{
		"ro,allow_other,dev,suid",
		"mode=raw,cache=64M,idle=90s",
		`password=a\,b,passfile=/p,fsname=x\\y`,
		"uid=0,gid=0,umask=022,fmask=111,dmask=7",
		"x-systemd.automount,comment=c,nofail,,",
		"bogus",
		`\`,
	} {
		f.Add(seed, "img.isz", "/mnt")
	}
	f.Fuzz(func(t *testing.T, opts, image, mp string) {
		c, err := parseArgs([]string{image, mp, "-o", opts})
		if err != nil {
			if exitCode(err) != exitUsage {
				t.Fatalf("error %v has exit code %d, want %d", err, exitCode(err), exitUsage)
			}
			return
		}
		if c.help || c.version {
			return
		}
		c2, err := parseArgs(c.childArgs(c.image, c.mountPoint))
		if err != nil {
			t.Fatalf("child cannot parse %q: %v", c.childArgs(c.image, c.mountPoint), err)
		}
		c.password, c.passfile, c.opts = "", "", nil
		c2.opts = nil
		c.foreground = true
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("child settings differ:\n%+v\n%+v", c, c2)
		}
	})
}

// FuzzParseMountinfo: arbitrary mountinfo text never panics, and a found
// mount point is one of the text's lines.
func FuzzParseMountinfo(f *testing.F) {
	f.Add("91 90 0:51 / /mnt/my\\040disc ro - fuse.iszmount /srv/a\\040b.isz ro\n", "/mnt/my disc")
	f.Add("1 2 3 4 /x\\ - a b\n", "/x\\")
	f.Fuzz(func(t *testing.T, text, mp string) {
		src, ok := parseMountinfo(text, mp)
		if ok && !strings.Contains(text, "fuse.iszmount") {
			t.Fatalf("found %q at %q in text without fuse.iszmount", src, mp)
		}
	})
}
