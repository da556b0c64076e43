package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a one-line progress bar on a terminal, with
// schollz/progressbar, which measures the terminal at every redraw: the
// bar shrinks to fit a narrow terminal or one resized while it runs, and
// each redraw clears the whole line first, so nothing is left behind. A nil
// *progress is valid and does nothing, which is what startProgress returns
// when stderr is not a terminal: scripts and logs see no control
// characters.
type progress struct {
	bar *progressbar.ProgressBar
}

// startProgress starts a bar labelled label for total bytes on stderr, or
// returns nil when stderr is not a terminal.
func startProgress(label string, total int64) *progress {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	bar := progressbar.NewOptions64(max(total, 1),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetWidth(30), // at most; narrower when the terminal is
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	return &progress{bar: bar}
}

// Add records n more bytes done; safe for concurrent use.
func (p *progress) Add(n int64) {
	if p != nil {
		p.bar.Add64(n)
	}
}

// Callback adapts the bar to the libraries' progress functions.
func (p *progress) Callback() func(done, total int64) {
	if p == nil {
		return nil
	}
	return func(done, total int64) {
		if total != p.bar.GetMax64() && total > 0 {
			p.bar.ChangeMax64(total)
		}
		p.bar.Set64(done)
	}
}

// Finish stops the bar. On success the final state stays on screen; on
// failure the line is cleared so the error message stands alone.
func (p *progress) Finish(ok bool) {
	if p == nil {
		return
	}
	if ok {
		p.bar.Finish()
		fmt.Fprintln(os.Stderr)
		return
	}
	p.bar.Exit()
	fmt.Fprint(os.Stderr, "\r\x1b[2K")
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
