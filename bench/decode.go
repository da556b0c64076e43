package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/dsnet/compress/bzip2"
	"golang.org/x/sys/unix"

	"github.com/iszmount/iszmount/internal/inflate"
	"github.com/iszmount/iszmount/isz"
)

// cpuTimes is one run of a decoder: its wall time and the CPU time it used
// (user and system; for the in-process decoder, its thread's).
type cpuTimes struct{ wall, user, sys time.Duration }

// cpuSeries collects the runs of one decoder.
type cpuSeries struct{ wall, user, sys series }

func (s *cpuSeries) add(t cpuTimes) {
	s.wall = append(s.wall, t.wall)
	s.user = append(s.user, t.user)
	s.sys = append(s.sys, t.sys)
}

// decodeJob is one decoder of measurement 7.
type decodeJob struct {
	name, input string
	cores       string       // "1" or "all"
	argv        []string     // a command, its output to /dev/null
	inproc      func() error // or a decode inside the harness, on a thread pinned to CPU 0
}

// decodeSpeed is measurement 7: decode speed per core. The question is how
// fast internal/inflate with its Adler-32 decodes against libdeflate, the
// fastest DEFLATE decoder there is, on one core and on the same DEFLATE
// streams: the zlib ISZ's chunks, re-wrapped as the members of a gzip file
// that libdeflate-gunzip decodes (checking each member's CRC-32) and that
// the harness decodes with inflate.Zlib (checking each chunk's Adler-32).
// Every run is pinned to CPU 0 (taskset -c 0, or the thread's affinity in
// process), with its input in the page cache; the CPU time it used is
// what the target compares, its wall time is shown beside it. bzip2 is
// compared with lbzip2, on one core and on all.
func (b *bencher) decodeSpeed() error {
	in := b.in
	if b.c.peersOnly {
		logf("   skipped: it compares the ISZ images with the peers")
		return nil
	}
	chunksGz := filepath.Join(b.c.work, "inputs-"+b.c.mode(), "tree-zlib-chunks.gz")
	iszKey, err := os.ReadFile(in.iszZlib + ".key")
	if err != nil {
		return err
	}
	if err := (&artifacts{built: in.built}).make(chunksGz, string(iszKey)+" | chunks as gzip members", func(tmp string) error {
		return chunksAsGzip(in.iszZlib, tmp)
	}); err != nil {
		return err
	}
	chunksBz2 := filepath.Join(b.c.work, "inputs-"+b.c.mode(), "tree-bzip2-chunks.bz2")
	bzKey, err := os.ReadFile(in.iszBzip2 + ".key")
	if err != nil {
		return err
	}
	if err := (&artifacts{built: in.built}).make(chunksBz2, string(bzKey)+" | chunks as bzip2 streams", func(tmp string) error {
		return chunksAsBzip2(in.iszBzip2, tmp)
	}); err != nil {
		return err
	}
	chunks, err := loadChunks(in.iszZlib)
	if err != nil {
		return err
	}
	pin := func(argv ...string) []string { return append([]string{"taskset", "-c", "0"}, argv...) }
	ours := "internal/inflate + Adler-32, in process"
	jobs := []decodeJob{
		{name: "libdeflate-gunzip", input: "ISZ chunks as gzip", cores: "1", argv: pin("libdeflate-gunzip", "-c", chunksGz)},
		{name: ours, input: "ISZ chunks", cores: "1", inproc: func() error { return chunks.decode() }},
		{name: "isz extract", input: "zlib ISZ", cores: "1", argv: pin(b.c.isz, "extract", in.iszZlib, "-")},
		{name: "libdeflate-gunzip", input: "pigz -6 stream", cores: "1", argv: pin("libdeflate-gunzip", "-c", in.gz)},
		{name: "lbzip2 -d", input: "ISZ chunks as bzip2", cores: "1", argv: pin("lbzip2", "-d", "-c", "-n", "1", chunksBz2)},
		{name: "isz extract", input: "bzip2 ISZ", cores: "1", argv: pin(b.c.isz, "extract", in.iszBzip2, "-")},
		{name: "lbzip2 -d", input: "ISZ chunks as bzip2", cores: "all", argv: []string{"lbzip2", "-d", "-c", chunksBz2}},
		{name: "isz extract", input: "bzip2 ISZ", cores: "all", argv: []string{b.c.isz, "extract", in.iszBzip2, "-"}},
	}
	if !b.c.small {
		// The block size's share, left out of the CI run to keep it short.
		jobs = append(jobs, decodeJob{name: "lbzip2 -d", input: "bzip2 -9 stream", cores: "all", argv: []string{"lbzip2", "-d", "-c", in.bz2}})
	}
	key := func(j decodeJob) string { return j.name + " | " + j.input + " | " + j.cores }

	// Every input into the page cache, and the bytes checked once.
	for _, f := range []string{chunksGz, chunksBz2, in.iszZlib, in.gz, in.bz2, in.iszBzip2} {
		if _, err := run(b.ctx, "", "cat", f); err != nil {
			return err
		}
	}
	if err := b.checkStream("libdeflate-gunzip (ISZ chunks as gzip)", "libdeflate-gunzip", "-c", chunksGz); err != nil {
		return err
	}
	if err := b.checkStream("lbzip2 -d (ISZ chunks as bzip2)", "lbzip2", "-d", "-c", chunksBz2); err != nil {
		return err
	}
	if !b.c.small {
		if err := b.checkStream("lbzip2 -d (bzip2 -9 stream)", "lbzip2", "-d", "-c", in.bz2); err != nil {
			return err
		}
	}

	times := map[string]*cpuSeries{}
	for rep := range b.c.reps {
		for _, j := range inTurn(jobs, rep) {
			t, err := b.decodeOnce(j)
			if err != nil {
				return err
			}
			if times[key(j)] == nil {
				times[key(j)] = &cpuSeries{}
			}
			times[key(j)].add(t)
			logf("   %d/%d %-40s %-18s %-3s cpu %s wall %s", rep+1, b.c.reps, j.name, j.input, j.cores, fmtDur(t.user+t.sys), fmtDur(t.wall))
		}
	}

	sec := b.r.section("7. Decode speed per core",
		fmt.Sprintf("Each decoder turns its input into the %s ISO (to /dev/null), its input in the page cache, pinned to CPU 0 (`taskset -c 0`; the in-process decoder pins its thread) unless the cores column says all. "+
			"\"ISZ chunks as gzip\" holds the zlib ISZ's own DEFLATE streams, each wrapped as a gzip member, so libdeflate-gunzip and internal/inflate decode exactly the same streams; libdeflate checks each member's CRC-32, inflate.Zlib each chunk's Adler-32. "+
			"CPU is user + system time; MB/s is of ISO bytes per CPU second.", mib(in.isoSize)))
	sec.table("Decoder", "Input", "Cores", "CPU user, median (min–max)", "CPU system", "Wall", "MB/s per CPU s")
	for _, j := range jobs {
		s := times[key(j)]
		sec.row(j.name, j.input, j.cores, s.user.timeCell(), fmtDur(s.sys.median()), s.wall.timeCell(),
			fmt.Sprintf("%.0f", rate(in.isoSize, s.user.median()+s.sys.median())))
	}
	cpu := func(name, input, cores string) time.Duration {
		s := times[name+" | "+input+" | "+cores]
		return s.user.median() + s.sys.median()
	}
	user := func(name, input string) time.Duration { return times[name+" | "+input+" | 1"].user.median() }
	wall := func(name, input, cores string) time.Duration {
		return times[name+" | "+input+" | "+cores].wall.median()
	}
	got := speedup(user(ours, "ISZ chunks"), user("libdeflate-gunzip", "ISZ chunks as gzip"))
	b.r.target("Decode per core (user CPU time), internal/inflate + Adler-32 vs libdeflate-gunzip, same streams", got, 0.8)
	sec.note(fmt.Sprintf("internal/inflate + Adler-32 against libdeflate-gunzip on the same streams, one core: %.2f× in user CPU time (the target, ≥ 0.80×), %.2f× in CPU time with the system's share, %.2f× in wall time. `isz extract` on one core (the reader, its CRC-32 of the image and the pipe included): %.2f× libdeflate-gunzip in user CPU time.",
		got, speedup(cpu(ours, "ISZ chunks", "1"), cpu("libdeflate-gunzip", "ISZ chunks as gzip", "1")),
		speedup(wall(ours, "ISZ chunks", "1"), wall("libdeflate-gunzip", "ISZ chunks as gzip", "1")),
		speedup(user("isz extract", "zlib ISZ"), user("libdeflate-gunzip", "ISZ chunks as gzip"))))
	sec.note(fmt.Sprintf("bzip2, on the same streams (the bzip2 ISZ's 128 KiB chunks, concatenated for lbzip2): `isz extract` is %.2f× `lbzip2 -d` on one core and %.2f× on all %d in wall time (%.2f× in CPU time on one core). "+
		"`isz extract` decodes with github.com/dsnet/compress (pure Go), one chunk per worker; per core, the gap to lbzip2 (C) on the same blocks is the decoder's.",
		speedup(wall("isz extract", "bzip2 ISZ", "1"), wall("lbzip2 -d", "ISZ chunks as bzip2", "1")),
		speedup(wall("isz extract", "bzip2 ISZ", "all"), wall("lbzip2 -d", "ISZ chunks as bzip2", "all")), runtime.NumCPU(),
		speedup(cpu("isz extract", "bzip2 ISZ", "1"), cpu("lbzip2 -d", "ISZ chunks as bzip2", "1"))))
	if !b.c.small {
		sec.note(fmt.Sprintf("Per CPU second lbzip2 decodes the ISZ's chunks %.2f× as fast as the 900 kB blocks of `bzip2 -9`: the inverse Burrows–Wheeler transform, which dominates bzip2 decoding, follows a chain of random positions through a table of four bytes per block byte, in the cache for a 128 KiB block and not for a 900 kB one.",
			speedup(cpu("lbzip2 -d", "ISZ chunks as bzip2", "all"), cpu("lbzip2 -d", "bzip2 -9 stream", "all"))))
	}
	return b.profileChunks(sec, chunks)
}

