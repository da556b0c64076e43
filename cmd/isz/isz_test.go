package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/internal/exitcode"
	"time"
)

// fixtureISO returns the path and sha256 of an ISO of the fixture tree.
func fixtureISO(t *testing.T) (string, [32]byte) {
	t.Helper()
	iso := makeISO(t, makeSourceTree(t, fixtureFiles))
	b, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	return iso, sha256.Sum256(b)
}

func fileSum(t *testing.T, name string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestCreateExtractRoundTrip creates ISZ images with each option
// combination and checks that extract gives back the source ISO byte for
// byte, to a file and to stdout, and that verify passes.
func TestCreateExtractRoundTrip(t *testing.T) {
	iso, want := fixtureISO(t)
	dir := t.TempDir()
	passfile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passfile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		opts  []string
		pass  []string // how extract and verify get the password
		env   []string
		files int // files written (split sets)
	}{
		{name: "default", files: 1},
		{name: "zlib-1", opts: []string{"-l", "1"}, files: 1},
		{name: "zlib-9-64K", opts: []string{"-l", "9", "-b", "64K"}, files: 1},
		{name: "bzip2", opts: []string{"-c", "bzip2"}, files: 1},
		{name: "store", opts: []string{"-c", "store"}, files: 1},
		{name: "sector-blocks", opts: []string{"-b", "2048"}, files: 1},
		{name: "zero-chunks", opts: []string{"--zero-chunks", "-b", "32K"}, files: 1},
		{name: "split", opts: []string{"--split", "400K"}, files: 0},
		{name: "aes128", opts: []string{"--aes", "128", "--passfile", passfile}, pass: []string{"--passfile", passfile}, files: 1},
		{name: "aes192-env", opts: []string{"--aes", "192"}, env: []string{"ISZ_PASSWORD=s3cret"}, files: 1},
		{name: "aes256-implied", opts: []string{"--password", "s3cret"}, pass: []string{"--password", "s3cret"}, files: 1},
		{name: "everything", opts: []string{"-c", "bzip2", "-b", "64K", "--zero-chunks", "--split", "256K", "--aes", "256", "--passfile", passfile},
			pass: []string{"--passfile", passfile}, files: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "img.isz")
			// Flags after the positionals too.
			args := append([]string{"create", iso, out}, tt.opts...)
			if r := runISZ(t, "", tt.env, args...); r.code != 0 || r.stderr != "" {
				t.Fatalf("create: exit %d, %q", r.code, r.stderr)
			}
			members, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "img.*"))
			if tt.files > 0 && len(members) != tt.files {
				t.Errorf("create wrote %q, want %d file(s)", members, tt.files)
			}
			if tt.files == 0 && len(members) < 2 {
				t.Errorf("split create wrote only %q", members)
			}

			extracted := filepath.Join(t.TempDir(), "out.iso")
			r := runISZ(t, "", tt.env, append([]string{"extract", out, extracted}, tt.pass...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("extract: exit %d, %q", r.code, r.stderr)
			}
			if got := fileSum(t, extracted); got != want {
				t.Errorf("extracted image differs from the source ISO")
			}
			r = runISZ(t, "", tt.env, append([]string{"extract", out, "-"}, tt.pass...)...)
			if r.code != 0 || sha256.Sum256([]byte(r.stdout)) != want {
				t.Errorf("extract to stdout: exit %d, %d bytes, stderr %q", r.code, len(r.stdout), r.stderr)
			}
			r = runISZ(t, "", tt.env, append([]string{"verify", out}, tt.pass...)...)
			if r.code != 0 || r.stdout != out+": OK\n" {
				t.Errorf("verify: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestNoOverwriteOfInput: neither create nor extract truncates its own
// input (for a split set, any member).
func TestNoOverwriteOfInput(t *testing.T) {
	iso, want := fixtureISO(t)
	wantFail(t, nil, exitcode.Usage, "is the input", "create", iso, iso)
	img := filepath.Join(t.TempDir(), "img.isz")
	mustRun(t, "create", "--split", "400K", iso, img)
	member := strings.TrimSuffix(img, ".isz") + ".i01"
	wantFail(t, nil, exitcode.Usage, "is part of the image", "extract", img, member)
	wantFail(t, nil, exitcode.Usage, "is part of the image", "extract", member, img)
	if fileSum(t, iso) != want {
		t.Error("the source ISO changed")
	}
	mustRun(t, "verify", img)

	// An image named like a file it holds, extracted into its own
	// directory: the image is not replaced.
	dir := t.TempDir()
	self := filepath.Join(dir, "README.txt")
	if err := os.Rename(iso, self); err != nil {
		t.Fatal(err)
	}
	wantFail(t, nil, exitcode.Failure, "README.txt: refusing to replace the image being read", "extract", self, "--files", dir)
	if fileSum(t, self) != want {
		t.Error("extract --files replaced the image it was reading")
	}
}

// TestCreateDeterministic: same input and options, same bytes.
func TestCreateDeterministic(t *testing.T) {
	iso, _ := fixtureISO(t)
	a, b := filepath.Join(t.TempDir(), "a.isz"), filepath.Join(t.TempDir(), "b.isz")
	mustRun(t, "create", "-c", "bzip2", iso, a)
	mustRun(t, "create", "-c", "bzip2", iso, b)
	if fileSum(t, a) != fileSum(t, b) {
		t.Error("two creates of the same ISO differ")
	}
}

func TestInfo(t *testing.T) {
	iso, _ := fixtureISO(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.isz")
	mustRun(t, "create", iso, plain)
	out := mustRun(t, "info", plain)
	for _, want := range []string{
		"Image:", plain,
		"Format:", "ISZ version 1, 64-byte header",
		"Chunks:", "of 128.0 KiB (131072 bytes)",
		"zlib:", "Stored data:", "ratio",
		"Encryption:", "none",
		"Checksums:", "image 0x",
		"Segments:", "1 file",
		"File system:", "ISO 9660 with Rock Ridge 1.09, Joliet level 3",
		"Volume ID:", "ISZ_FIXTURE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}

	split := filepath.Join(dir, "split.isz")
	mustRun(t, "create", "--split", "400K", "-c", "bzip2", "--zero-chunks", "--aes", "128", "--password", "pw", iso, split)
	out = mustRun(t, "info", split) // no password: header only
	for _, want := range []string{"bzip2:", "Encryption:", "AES-128", "files, split at 409600 bytes", "split.i01", "give a password"} {
		if !strings.Contains(out, want) {
			t.Errorf("info of a split encrypted image lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, "info", split, "--password", "pw")
	if !strings.Contains(out, "ISZ_FIXTURE") {
		t.Errorf("info with the password lacks the volume:\n%s", out)
	}

	// An ISZ of something that is not a disc: info describes the ISZ and
	// says so, successfully; ls has nothing to list.
	raw := filepath.Join(dir, "raw.bin")
	if err := os.WriteFile(raw, randomContent()[:64<<10], 0o644); err != nil {
		t.Fatal(err)
	}
	rawISZ := filepath.Join(dir, "raw.isz")
	mustRun(t, "create", raw, rawISZ)
	if out := mustRun(t, "info", rawISZ); !strings.Contains(out, "File system:") || !strings.Contains(out, "not ISO 9660") {
		t.Errorf("info of an ISZ holding no ISO 9660:\n%s", out)
	}
	wantFail(t, nil, exitcode.BadImage, "no ISO 9660 or UDF file system", "ls", rawISZ)

	// A bootable disc: the El Torito catalog is described.
	bootSrc := makeSourceTree(t, []srcFile{{path: "boot.img", mode: 0o644, content: strings.Repeat("\x00", 4096)}})
	boot := makeISO(t, bootSrc, "-b", "boot.img", "-no-emul-boot", "-boot-load-size", "4")
	if out := mustRun(t, "info", boot); !strings.Contains(out, "Boot (El Torito):") ||
		!strings.Contains(out, "x86 BIOS, no emulation, image at block ") || !strings.Contains(out, ", 2048 bytes loaded") {
		t.Errorf("info of a bootable ISO:\n%s", out)
	}

	out = mustRun(t, "info", iso)
	for _, want := range []string{"plain image (no ISZ header)", "ISO 9660 with Rock Ridge 1.09, Joliet level 3", "ISZ_FIXTURE"} {
		if !strings.Contains(out, want) {
			t.Errorf("info of the plain ISO lacks %q:\n%s", want, out)
		}
	}
}

// TestVerifyCorrupt flips one byte in the chunk data: verify and extract
// say so with exit code 4, and extract leaves no partial output. A
// truncated image is a bad image (3).
func TestVerifyCorrupt(t *testing.T) {
	iso, _ := fixtureISO(t)
	good := filepath.Join(t.TempDir(), "good.isz")
	mustRun(t, "create", "-c", "store", iso, good)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, codec := range []string{"store", "zlib", "bzip2"} {
		t.Run(codec, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), codec+".isz")
			mustRun(t, "create", "-c", codec, iso, img)
			data, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(t.TempDir(), "bad.isz")
			flipped := bytes.Clone(data)
			flipped[len(flipped)*2/3] ^= 0x40
			if err := os.WriteFile(bad, flipped, 0o644); err != nil {
				t.Fatal(err)
			}
			wantFail(t, nil, exitcode.Corrupt, "bad.isz", "verify", bad)
			out := filepath.Join(t.TempDir(), "out.iso")
			wantFail(t, nil, exitcode.Corrupt, "", "extract", bad, out)
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("extract left %s behind after failing", out)
			}
		})
	}
	// Both header checksums wrong: one line naming both, no literal "\n".
	both := bytes.Clone(data)
	both[48] ^= 1 // checksum1
	both[60] ^= 1 // checksum2
	bothBad := filepath.Join(t.TempDir(), "both.isz")
	if err := os.WriteFile(bothBad, both, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runISZ(t, "", nil, "verify", bothBad)
	if r.code != exitcode.Corrupt || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, `\n`) ||
		!strings.Contains(r.stderr, "checksum1") || !strings.Contains(r.stderr, "; checksum mismatch: checksum2") {
		t.Errorf("verify with both checksums wrong: exit %d, stderr %q", r.code, r.stderr)
	}
	truncated := filepath.Join(t.TempDir(), "trunc.isz")
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	wantFail(t, nil, exitcode.BadImage, "trunc.isz", "verify", truncated)
}

func TestPasswords(t *testing.T) {
	iso, want := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "enc.isz")
	r := runISZ(t, "right\n", nil, "create", "--aes", "256", "--passfile", "-", iso, img)
	if r.code != 0 {
		t.Fatalf("create with --passfile -: exit %d, %q", r.code, r.stderr)
	}
	out := filepath.Join(dir, "out.iso")
	wantFail(t, nil, exitcode.Password, "password", "extract", img, out)
	wantFail(t, nil, exitcode.Password, "--passfile", "extract", img, out) // the hint says where passwords come from
	wantFail(t, nil, exitcode.Password, "wrong password", "extract", "--password", "wrong", img, out)
	wantFail(t, []string{"ISZ_PASSWORD=wrong"}, exitcode.Password, "wrong password", "verify", img)
	wantFail(t, nil, exitcode.Password, "password", "ls", img)
	wantFail(t, nil, exitcode.Failure, "password file", "extract", "--passfile", filepath.Join(dir, "nope"), img, out)

	// Every source of the right password works; --password beats the rest.
	for _, c := range []struct {
		stdin string
		env   []string
		args  []string
	}{
		{args: []string{"--password", "right"}, env: []string{"ISZ_PASSWORD=wrong"}},
		{stdin: "right\r\n", args: []string{"--passfile", "-"}},
		{env: []string{"ISZ_PASSWORD=right"}},
	} {
		r := runISZ(t, c.stdin, c.env, append([]string{"extract", "--force", img, out}, c.args...)...)
		if r.code != 0 || fileSum(t, out) != want {
			t.Errorf("extract %q env %q: exit %d, %q", c.args, c.env, r.code, r.stderr)
		}
	}
	if got := mustRunEnv(t, []string{"ISZ_PASSWORD=right"}, "cat", img, "README.txt"); got != "hello from the fixture\n" {
		t.Errorf("cat of an encrypted image = %q", got)
	}
}

// TestProgressOnTerminal runs isz under script(1), which gives it a
// pseudo-terminal: the bar is drawn and ends at 100%. (Every other test
// runs without a terminal and requires an empty stderr.)
func TestProgressOnTerminal(t *testing.T) {
	iso, want := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "img.isz")
	out := filepath.Join(dir, "out.iso")
	for _, c := range []struct {
		label string
		args  []string
	}{
		{"create", []string{"create", iso, img}},
		{"verify", []string{"verify", img}},
		{"extract", []string{"extract", img, out}},
	} {
		cmdline := iszBin
		for _, a := range c.args {
			cmdline += " '" + a + "'"
		}
		got, err := exec.Command("script", "-qec", cmdline, "/dev/null").Output()
		if err != nil {
			t.Fatalf("script -c %q: %v\n%s", cmdline, err, got)
		}
		if !strings.Contains(string(got), "\r"+c.label+" ") || !strings.Contains(string(got), c.label+" 100%") {
			t.Errorf("isz %s on a terminal drew no complete progress bar: %q", c.label, got)
		}
	}
	if fileSum(t, out) != want {
		t.Error("extract with a progress bar wrote a different image")
	}
	// A disc image is not sent to a terminal.
	got, err := exec.Command("script", "-qec", iszBin+" extract '"+img+"' -", "/dev/null").Output()
	if err == nil || !strings.Contains(string(got), "refusing to write a disc image to a terminal") || len(got) > 1000 {
		t.Errorf("extract to a terminal: %v, %q", err, got[:min(len(got), 200)])
	}
}

// TestSpecHeaderRawImage builds by hand the oldest shape of ISZ the
// format allows: the 48-byte header of the 2006 specification (no
// checksums) and no chunk table (the image stored raw after it). Every
// command reads it; verify says what it could and could not check.
func TestSpecHeaderRawImage(t *testing.T) {
	iso, want := fixtureISO(t)
	data, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	const block = 128 << 10
	h := make([]byte, 48)
	copy(h, "IsZ!")
	h[4], h[5] = 48, 1                                                       // header_size, ver
	binary.LittleEndian.PutUint32(h[6:], 0x12345678)                         // vsn
	binary.LittleEndian.PutUint16(h[10:], 2048)                              // sect_size
	binary.LittleEndian.PutUint32(h[12:], uint32(len(data)/2048))            // total_sectors
	binary.LittleEndian.PutUint32(h[25:], uint32((len(data)+block-1)/block)) // nblocks
	binary.LittleEndian.PutUint32(h[29:], block)                             // block_size
	h[33] = 3                                                                // ptr_len; ptr_offs = seg_offs = 0
	binary.LittleEndian.PutUint32(h[43:], 48)                                // data_offs
	img := filepath.Join(t.TempDir(), "spec48.isz")
	if err := os.WriteFile(img, append(h, data...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "info", img)
	for _, want := range []string{"48-byte header", "no chunk table", "Checksums:", "none (48-byte header)", "ISZ_FIXTURE"} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "verify", img); !strings.Contains(out, "OK (every chunk decodes; a 48-byte header records no checksums)") {
		t.Errorf("verify = %q", out)
	}
	if r := runISZ(t, "", nil, "extract", img, "-"); r.code != 0 || sha256.Sum256([]byte(r.stdout)) != want {
		t.Errorf("extract: exit %d, stderr %q", r.code, r.stderr)
	}
	if out := mustRun(t, "cat", img, "README.txt"); out != "hello from the fixture\n" {
		t.Errorf("cat = %q", out)
	}
}

// TestInterrupt sends SIGINT to an extraction to standard output that the
// test holds back (it stops reading the pipe): once the pipe is drained,
// isz stops instead of finishing and exits 130.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "zeros.iso")
	if err := os.WriteFile(in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(in, 64<<20); err != nil { // 16 reads of 4 MiB
		t.Fatal(err)
	}
	img := filepath.Join(dir, "zeros.isz")
	mustRun(t, "create", in, img)

	cmd := exec.Command(iszBin, "extract", img, "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(stdout, make([]byte, 1)); err != nil { // extraction has started
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the signal cancel the context before the pipe drains
	n, _ := io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != exitcode.Interrupted || stderr.String() != "isz: extract: interrupted\n" {
		t.Fatalf("extract after SIGINT: %v, stderr %q; want exit 130", err, stderr.String())
	}
	if n+1 >= 64<<20 {
		t.Errorf("the whole image was written (%d bytes) despite the interrupt", n+1)
	}
}

// TestPasswordPrompt: with no password given, both commands ask for it on
// a terminal (script(1) provides one; what it reads from its standard
// input is typed at the prompt) and use the answer.
func TestPasswordPrompt(t *testing.T) {
	iso, _ := fixtureISO(t)
	dir := t.TempDir()
	enc := filepath.Join(dir, "enc.isz")
	mustRun(t, "create", "--password", "right", iso, enc)
	onTerminal := func(typed, cmdline string) (string, int) {
		t.Helper()
		cmd := exec.Command("script", "-qec", cmdline, "/dev/null")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=dumb"}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // the prompt switches echo off first
		io.WriteString(stdin, typed+"\n")
		cmd.Wait()
		stdin.Close()
		return out.String(), cmd.ProcessState.ExitCode()
	}
	out, code := onTerminal("right", iszBin+" ls '"+enc+"'")
	if code != 0 || !strings.Contains(out, "Password for "+enc+": ") || !strings.Contains(out, "README.txt") || strings.Contains(out, "right") {
		t.Errorf("isz ls on a terminal: exit %d, %q", code, out)
	}
	out, code = onTerminal("wrong", iszBin+" ls '"+enc+"'")
	if code != exitcode.Password || !strings.Contains(out, "wrong password") {
		t.Errorf("isz ls with a wrong typed password: exit %d, %q", code, out)
	}
	iszmount := buildIszmount(t)
	out, code = onTerminal("wrong", iszmount+" '"+enc+"' '"+t.TempDir()+"'")
	if code != exitcode.Password || !strings.Contains(out, "Password for "+enc+": ") || !strings.Contains(out, "wrong password") {
		t.Errorf("iszmount on a terminal with a wrong typed password: exit %d, %q", code, out)
	}
	// Off a terminal nobody is asked, and the message says where passwords come from.
	cmd := exec.Command(iszmount, "-f", enc, t.TempDir())
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	msg, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != exitcode.Password || !strings.Contains(string(msg), "passfile=") || !strings.Contains(string(msg), "$ISZ_PASSWORD") {
		t.Errorf("iszmount without a password: %q", msg)
	}
}
