package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/isz"
)

// A seqJob produces the ISO's bytes from one tool: a FUSE or kernel mount
// read with cat, or a decompressor writing to stdout.
type seqJob struct {
	name   string
	codec  string // "zlib" (gzip family), "bzip2" or "none"
	fs     *fsys  // nil: a command run in the work directory
	file   string // in the mount: the file to cat ("" = the raw node)
	argv   []string
	inproc func() error // instead of a command: a read inside the harness
	verify bool         // check every byte (streams are hashed; mounts always get a range check)
}

// sequential is measurement 1: a cold sequential read of the whole image.
func (b *bencher) sequential() error {
	in := b.in
	var jobs []seqJob
	if !b.c.peersOnly {
		rawZ := b.iszmountFS("iszmount raw (zlib)", in.iszZlib, "mode=raw")
		rawB := b.iszmountFS("iszmount raw (bzip2)", in.iszBzip2, "mode=raw")
		jobs = append(jobs,
			seqJob{name: rawZ.name, codec: "zlib", fs: &rawZ},
			seqJob{name: "isz extract (zlib)", codec: "zlib", argv: []string{b.c.isz, "extract", in.iszZlib, "-"}, verify: true},
			seqJob{name: rawB.name, codec: "bzip2", fs: &rawB},
			seqJob{name: "isz extract (bzip2)", codec: "bzip2", argv: []string{b.c.isz, "extract", in.iszBzip2, "-"}, verify: b.c.small},
		)
		// The same reads without FUSE or a second process: isz.Reader in the
		// harness, all cores and one. They show what the FUSE path costs and
		// whether decoding scales past one core.
		for _, img := range []struct{ codec, path string }{{"zlib", in.iszZlib}, {"bzip2", in.iszBzip2}} {
			for _, w := range []int{0, 1} {
				jobs = append(jobs, seqJob{name: inprocName(img.codec, w), codec: img.codec,
					inproc: func() error { return decodeInProcess(img.path, w, nil) }})
			}
		}
	}
	sqll := b.squashfuseLL("squashfuse_ll (ISO in squashfs)", in.isoSqfs)
	ksq := b.kernelSquashfs("kernel squashfs (ISO in squashfs)", in.isoSqfs)
	jobs = append(jobs,
		seqJob{name: sqll.name, codec: "zlib", fs: &sqll, file: filepath.Base(in.iso)},
		seqJob{name: ksq.name, codec: "zlib", fs: &ksq, file: filepath.Base(in.iso)},
		seqJob{name: "pigz -dc", codec: "zlib", argv: []string{"pigz", "-dc", in.gz}, verify: true},
		seqJob{name: "gzip -dc", codec: "zlib", argv: []string{"gzip", "-dc", in.gz}, verify: b.c.small},
		seqJob{name: "bzip2 -dc", codec: "bzip2", argv: []string{"bzip2", "-dc", in.bz2}, verify: b.c.small},
		seqJob{name: "cat of the plain ISO (disk)", codec: "none", argv: []string{"cat", in.iso}},
	)

	times, cpu := map[string]series{}, map[string]series{}
	for rep := range b.c.reps {
		for _, j := range inTurn(jobs, rep) {
			d, c, err := b.seqOnce(j)
			if err != nil {
				return err
			}
			times[j.name] = append(times[j.name], d)
			cpu[j.name] = append(cpu[j.name], c)
			logf("   %d/%d %-36s %s  %.0f MB/s, CPU %s", rep+1, b.c.reps, j.name, fmtDur(d), rate(in.isoSize, d), fmtDur(c))
		}
	}
	for _, j := range jobs {
		if err := b.seqVerify(j); err != nil {
			return err
		}
	}

	sec := b.r.section("1. Cold sequential read of the whole image",
		fmt.Sprintf("Every run reads the %s ISO once, from a fresh mount with the page cache dropped (`cat FILE > /dev/null` for mounts, `TOOL > /dev/null` for streams). MB/s is of ISO bytes.", mib(in.isoSize)))
	sec.table("Tool", "Codec", "Time, median (min–max)", "MB/s", "CPU time, median")
	for _, j := range jobs {
		s := times[j.name]
		sec.row(j.name, j.codec, s.timeCell(), fmt.Sprintf("%.0f", rate(in.isoSize, s.median())), fmtDur(cpu[j.name].median()))
	}
	med := func(name string) time.Duration { return times[name].median() }
	if !b.c.peersOnly {
		b.r.target("Cold sequential raw read (zlib) vs squashfuse_ll", speedup(med("iszmount raw (zlib)"), med(sqll.name)), 1.5)
		b.r.target("Cold sequential raw read (zlib) vs `isz extract`", speedup(med("iszmount raw (zlib)"), med("isz extract (zlib)")), 0.9)
		b.r.target("Cold sequential raw read (bzip2) vs `isz extract`", speedup(med("iszmount raw (bzip2)"), med("isz extract (bzip2)")), 0.9)
		b.r.target("Cold sequential raw read (bzip2) vs `bzip2 -dc`", speedup(med("iszmount raw (bzip2)"), med("bzip2 -dc")), 1.7)
		for _, codec := range []string{"zlib", "bzip2"} {
			all, one := med(inprocName(codec, 0)), med(inprocName(codec, 1))
			sec.note(fmt.Sprintf("%s: decoding on all %d cores is %.2f× one worker (in process); the raw node runs at %.2f× the in-process read, so the FUSE path costs %.0f%%.",
				codec, runtime.NumCPU(), speedup(all, one), speedup(med("iszmount raw ("+codec+")"), all),
				100*(1-speedup(med("iszmount raw ("+codec+")"), all))))
			inCPU, rawCPU := cpu[inprocName(codec, 0)].median(), cpu["iszmount raw ("+codec+")"].median()
			sec.note(fmt.Sprintf("%s CPU time: the in-process read %s, the raw node %s (the server and cat, both in user and kernel mode: the server's copy of every reply into the page cache, cat's page cache and its copy out). While decoding keeps every core busy, the raw node can run at most at %.2f× the in-process read.",
				codec, fmtDur(inCPU), fmtDur(rawCPU), speedup(rawCPU, inCPU)))
		}
		if err := b.profileDecode(sec); err != nil {
			return err
		}
		sec.note(fmt.Sprintf("iszmount raw (zlib) vs pigz -dc: %.2f×, vs gzip -dc: %.2f×, vs kernel squashfs: %.2f×.",
			speedup(med("iszmount raw (zlib)"), med("pigz -dc")), speedup(med("iszmount raw (zlib)"), med("gzip -dc")),
			speedup(med("iszmount raw (zlib)"), med(ksq.name))))
	}
	return nil
}

