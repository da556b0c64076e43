// Command bench measures iszmount against the tools people would otherwise
// use for the same job, on the same data, in the same run, and writes a
// Markdown report of ratios.
//
// # Usage
//
// As root, from the repository root:
//
//	go run ./bench            # full run: a ~1 GiB source tree and a million-entry one, ~50 minutes
//	go run ./bench -only 10    # the million entries alone, ~25 minutes
//	go run ./bench -small     # ~100 MiB tree, few repetitions, ~3.5 minutes (CI; no million entries)
//	go run ./bench -out report.md -work /var/tmp/iszbench
//
// It installs missing peers with apt-get, builds iszmount and isz from the
// module, builds its inputs under the work directory (reused by the next run
// while their recipe is unchanged), mounts and measures, and unmounts
// everything it mounted on every exit path, Ctrl-C included.
//
// # What is compared
//
// The inputs are one source tree copied from the machine (the Go toolchain,
// /usr/share, /usr/lib), an ISO of it (xorriso, Rock Ridge + Joliet), ISZ
// images of that ISO (zlib and bzip2, 128 KiB chunks), a gzip squashfs of
// the tree and one holding the ISO as a single file, gzip and bzip2
// streams of the ISO, and an ISZ of a UDF bridge disc of the tree
// (genisoimage), whose UDF and ISO 9660 views are measured against each
// other. In full mode, a tree of a million entries generated from a seed
// (small files, deep directories), a zlib ISZ of its ISO and a gzip
// squashfs of it measure mounting, listing and memory at that scale.
// iszmount is measured against `isz extract`,
// `pigz -dc`, `gzip -dc`, `bzip2 -dc`, squashfuse_ll, squashfuse, the
// kernel's squashfs on a loop device, fuseiso and tmpfs, and its decoders,
// one core against one, against libdeflate-gunzip and lbzip2. See bench/README.md
// for the measurements and targets.
//
// # Honesty rules
//
// The machine is shared and noisy, so every figure that matters is a ratio
// against a peer measured in the same run, repetitions are interleaved
// (A B A B, not A A B B), medians are reported with their spread, cold runs
// remount the file system and drop the page cache first, and every tool's
// bytes are checked against the source before its time counts.
//
// # Exit status
//
// Non-zero only when the harness could not do its job: a tool missing, a
// mount failing, wrong bytes read. A missed performance target is reported
// in the report, not in the exit status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/isz"
)

// config is everything a run depends on.
type config struct {
	small     bool
	out       string
	work      string
	reps      int    // repetitions of each cold measurement
	warmReps  int    // repetitions of each warm measurement
	srcBytes  int64  // source tree budget
	bigFactor int    // the big image holds this many copies of the tree
	cache     int64  // iszmount's cache budget
	cacheOpt  string // "" or ",cache=SIZE" for iszmount's -o
	randReads int    // random reads per reader
	peersOnly bool
	prepare   bool          // build the inputs and stop
	budget    time.Duration // skip measurements that would start after this much time (0: none)
	only      string        // comma-separated measurement numbers to run ("": all)
	goroot    string
	modDir    string
	iszmount  string
	isz       string
	argv      []string
}

func (c *config) mode() string {
	if c.small {
		return "small"
	}
	return "full"
}

// selected reports whether measurement n runs: every one does unless -only
// names some.
func (c *config) selected(n string) bool {
	return c.only == "" || slices.Contains(strings.Split(c.only, ","), n)
}

// number is the measurement number a title starts with: "10" of "10. A
// million entries".
func number(title string) string {
	n, _, _ := strings.Cut(title, ".")
	return n
}

