package mountinfo

import (
	"errors"
	"reflect"
	"testing"
)

const sample = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
91 22 0:51 / /mnt/my\040disc ro,nosuid,nodev,relatime shared:40 master:2 - fuse.iszmount /srv/a\040b\134c.isz ro,user_id=0,group_id=0,default_permissions,allow_other
92 22 0:52 / /mnt/my\040disc ro,relatime - fuse.iszmount iszmount ro,user_id=0,group_id=0,allow_other

`

func TestParse(t *testing.T) {
	ms, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d mounts, want 3", len(ms))
	}
	want := Mount{
		ID: 91, Parent: 22, Major: 0, Minor: 51, Root: "/", Point: "/mnt/my disc",
		Options:      []string{"ro", "nosuid", "nodev", "relatime"},
		Optional:     []string{"shared:40", "master:2"},
		FSType:       "fuse.iszmount",
		Source:       `/srv/a b\c.isz`,
		SuperOptions: []string{"ro", "user_id=0", "group_id=0", "default_permissions", "allow_other"},
	}
	if !reflect.DeepEqual(ms[1], want) {
		t.Errorf("got  %+v\nwant %+v", ms[1], want)
	}
	if !ms[1].Has("nosuid") || !ms[1].Has("default_permissions") || ms[2].Has("nodev") || ms[1].Has("nosu") {
		t.Error("Has answers wrongly")
	}
	if ms[1].Dev() != "0:51" {
		t.Errorf("Dev %q", ms[1].Dev())
	}
	top, ok := At(ms, "/mnt/my disc")
	if !ok || top.ID != 92 {
		t.Errorf("At: %+v %v, want the topmost (92)", top, ok)
	}
	if _, ok := At(ms, "/mnt"); ok {
		t.Error("At found a mount at /mnt")
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		"1 2 3",
		"x 1 0:1 / / rw - ext4 src rw",
		"1 x 0:1 / / rw - ext4 src rw",
		"1 1 01 / / rw - ext4 src rw",
		"1 1 0:1 / / rw - ext4",
		"1 1 0:1 / / rw ext4 src rw",
	} {
		if _, err := Parse(line); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q): %v, want ErrFormat", line, err)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`/plain`:                 "/plain",
		`/a\040b\011c\012d\134e`: "/a b\tc\nd\\e",
		`/\303\251t\303\251`:     "/été", // any byte, not only the four the kernel escapes today
		`/\0`:                    `/\0`,
		`/\08`:                   `/\08`,
		`/\400`:                  `/\400`, // not a byte
		`\`:                      `\`,
		`\\040`:                  `\ `,
	} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse: arbitrary text never panics; a parsed mount's point is found
// by At, and Unescape never grows a string.
func FuzzParse(f *testing.F) {
	f.Add(sample, "/mnt/my disc")
	f.Add("1 2 3:4 / /x\\ - a b\n", "/x\\")
	f.Add("1 2 3:4 / /x rw - a b c\n1 2 3:4 / /x rw - a b\n", "/x")
	f.Fuzz(func(t *testing.T, text, mp string) {
		if len(Unescape(text)) > len(text) {
			t.Fatalf("Unescape grew %q", text)
		}
		ms, err := Parse(text)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v is not ErrFormat", err)
			}
			return
		}
		for _, m := range ms {
			if _, ok := At(ms, m.Point); !ok {
				t.Fatalf("At cannot find %q", m.Point)
			}
		}
		At(ms, mp)
	})
}