// seqOnce is one cold run of a job: its wall time and its CPU time (user
// and system: of the harness for a read in process, of the command and its
// children, and of the FUSE server for a mount).
func (b *bencher) seqOnce(j seqJob) (wall, cpu time.Duration, err error) {
	if j.inproc != nil {
		if err := dropCaches(); err != nil {
			return 0, 0, err
		}
		c0, start := rusageCPU(unix.RUSAGE_SELF), time.Now()
		err := j.inproc()
		return time.Since(start), rusageCPU(unix.RUSAGE_SELF) - c0, err
	}
	if j.fs == nil {
		if err := dropCaches(); err != nil {
			return 0, 0, err
		}
		c0 := rusageCPU(unix.RUSAGE_CHILDREN)
		d, _, err := b.timeShell(b.c.work, shellArgv(j.argv)+" > /dev/null")
		return d, rusageCPU(unix.RUSAGE_CHILDREN) - c0, err
	}
	err = b.with(*j.fs, func(m *mount) error {
		file, err := b.seqFile(j, m)
		if err != nil {
			return err
		}
		if err := dropCaches(); err != nil {
			return err
		}
		c0, s0 := rusageCPU(unix.RUSAGE_CHILDREN), procCPU(m.pid)
		wall, _, err = b.timeShell(m.dir, "cat "+q(file)+" > /dev/null")
		cpu = rusageCPU(unix.RUSAGE_CHILDREN) - c0 + procCPU(m.pid) - s0
		return err
	})
	return wall, cpu, err
}

