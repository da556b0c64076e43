package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iszmount/iszmount/internal/mountinfo"
)

func u32(v uint32) *uint32 { return &v }

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want config // opts is not compared
		err  string // substring of the error; "" = success
	}{
		{name: "plain", args: []string{"a.isz", "/mnt"},
			want: config{image: "a.isz", mountPoint: "/mnt"}},
		{name: "mount.fuse3 style, -o last, as root",
			args: []string{"/srv/a.isz", "/mnt/a", "-o", "ro,allow_other,dev,suid"},
			want: config{image: "/srv/a.isz", mountPoint: "/mnt/a", allowOther: true}},
		{name: "-o first and repeated, later wins",
			args: []string{"-o", "mode=raw", "-o", "cache=64M,idle=90s", "a", "b", "-omode=tree"},
			want: config{image: "a", mountPoint: "b", mode: "tree", cacheSize: 64 << 20, idle: 90 * time.Second}},
		{name: "flags anywhere", args: []string{"a", "-f", "b", "-d"},
			want: config{image: "a", mountPoint: "b", foreground: true, debug: true}},
		{name: "debug implies foreground", args: []string{"-d", "a", "b"},
			want: config{image: "a", mountPoint: "b", foreground: true, debug: true}},
		{name: "-- ends flags", args: []string{"--", "-a", "-b"},
			want: config{image: "-a", mountPoint: "-b"}},
		{name: "ours", args: []string{"a", "b", "-o", "norock,nojoliet,verify,password=x\\,y,passfile=/p,logfile=/l"},
			want: config{image: "a", mountPoint: "b", noRock: true, noJoliet: true, verify: true,
				password: "x,y", passfile: "/p", logFile: "/l"}},
		{name: "owners and masks", args: []string{"a", "b", "-o", "uid=1000,gid=root,umask=022,fmask=0111,dmask=7"},
			want: config{image: "a", mountPoint: "b", uid: u32(1000), gid: u32(0), umask: 0o22, fmask: 0o111, dmask: 0o7}},
		{name: "names and exec", args: []string{"a", "b", "-o", "fsname=disc,subtype=iso,noexec,allow_root"},
			want: config{image: "a", mountPoint: "b", fsName: "disc", subtype: "iso", noExec: true, allowRoot: true}},
		{name: "fstab noise ignored",
			args: []string{"a", "b", "-o", "defaults,nofail,noauto,user,users,_netdev,nodev,nosuid,exec,noatime,relatime,atime,auto,x-systemd.automount,x-systemd.idle-timeout=60,comment=x,default_permissions"},
			want: config{image: "a", mountPoint: "b"}},
		{name: "empty items skipped", args: []string{"a", "b", "-o", ",ro,,"},
			want: config{image: "a", mountPoint: "b"}},
		{name: "libfuse habits: -s, -o debug, -o auto_unmount", args: []string{"-s", "a", "b", "-o", "debug,auto_unmount"},
			want: config{image: "a", mountPoint: "b", singleThread: true, debug: true, foreground: true, autoUnmount: true}},
		{name: "help needs no positionals", args: []string{"--help"}, want: config{help: true}},
		{name: "-h", args: []string{"-h"}, want: config{help: true}},
		{name: "version", args: []string{"-V"}, want: config{version: true}},

		{name: "unknown option named", args: []string{"a", "b", "-o", "ro,frobnicate=3"}, err: `unknown option "frobnicate=3"`},
		{name: "rw from mount(8) accepted", args: []string{"a", "b", "-o", "rw"},
			want: config{image: "a", mountPoint: "b"}},
		{name: "mistyped option suggested", args: []string{"a", "b", "-o", "ro,norok"}, err: `unknown option "norok": did you mean "norock"?`},
		{name: "mistyped value option suggested", args: []string{"a", "b", "-o", "chache=1G"}, err: `did you mean "cache"?`},
		{name: "cache beyond RAM", args: []string{"a", "b", "-o", "cache=999T"}, err: "more than this machine's memory"},
		{name: "bad mode", args: []string{"a", "b", "-o", "mode=iso"}, err: "mode=raw or mode=tree"},
		{name: "bad cache", args: []string{"a", "b", "-o", "cache=lots"}, err: "cache=lots"},
		{name: "bad idle", args: []string{"a", "b", "-o", "idle=-3s"}, err: "positive duration"},
		{name: "idle needs unit", args: []string{"a", "b", "-o", "idle=10"}, err: "idle=10"},
		{name: "bad umask", args: []string{"a", "b", "-o", "umask=99"}, err: "octal"},
		{name: "umask too big", args: []string{"a", "b", "-o", "umask=17777"}, err: "octal"},
		{name: "unknown user", args: []string{"a", "b", "-o", "uid=no-such-user-here"}, err: "no such user"},
		{name: "value on a flag option", args: []string{"a", "b", "-o", "verify=yes"}, err: "takes no value"},
		{name: "missing value", args: []string{"a", "b", "-o", "passfile"}, err: "needs a value"},
		{name: "-o without list", args: []string{"a", "b", "-o"}, err: "needs an option list"},
		{name: "unknown flag", args: []string{"-x", "a", "b"}, err: "unknown flag -x"},
		{name: "no args", args: nil, err: "missing IMAGE and MOUNTPOINT"},
		{name: "one arg", args: []string{"a"}, err: "missing MOUNTPOINT"},
		{name: "three args", args: []string{"a", "b", "c"}, err: `unexpected argument "c"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseArgs(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, errUsage) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tc.err)
				}
				if exitCode(err) != exitUsage {
					t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.opts = nil
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestChildArgs(t *testing.T) {
	c, err := parseArgs([]string{"-o", "password=se\\,cret,mode=raw", "rel.isz", "mnt", "-o", "passfile=/p,fsname=a\\,b"})
	if err != nil {
		t.Fatal(err)
	}
	got := c.childArgs("/abs/rel.isz", "/abs/mnt")
	want := []string{"-f", "-o", `mode=raw,fsname=a\,b`, "--", "/abs/rel.isz", "/abs/mnt"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("childArgs = %q, want %q", got, want)
	}
	// The child parses its arguments back to the same settings.
	c2, err := parseArgs(got)
	if err != nil {
		t.Fatal(err)
	}
	if c2.mode != "raw" || c2.fsName != "a,b" || c2.password != "" || c2.passfile != "" || !c2.foreground {
		t.Errorf("child config %+v", c2)
	}
}

func TestRawName(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/disc.isz":      "disc.iso",
		"Disc.ISZ":           "Disc.iso",
		"disc.part01.isz":    "disc.iso",
		"disc.part001.isz":   "disc.iso",
		"disc.i01":           "disc.iso",
		"plain.iso":          "plain.iso",
		"no-extension":       "no-extension.iso",
		"my.backup.2020.isz": "my.backup.2020.iso",
		".isz":               "image.iso",
	} {
		if got := rawName(in); got != want {
			t.Errorf("rawName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIszmountAt(t *testing.T) {
	const text = `22 27 0:21 / /proc rw,relatime - proc proc rw
90 27 0:50 / /mnt/my\040disc rw - autofs systemd-1 rw,fd=1
91 90 0:51 / /mnt/my\040disc ro,nosuid,nodev - fuse.iszmount /srv/a\040b.isz ro,user_id=0
92 27 0:52 / /mnt/other ro - fuse.sshfs host:/ ro
93 27 0:53 / /mnt/auto rw - autofs systemd-1 rw
`
	mounts, err := mountinfo.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mp, src string
		ok      bool
	}{
		{"/mnt/my disc", "/srv/a b.isz", true},
		{"/mnt/other", "host:/", false},
		{"/mnt/auto", "systemd-1", false},
		{"/mnt/none", "", false},
	} {
		m, ok := iszmountAt(mounts, tc.mp)
		if ok != tc.ok || (ok && m.Source != tc.src) {
			t.Errorf("iszmountAt(%q) = %q, %v; want %q, %v", tc.mp, m.Source, ok, tc.src, tc.ok)
		}
	}
}

func TestUserAllowOther(t *testing.T) {
	dir := t.TempDir()
	for text, want := range map[string]bool{
		"":                                       false,
		"#user_allow_other\n":                    false,
		"mount_max = 1000\n user_allow_other \n": true,
		"user_allow_other # yes\n":               true,
		"user_allow_others\n":                    false,
	} {
		p := dir + "/fuse.conf"
		if err := writeFile(p, text); err != nil {
			t.Fatal(err)
		}
		if got := userAllowOther(p); got != want {
			t.Errorf("userAllowOther(%q) = %v, want %v", text, got, want)
		}
	}
	if userAllowOther(dir + "/missing") {
		t.Error("a missing fuse.conf allows user_allow_other")
	}
}

// TestOptionNames keeps knownOptions (the "did you mean" candidates) in
// step with setOption: every name is accepted, with a value where it needs one.
func TestOptionNames(t *testing.T) {
	values := map[string]string{
		"mode": "raw", "cache": "1M", "password": "x", "passfile": "/p", "idle": "1m",
		"logfile": "/l", "uid": "0", "gid": "0", "umask": "22", "fmask": "22",
		"dmask": "22", "fsname": "x", "subtype": "x", "fs": "udf",
	}
	for _, name := range optionNames() {
		o := name
		if v, ok := values[name]; ok {
			o += "=" + v
		}
		if err := (&config{}).setOption(o); err != nil {
			t.Errorf("option %q from optionNames: %v", o, err)
		}
	}
}
