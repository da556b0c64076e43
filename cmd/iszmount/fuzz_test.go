package main

import (
	"reflect"
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