// rusageCPU is the user and system CPU time of getrusage(who): the harness
// (RUSAGE_SELF), or its children that have exited (RUSAGE_CHILDREN).
func rusageCPU(who int) time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the user and system CPU time of the running process pid so
// far, from /proc/PID/stat (in clock ticks of 10 ms); 0 for pid 0 (a
// kernel mount: its work is in the reader's system time).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The name in parentheses may hold spaces: fields count after it.
	_, rest, _ := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func (b *bencher) seqFile(j seqJob, m *mount) (string, error) {
	if j.file != "" {
		return filepath.Join(m.dir, j.file), nil
	}
	return onlyFile(m.dir)
}

// seqVerify checks that the job produces the ISO's bytes: mounts by 64
// ranges (and whole in small mode), streams by hash when j.verify.
func (b *bencher) seqVerify(j seqJob) error {
	if j.inproc != nil {
		return nil // the same Reader as `isz extract`, which is checked
	}
	if j.fs == nil {
		if !j.verify {
			return nil
		}
		return b.checkStream(j.name, j.argv...)
	}
	return b.with(*j.fs, func(m *mount) error {
		file, err := b.seqFile(j, m)
		if err != nil {
			return err
		}
		if err := b.checkRanges(j.name, file, 64); err != nil {
			return err
		}
		if b.c.small {
			return b.checkFile(j.name, file)
		}
		return nil
	})
}

func inprocName(codec string, workers int) string {
	if workers == 1 {
		return "isz.Reader in process, 1 worker (" + codec + ")"
	}
	return "isz.Reader in process, all cores (" + codec + ")"
}

// decodeInProcess reads a whole ISZ image with isz.Reader the way the
// kernel reads the raw node: 128 KiB requests, front to back.
func decodeInProcess(path string, workers int, h hash.Hash) error {
	r, err := isz.Open(path, &isz.Options{Workers: workers})
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 128<<10)
	for off := int64(0); off < r.Size(); off += int64(len(buf)) {
		n, err := r.ReadAt(buf, off)
		if err != nil && !(err == io.EOF && off+int64(n) == r.Size()) {
			return fmt.Errorf("%s at %d: %w", path, off, err)
		}
		if h != nil {
			h.Write(buf[:n])
		}
	}
	return nil
}

// profileDecode runs the in-process read of each image once more under the
// CPU profiler and puts the top of the profile in the report: where a cold
// sequential read spends its CPU.
func (b *bencher) profileDecode(sec *section) error {
	for _, img := range []struct{ codec, path string }{{"zlib", b.in.iszZlib}, {"bzip2", b.in.iszBzip2}} {
		prof := filepath.Join(b.c.work, "decode-"+img.codec+".pprof")
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		if err := dropCaches(); err != nil {
			return err
		}
		h := sha256.New()
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		err = decodeInProcess(img.path, 0, h)
		pprof.StopCPUProfile()
		f.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != b.in.isoSHA {
			return fmt.Errorf("isz.Reader (%s): WRONG BYTES: sha256 %s, the ISO's is %s", img.codec, got, b.in.isoSHA)
		}
		top, err := run(b.ctx, "", "go", "tool", "pprof", "-top", "-nodecount=8", prof)
		if err != nil {
			return err
		}
		sec.note(fmt.Sprintf("CPU profile of the in-process read, %s, all cores (`go tool pprof -top %s`):\n\n```\n%s\n```",
			img.codec, prof, strings.TrimSpace(pprofBody(string(top)))))
	}
	return nil
}

// pprofBody drops pprof's header lines (file, build ID, type, time) and
// keeps the summary and the table.
func pprofBody(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Duration:") || strings.HasPrefix(l, "Showing") {
			return strings.Join(lines[i:], "\n")
		}
	}
	return s
}

func shellArgv(argv []string) string {
	s := ""
	for i, a := range argv {
		if i > 0 {
			s += " "
		}
		s += q(a)
	}
	return s
}