// decodeOnce runs one decoder once and returns its times.
func (b *bencher) decodeOnce(j decodeJob) (cpuTimes, error) {
	if j.inproc != nil {
		return pinnedCPU(j.inproc)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return cpuTimes{}, err
	}
	defer devNull.Close()
	cmd := command(b.ctx, j.argv...)
	cmd.Stdout = devNull
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return cpuTimes{}, fmt.Errorf("%s: %w: %s", shellArgv(j.argv), err, lastLines(stderr.String(), 5))
	}
	return cpuTimes{time.Since(start), cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime()}, nil
}

// pinnedCPU runs f on a thread of its own pinned to CPU 0 and returns its
// wall time and that thread's CPU time. The thread ends with the
// goroutine (it stays locked), so its affinity is never reused.
func pinnedCPU(f func() error) (cpuTimes, error) {
	type result struct {
		t   cpuTimes
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread()
		var set unix.CPUSet
		set.Set(0)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			done <- result{err: fmt.Errorf("pinning to CPU 0: %w", err)}
			return
		}
		var r0, r1 unix.Rusage
		unix.Getrusage(unix.RUSAGE_THREAD, &r0)
		start := time.Now()
		err := f()
		wall := time.Since(start)
		unix.Getrusage(unix.RUSAGE_THREAD, &r1)
		done <- result{cpuTimes{wall, tvDiff(r1.Utime, r0.Utime), tvDiff(r1.Stime, r0.Stime)}, err}
	}()
	r := <-done
	return r.t, r.err
}

