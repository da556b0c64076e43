package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// report collects the run's results and renders them as Markdown.
type report struct {
	started  time.Time
	machine  []string
	inputs   *inputs
	sections []*section
	targets  []target
	skipped  []string // measurements left out by the time budget
	failure  string
}

// A target is one of the goals: a ratio measured in this run and
// the ratio it must reach (higher is better for every one of them).
type target struct {
	what     string
	got      float64
	want     float64
	unit     string // "×" for ratios; anything else prints got/want as is
	lowerBad bool   // false: got must be >= want; true: got must be <= want
}

func (t target) met() bool {
	if t.got == 0 {
		return false
	}
	if t.lowerBad {
		return t.got <= t.want
	}
	return t.got >= t.want
}

// target records a speed ratio that must reach want.
func (r *report) target(what string, got, want float64) {
	r.targets = append(r.targets, target{what: what, got: got, want: want, unit: "×"})
}

// atLeast records a quantity in unit that must reach want.
func (r *report) atLeast(what string, got, want float64, unit string) {
	r.targets = append(r.targets, target{what: what, got: got, want: want, unit: unit})
}

// limit records a quantity that must stay at or under want.
func (r *report) limit(what string, got, want float64, unit string) {
	r.targets = append(r.targets, target{what: what, got: got, want: want, unit: unit, lowerBad: true})
}

type section struct {
	title, intro string
	lines        []string
	notes        []string
}

func (r *report) section(title, intro string) *section {
	s := &section{title: title, intro: intro}
	r.sections = append(r.sections, s)
	return s
}

func (s *section) table(cols ...string) {
	if len(s.lines) > 0 {
		s.lines = append(s.lines, "")
	}
	s.row(cols...)
	sep := make([]string, len(cols))
	for i := range sep {
		sep[i] = "---"
		if i > 0 {
			sep[i] = "---:"
		}
	}
	s.row(sep...)
}

func (s *section) row(cells ...string) {
	s.lines = append(s.lines, "| "+strings.Join(cells, " | ")+" |")
}

func (s *section) note(text string) { s.notes = append(s.notes, text) }

func (t target) cell(v float64) string {
	if t.unit == "×" {
		return fmt.Sprintf("%.2f×", v)
	}
	if t.unit == "%" {
		return fmt.Sprintf("%.0f%%", v)
	}
	return fmt.Sprintf("%.0f %s", v, t.unit)
}

