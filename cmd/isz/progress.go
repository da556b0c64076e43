package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// progressInterval is how often the bar is redrawn.
const progressInterval = 200 * time.Millisecond

// progress draws a one-line progress bar on a terminal. A nil *progress is
// valid and does nothing, which is what startProgress returns when stderr is
// not a terminal: scripts and logs see no control characters.
type progress struct {
	out   io.Writer
	label string
	total atomic.Int64
	width int
	start time.Time
	done  atomic.Int64
	stop  chan struct{}
	quit  chan struct{}
}

// startProgress starts a bar labelled label for total bytes on stderr, or
// returns nil when stderr is not a terminal.
func startProgress(label string, total int64) *progress {
	fd := int(os.Stderr.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	width, _, err := term.GetSize(fd)
	if err != nil || width <= 0 {
		width = 80
	}
	p := &progress{
		out: os.Stderr, label: label, width: width,
		start: time.Now(), stop: make(chan struct{}), quit: make(chan struct{}),
	}
	p.total.Store(total)
	go p.loop()
	return p
}

// Add records n more bytes done; safe for concurrent use.
func (p *progress) Add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

// Callback adapts the bar to the libraries' progress functions.
func (p *progress) Callback() func(done, total int64) {
	if p == nil {
		return nil
	}
	return func(done, total int64) {
		p.total.Store(total)
		p.done.Store(done)
	}
}

// Finish stops the bar. On success the final state stays on screen; on
// failure the line is cleared so the error message stands alone.
func (p *progress) Finish(ok bool) {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.quit
	if ok {
		fmt.Fprintf(p.out, "\r%s\n", renderProgress(p.label, p.done.Load(), p.total.Load(), time.Since(p.start), p.width))
	} else {
		fmt.Fprint(p.out, "\r\x1b[K")
	}
}

func (p *progress) loop() {
	defer close(p.quit)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			fmt.Fprintf(p.out, "\r%s", renderProgress(p.label, p.done.Load(), p.total.Load(), time.Since(p.start), p.width))
		}
	}
}

// renderProgress formats one line of at most width-1 columns (the last
// column is left free so the terminal never wraps):
//
//	extract [=========>           ]  45%  1.2 GiB / 2.6 GiB  210.0 MiB/s  ETA 0:07
//
// The bar shrinks to fit and is dropped when fewer than 10 columns remain;
// whole fields of numbers are then dropped from the right. A total of 0 counts as done.
func renderProgress(label string, done, total int64, elapsed time.Duration, width int) string {
	done = max(0, min(done, total))
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	eta := "--:--"
	if done == total {
		eta = formatDuration(elapsed)
	} else if rate > 0 {
		eta = formatDuration(time.Duration(float64(total-done) / rate * float64(time.Second)))
	}
	etaLabel := "ETA"
	if done == total {
		etaLabel = "in"
	}
	stats := fmt.Sprintf("%3d%%  %s / %s  %s/s  %s %s",
		int(frac*100), formatBytes(done), formatBytes(total), formatBytes(int64(rate)), etaLabel, eta)

	avail := width - 1
	barCells := avail - len(label) - len(stats) - 5 // "label [" + "]  " + stats
	if barCells < 10 {
		line := label + " " + stats
		if len(line) <= avail {
			return line
		}
		// Cut at a field boundary (fields are separated by two spaces).
		line = line[:max(avail, 0)]
		if i := strings.LastIndex(line, "  "); i > 0 {
			line = line[:i]
		}
		return line
	}
	filled := int(frac * float64(barCells))
	var bar string
	switch {
	case filled >= barCells:
		bar = strings.Repeat("=", barCells)
	default:
		bar = strings.Repeat("=", filled) + ">" + strings.Repeat(" ", barCells-filled-1)
	}
	return label + " [" + bar + "]  " + stats
}

// formatDuration prints m:ss, or h:mm:ss from one hour on.
func formatDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// formatBytes prints n with a binary unit: "512 B", "1.5 KiB", "2.0 GiB".
func formatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}