func tvDiff(a, b unix.Timeval) time.Duration {
	return time.Duration(a.Nano() - b.Nano())
}

// isoChunks are the stored chunks of a zlib ISZ, in memory, to decode in
// the harness.
type isoChunks struct {
	data  [][]byte // stored bytes of each chunk
	types []isz.ChunkType
	sizes []int
}

// loadChunks reads the stored bytes of every chunk of the single-file ISZ
// at path.
func loadChunks(path string) (*isoChunks, error) {
	r, err := isz.Open(path, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	base := int64(r.Header().DataOffs)
	c := &isoChunks{}
	for i := range r.NumChunks() {
		ci := r.Chunk(i)
		off := base + ci.StreamOff
		if off+ci.Stored > int64(len(file)) {
			return nil, fmt.Errorf("%s: chunk %d ends past the end of the file", path, i)
		}
		c.data = append(c.data, file[off:off+ci.Stored])
		c.types = append(c.types, ci.Type)
		c.sizes = append(c.sizes, ci.Size)
	}
	return c, nil
}

// decode decodes every chunk into one chunk-sized buffer, as a single
// isz.Reader worker does: zlib chunks with inflate.Zlib, which checks the
// Adler-32.
func (c *isoChunks) decode() error {
	var buf []byte
	for i, p := range c.data {
		if cap(buf) < c.sizes[i] {
			buf = make([]byte, c.sizes[i])
		}
		dst := buf[:c.sizes[i]]
		switch c.types[i] {
		case isz.ChunkZlib:
			if err := inflate.Zlib(dst, p); err != nil {
				return fmt.Errorf("chunk %d: %w", i, err)
			}
		case isz.ChunkData:
			copy(dst, p)
		case isz.ChunkZero:
			clear(dst)
		default:
			return fmt.Errorf("chunk %d: type %v in a zlib image", i, c.types[i])
		}
	}
	return nil
}

// rewriteChunks writes a new file out from the chunks of the ISZ at path:
// each calls chunk(w, i, stored bytes) in order, with r to read a chunk's
// decoded data.
func rewriteChunks(path, out string, chunk func(w *bufio.Writer, r *isz.Reader, i int, p []byte, typ isz.ChunkType) error) error {
	r, err := isz.Open(path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	c, err := loadChunks(path)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i, p := range c.data {
		if err := chunk(w, r, i, p, c.types[i]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// chunksAsGzip writes the chunks of the zlib ISZ at path as the members of
// one gzip file (RFC 1952): each zlib chunk's DEFLATE stream as it is,
// with the CRC-32 and size of its data; a stored chunk as stored blocks.
func chunksAsGzip(path, out string) error {
	header := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff} // no name, no mtime, OS unknown
	var data []byte
	return rewriteChunks(path, out, func(w *bufio.Writer, r *isz.Reader, i int, p []byte, typ isz.ChunkType) error {
		ci := r.Chunk(i)
		if cap(data) < ci.Size {
			data = make([]byte, ci.Size)
		}
		data = data[:ci.Size]
		w.Write(header)
		if typ == isz.ChunkZlib {
			// The DEFLATE stream between the zlib header and the Adler-32.
			n, used, err := inflate.Decode(data, p[2:])
			if err == nil && n != len(data) {
				err = fmt.Errorf("decodes to %d bytes, want %d", n, len(data))
			}
			if err != nil {
				return fmt.Errorf("chunk %d: %w", i, err)
			}
			w.Write(p[2 : 2+used])
		} else {
			if _, err := r.ReadAt(data, ci.ImageOffset); err != nil && err != io.EOF {
				return err
			}
			writeStored(w, data)
		}
		var trailer [8]byte
		binary.LittleEndian.PutUint32(trailer[:], crc32.ChecksumIEEE(data))
		binary.LittleEndian.PutUint32(trailer[4:], uint32(len(data)))
		_, err := w.Write(trailer[:])
		return err
	})
}

// writeStored writes p as DEFLATE stored blocks, the last one final.
func writeStored(w io.Writer, p []byte) {
	for {
		n := min(len(p), 0xffff)
		final := byte(0)
		if n == len(p) {
			final = 1
		}
		w.Write([]byte{final, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
		w.Write(p[:n])
		p = p[n:]
		if final == 1 {
			return
		}
	}
}

// profileChunks decodes the chunks once more, pinned, under the CPU
// profiler, and puts the top of the profile in the report: where the
// single-core decode spends its time.
func (b *bencher) profileChunks(sec *section, c *isoChunks) error {
	prof := filepath.Join(b.c.work, "decode-per-core.pprof")
	f, err := os.Create(prof)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	_, err = pinnedCPU(c.decode)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		return err
	}
	top, err := run(b.ctx, "", "go", "tool", "pprof", "-top", "-nodecount=8", prof)
	if err != nil {
		return err
	}
	sec.note(fmt.Sprintf("CPU profile of the in-process decode on one core (`go tool pprof -top %s`):\n\n```\n%s\n```",
		prof, strings.TrimSpace(pprofBody(string(top)))))
	return nil
}

// chunksAsBzip2 writes the chunks of the bzip2 ISZ at path as one file of
// concatenated bzip2 streams, which bzip2 and lbzip2 decode as one: each
// bzip2 chunk as stored (with its "BZh" magic, which UltraISO overwrites),
// any other chunk compressed anew.
func chunksAsBzip2(path, out string) error {
	return rewriteChunks(path, out, func(w *bufio.Writer, r *isz.Reader, i int, p []byte, typ isz.ChunkType) error {
		if typ == isz.ChunkBzip2 && len(p) >= 3 {
			w.WriteString("BZh")
			_, err := w.Write(p[3:])
			return err
		}
		ci := r.Chunk(i)
		data := make([]byte, ci.Size)
		if _, err := r.ReadAt(data, ci.ImageOffset); err != nil && err != io.EOF {
			return err
		}
		bw, err := bzip2.NewWriter(w, nil)
		if err == nil {
			_, err = bw.Write(data)
		}
		if err == nil {
			err = bw.Close()
		}
		return err
	})
}