func main() {
	c := &config{argv: os.Args}
	var cache string
	flag.BoolVar(&c.small, "small", false, "small mode: ~100 MiB tree, 2 cold repetitions and 1 warm, about 4 minutes (run by CI)")
	flag.StringVar(&c.out, "out", "", "also write the report to this file (default bench/out/report-MODE.md)")
	flag.StringVar(&c.work, "work", filepath.Join(os.TempDir(), "iszmount-bench"), "work directory: inputs (reused across runs), binaries, mount points")
	var reps int
	flag.IntVar(&reps, "reps", 0, "repetitions of each measurement, cold and warm (default 3; -small: 2 cold, 1 warm)")
	flag.StringVar(&cache, "cache", "", "iszmount cache budget, passed as -o cache= (default: none passed, iszmount's own default)")
	flag.StringVar(&c.iszmount, "iszmount", "", "use this iszmount binary instead of building ./cmd/iszmount")
	flag.StringVar(&c.isz, "isz", "", "use this isz binary instead of building ./cmd/isz")
	flag.BoolVar(&c.prepare, "inputs-only", false, "build the inputs (and binaries) and stop: a later run reuses them")
	flag.DurationVar(&c.budget, "budget", 0, "time budget: a measurement that would start after this long (from the start) is skipped and reported as such")
	flag.StringVar(&c.only, "only", "", "run only these measurements, by number: -only 5,6")
	flag.BoolVar(&c.peersOnly, "peers-only", false, "measure the peers only (no iszmount or isz rows): to check the machine")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [-small] [-out FILE] [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	c.cache, c.cacheOpt = isz.DefaultCacheSize(), ""
	if cache != "" {
		var err error
		if c.cache, err = cliutil.ParseSize(cache); err != nil {
			fmt.Fprintln(os.Stderr, "bench: -cache:", err)
			os.Exit(2)
		}
		c.cacheOpt = ",cache=" + cache
	}
	// Full: 3 repetitions. Small: 2 cold and 1 warm (after its untimed
	// warm-up run), to stay under four minutes on the shared CI machine:
	// the warm runs of measurement 2 (squashfuse above all) were its
	// longest part.
	c.srcBytes, c.bigFactor, c.randReads = 1<<30, 4, 2000
	c.reps, c.warmReps = 3, 3
	if c.small {
		c.srcBytes, c.randReads = 100<<20, 300
		c.reps, c.warmReps = 2, 1
	}
	if reps > 0 {
		c.reps, c.warmReps = reps, reps
	}
	os.Exit(runMain(c))
}

// runMain runs the benchmark and returns the exit status. Every mount it
// makes is undone before it returns, whatever happened.
func runMain(c *config) (status int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ms := newMounts()
	defer func() {
		p := recover()
		if err := ms.cleanup(); err != nil {
			logf("cleanup: %v", err)
			status = 1
		}
		if p != nil {
			logf("panic: %v", p)
			status = 2
		}
		if ctx.Err() != nil {
			logf("interrupted; every mount was removed")
			status = 130
		}
	}()

	r := &report{started: time.Now()}
	err := bench(ctx, c, ms, r)
	if err != nil {
		r.failure = err.Error()
		logf("FAILED: %v", err)
	}
	if c.out == "" && c.modDir != "" {
		c.out = filepath.Join(c.modDir, "bench", "out", "report-"+c.mode()+".md")
	}
	md := r.markdown(c)
	fmt.Print(md)
	if c.out != "" {
		if werr := os.MkdirAll(filepath.Dir(c.out), 0o755); werr == nil {
			werr = os.WriteFile(c.out, []byte(md), 0o644)
			if werr != nil {
				logf("writing %s: %v", c.out, werr)
				err = errors.Join(err, werr)
			} else {
				logf("report written to %s", c.out)
			}
		}
	}
	if err != nil {
		return 1
	}
	return 0
}

func bench(ctx context.Context, c *config, ms *mounts, r *report) error {
	if os.Geteuid() != 0 {
		return errors.New("run as root: the harness mounts file systems, uses loop devices and drops the page cache")
	}
	if err := installPeers(ctx); err != nil {
		return err
	}
	if err := os.MkdirAll(c.work, 0o755); err != nil {
		return err
	}
	work, err := filepath.Abs(c.work)
	if err != nil {
		return err
	}
	c.work = work
	if stale, err := sweepStale(c.work); len(stale) > 0 || err != nil {
		logf("removed mounts left by an earlier run: %v (%v)", stale, err)
		if err != nil {
			return err
		}
	}
	if err := findModule(c); err != nil {
		return err
	}
	if err := buildBinaries(ctx, c); err != nil {
		return err
	}
	r.machine = describeMachine(ctx, c)

	in, err := buildInputs(ctx, c)
	if err != nil {
		return err
	}
	r.inputs = in
	logf("inputs ready: tree %d files, %s; ISO %s", in.tree.Files, mib(in.tree.Bytes), mib(in.isoSize))
	if c.prepare {
		return nil
	}

	b := &bencher{c: c, ms: ms, in: in, r: r, ctx: ctx, mnt: filepath.Join(c.work, "mnt")}
	// The longest measurements run last, the first to go when a -budget
	// runs out: the file-manager pattern, then the million entries (full
	// mode only). The report keeps the numbered order.
	for _, s := range []struct {
		name string
		fn   func() error
	}{
		{"1. cold sequential read", b.sequential},
		{"2. tree operations", b.treeOps},
		{"4. random reads", b.randomReads},
		{"5. warm re-read", b.warmReread},
		{"6. mount time and memory", b.mountAndMemory},
		{"7. decode speed per core", b.decodeSpeed},
		{"8. UDF view", b.udfViewOps},
		{"9. extracting the tree", b.extractTree},
		{"3. file-manager pattern", b.fileManager},
		{"10. a million entries", b.million},
	} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !c.selected(number(s.name)) {
			continue
		}
		if c.budget > 0 && time.Since(r.started) > c.budget {
			logf("== %s: skipped, the %s budget is spent", s.name, c.budget)
			r.skipped = append(r.skipped, s.name)
			continue
		}
		logf("== %s", s.name)
		start := time.Now()
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		logf("   done in %s", fmtDur(time.Since(start)))
	}
	return nil
}

