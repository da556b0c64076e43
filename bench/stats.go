package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// A series is the repeated measurement of one thing: wall times of the
// repetitions of one command on one tool, or the latencies of many reads.
// Only its order statistics are reported, so one slow outlier on the shared
// machine moves the spread, not the median.
type series []time.Duration

// quantile returns the q-quantile (0 <= q <= 1) by linear interpolation
// between the closest ranks; zero for an empty series.
func (s series) quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	v := slices.Clone(s)
	slices.Sort(v)
	pos := q * float64(len(v)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return v[lo] + time.Duration(frac*float64(v[hi]-v[lo]))
}

func (s series) median() time.Duration { return s.quantile(0.5) }
func (s series) min() time.Duration    { return s.quantile(0) }
func (s series) max() time.Duration    { return s.quantile(1) }

// timeCell formats a series of wall times as "median (min-max)".
func (s series) timeCell() string {
	if len(s) == 0 {
		return "n/a"
	}
	if len(s) == 1 {
		return fmtDur(s[0])
	}
	return fmt.Sprintf("%s (%s–%s)", fmtDur(s.median()), fmtDur(s.min()), fmtDur(s.max()))
}

// fmtDur prints a duration with three significant digits in a unit that
// suits it.
func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

// rate is bytes per second over d, in MB/s (10^6, as dd and fio print).
func rate(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / d.Seconds() / 1e6
}

// speedup is how many times faster "ours" was than "base": base/ours for
// times. Zero when either is missing.
func speedup(ours, base time.Duration) float64 {
	if ours <= 0 || base <= 0 {
		return 0
	}
	return float64(base) / float64(ours)
}

// mib prints a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// inTurn returns the order of s for repetition rep of an interleaved run:
// s rotated left by rep/2, reversed in odd repetitions (abc, cba, bca,
// acb, cab, bac for three tools). Ratios measured in the same run are only
// fair if order plays no part: with a fixed order, measurement 8's
// UDF-vs-ISO ratio swung from 0.64× to 1.26× between runs. Rotating alone
// put every tool first in turn, but each always after the same other
// tool; in a 5-repetition run of measurement 8 the ISO 9660 view, which
// always followed the UDF view or ran first, read every file in 9.5 s
// after it and 14.6-14.7 s first, while the UDF view, which followed
// squashfuse_ll, took 11.5-13.7 s. With the reversals, within 2n
// repetitions of n tools each tool is first and last twice, and with two
// or three tools (measurement 8) each follows each other one equally
// often.
func inTurn[T any](s []T, rep int) []T {
	if len(s) == 0 {
		return s
	}
	k := rep / 2 % len(s)
	out := append(slices.Clone(s[k:]), s[:k]...)
	if rep%2 == 1 {
		slices.Reverse(out)
	}
	return out
}
