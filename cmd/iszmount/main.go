package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/internal/manual"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	req, isOpen, err := parseOpen(args)
	if isOpen && err == nil {
		return runOpen(req)
	}
	var cfg *config
	if !isOpen {
		cfg, err = parseArgs(args)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "iszmount: %v\nTry 'iszmount --help'.\n", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitCode(err)
	}
	switch {
	case cfg.help:
		fmt.Print(manual.Iszmount.Help()) // the text is in internal/manual, with the man page
		return exitOK
	case cfg.version:
		fmt.Println(cliutil.Version("iszmount"))
		return exitOK
	}
	notify, err := daemonChild()
	if err != nil {
		return fail(err)
	}
	if notify == nil && !cfg.foreground {
		return daemonize(cfg)
	}
	return foreground(cfg, notify)
}

// foreground mounts and serves in this process. notify is the daemon
// child's readiness pipe, or nil when run with -f.
func foreground(cfg *config, notify *os.File) int {
	// A reader of our stderr may go away (the daemon's parent interrupted,
	// "iszmount -d ... | head"): a log write must then fail, not kill the
	// process halfway through mounting, which would leave a dead mount.
	signal.Ignore(syscall.SIGPIPE)
	level := new(slog.LevelVar)
	if cfg.debug {
		level.Set(slog.LevelDebug)
	}
	out := newSwitchHandler(textHandler(os.Stderr, level, false))
	if cfg.logFile != "" && notify == nil {
		h, err := daemonLog(cfg, level)
		if err != nil {
			return fail(withCode(exitUsage, fmt.Errorf("logfile: %w", err)))
		}
		out.set(h)
	}
	log := slog.New(out)
	s, err := setup(cfg, log)
	if err != nil {
		return fail(err)
	}
	if notify != nil {
		// Daemon child: from now on log to syslog or logfile=, hand the
		// caller its answer, and let go of its terminal or pipes.
		h, err := daemonLog(cfg, level)
		if err != nil {
			log.Error("cannot open the log", "err", err)
			h = out.cur()
		}
		out.set(h)
		notify.WriteString(readyMsg)
		notify.Close()
		if err := detachStdio(); err != nil {
			log.Error("cannot detach from the terminal", "err", err)
		}
	} else if err := sdNotify("READY=1"); err != nil {
		log.Warn("cannot notify systemd", "err", err)
	}
	log.Debug("mounted", "image", cfg.image, "mountpoint", s.mp)
	code := s.serve()
	removeMadeDir(s.mp)
	return code
}

// fail prints err as the one line a failed mount says and returns its exit
// status.
func fail(err error) int {
	fmt.Fprintf(os.Stderr, "iszmount: %s\n", cliutil.Message(err))
	return exitCode(err)
}