// installPeers installs the peers that are missing, with apt-get.
func installPeers(ctx context.Context) error {
	pkgs := map[string]string{
		"xorriso": "xorriso", "mksquashfs": "squashfs-tools", "squashfuse_ll": "squashfuse",
		"squashfuse": "squashfuse", "fuseiso": "fuseiso", "pigz": "pigz", "bzip2": "bzip2",
		"gzip": "gzip", "fusermount3": "fuse3", "losetup": "mount",
		"libdeflate-gunzip": "libdeflate-tools", "lbzip2": "lbzip2", "taskset": "util-linux",
		"genisoimage": "genisoimage", "7zz": "7zip", "bsdtar": "libarchive-tools",
	}
	var missing []string
	for tool, pkg := range pkgs {
		if _, err := exec.LookPath(tool); err != nil && !strings.Contains(strings.Join(missing, " "), pkg) {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	logf("installing %v with apt-get", missing)
	args := append([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends"}, missing...)
	if _, err := run(ctx, "", args...); err != nil {
		if _, uerr := run(ctx, "", "apt-get", "update", "-qq"); uerr != nil {
			return fmt.Errorf("apt-get update: %w", uerr)
		}
		if _, err := run(ctx, "", args...); err != nil {
			return err
		}
	}
	return need(keys(pkgs)...)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// findModule locates the module root (to build the binaries and to name
// the commit measured) and the Go toolchain tree (part of the source tree).
func findModule(c *config) error {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("go list -m: run the harness from inside the iszmount module: %w", err)
	}
	c.modDir = strings.TrimSpace(string(out))
	out, err = exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	c.goroot = strings.TrimSpace(string(out))
	return nil
}

// buildBinaries builds iszmount and isz from the module into the work
// directory, unless given.
func buildBinaries(ctx context.Context, c *config) error {
	if c.peersOnly {
		return nil
	}
	bin := filepath.Join(c.work, "bin")
	for _, b := range []struct {
		path *string
		pkg  string
	}{{&c.iszmount, "./cmd/iszmount"}, {&c.isz, "./cmd/isz"}} {
		if *b.path != "" {
			p, err := filepath.Abs(*b.path)
			if err != nil {
				return err
			}
			*b.path = p
			continue
		}
		*b.path = filepath.Join(bin, filepath.Base(b.pkg))
		logf("building %s", b.pkg)
		if _, err := run(ctx, c.modDir, "go", "build", "-o", *b.path, b.pkg); err != nil {
			return err
		}
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