func (r *report) markdown(c *config) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# iszmount benchmark (%s mode)\n\n", c.mode())
	w("Run %s, took %s. Command: `go run ./bench%s`.\n\n", r.started.UTC().Format("2006-01-02 15:04 UTC"),
		time.Since(r.started).Round(time.Second), flagsUsed(c))
	if r.failure != "" {
		w("**HARNESS FAILURE:** %s\n\n", r.failure)
	}
	if len(r.skipped) > 0 {
		w("**Skipped (time budget `-budget %s` spent):** %s.\n\n", c.budget, strings.Join(r.skipped, ", "))
	}
	if len(r.machine) > 0 {
		w("Machine: %s.\n\n", strings.Join(r.machine, "; "))
	}
	if in := r.inputs; in != nil {
		t := in.tree
		w("## Inputs\n\n")
		w("Source tree: %d files, %d directories, %d symlinks, %s, sampled from %s.\n\n",
			t.Files, t.Dirs, t.Symlinks, mib(t.Bytes), strings.Join(t.Roots, ", "))
		w("| Input | Size | vs ISO |\n|---|---:|---:|\n")
		for _, f := range []struct{ name, path string }{
			{"ISO (xorriso -as mkisofs -R -J)", in.iso},
			{"ISZ zlib, 128 KiB chunks (`isz create -c zlib`)", in.iszZlib},
			{"ISZ bzip2, 128 KiB chunks (`isz create -c bzip2`)", in.iszBzip2},
			{"squashfs of the tree (`mksquashfs -comp gzip -b 131072`)", in.treeSqfs},
			{"squashfs holding the ISO", in.isoSqfs},
			{"gzip of the ISO (`pigz -6`)", in.gz},
			{"bzip2 of the ISO (`bzip2 -9`)", in.bz2},
		} {
			if f.path == "" {
				continue
			}
			if st, err := os.Stat(f.path); err == nil {
				w("| %s | %s | %.1f%% |\n", f.name, mib(st.Size()), 100*float64(st.Size())/float64(in.isoSize))
			}
		}
		if in.udf != "" {
			if st, err := os.Stat(in.udf); err == nil {
				w("| ISZ zlib of a UDF bridge ISO of the tree (`genisoimage -udf -R -J`; measurement 8) | %s (ISO %s) | |\n", mib(st.Size()), mib(in.udfSize))
			}
		}
		if in.big != "" {
			if st, err := os.Stat(in.big); err == nil {
				w("| big ISZ zlib (the tree %d times over; for the memory check) | %s (ISO %s) | |\n", c.bigFactor, mib(st.Size()), mib(in.bigSize))
			}
		}
		w("\n")
	}
	if len(r.targets) > 0 {
		w("## Targets\n\nRatios are speed ratios from medians of the same run (>1 means iszmount is faster).\n\n")
		w("| Target | Measured | Required | Verdict |\n|---|---:|---:|---|\n")
		for _, t := range r.targets {
			verdict := "met"
			if !t.met() {
				verdict = "**MISSED**"
			}
			req := "≥ " + t.cell(t.want)
			if t.lowerBad {
				req = "≤ " + t.cell(t.want)
			}
			got := t.cell(t.got)
			if t.got == 0 {
				got = "n/a"
			}
			w("| %s | %s | %s | %s |\n", t.what, got, req, verdict)
		}
		w("\n")
	}
	sections := slices.Clone(r.sections)
	slices.SortStableFunc(sections, func(a, b *section) int {
		x, _ := strconv.Atoi(number(a.title))
		y, _ := strconv.Atoi(number(b.title))
		return cmp.Or(x-y, strings.Compare(a.title, b.title))
	})
	for _, s := range sections {
		w("## %s\n\n", s.title)
		if s.intro != "" {
			w("%s\n\n", s.intro)
		}
		for _, l := range s.lines {
			w("%s\n", l)
		}
		if len(s.lines) > 0 {
			w("\n")
		}
		for _, n := range s.notes {
			w("%s\n\n", n)
		}
	}
	if len(r.built()) > 0 {
		w("Inputs built in this run: %s.\n", strings.Join(r.built(), ", "))
	}
	return b.String()
}

func (r *report) built() []string {
	if r.inputs == nil {
		return nil
	}
	var out []string
	for name, d := range r.inputs.built {
		out = append(out, fmt.Sprintf("%s (%s)", name, fmtDur(d)))
	}
	sort.Strings(out)
	return out
}

// flagsUsed reproduces the command line's flags.
func flagsUsed(c *config) string {
	if len(c.argv) <= 1 {
		return ""
	}
	return " " + strings.Join(c.argv[1:], " ")
}

// describeMachine names the CPU, cores, memory, kernel, OS, toolchain, the
// commit measured and the peers' versions.
func describeMachine(ctx context.Context, c *config) []string {
	var out []string
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				out = append(out, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")))
				break
			}
		}
	}
	out = append(out, fmt.Sprintf("%d cores", runtime.NumCPU()))
	if kb := meminfoKB("MemTotal:"); kb > 0 {
		out = append(out, fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20)))
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		out = append(out, "Linux "+strings.TrimSpace(string(data)))
	}
	if data, err := os.ReadFile("/etc/debian_version"); err == nil {
		out = append(out, "Debian "+strings.TrimSpace(string(data)))
	}
	out = append(out, runtime.Version())
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		out = append(out, "load average at start "+strings.Join(strings.Fields(string(load))[:3], " "))
	}
	if c.modDir != "" {
		if rev, err := exec.CommandContext(ctx, "git", "-C", c.modDir, "describe", "--always", "--dirty").Output(); err == nil {
			out = append(out, "iszmount at "+strings.TrimSpace(string(rev)))
		}
	}
	var vers []string
	for _, pkg := range []string{"squashfuse", "squashfs-tools", "fuseiso", "pigz", "gzip", "bzip2", "xorriso", "genisoimage", "fuse3"} {
		if v, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f", "${Version}", pkg).Output(); err == nil {
			vers = append(vers, pkg+" "+string(v))
		}
	}
	if len(vers) > 0 {
		out = append(out, "peers: "+strings.Join(vers, ", "))
	}
	return out
}

func meminfoKB(field string) int64 { return procStatusFileKB("/proc/meminfo", field) }
