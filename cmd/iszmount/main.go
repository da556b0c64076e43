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
		// One line, like every other error, pointing at --help.
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		if !strings.Contains(msg, "--help") {
			msg += " (see iszmount --help)"
		}
		fmt.Fprintf(os.Stderr, "iszmount: %s\n", msg)
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
	// logfile= is opened before mounting, so that a bad one is refused
	// rather than discovered by a daemon with nowhere to say so.
	var fileLog slog.Handler
	if cfg.logFile != "" {
		h, err := openLogFile(cfg.logFile, level)
		if err != nil {
			return fail(withCode(exitUsage, fmt.Errorf("logfile=%s: %w", cfg.logFile, err)))
		}
		fileLog = h
		if notify == nil {
			out.set(h)
		}
	}
	log := slog.New(out)
	s, err := setup(cfg, log)
	if err != nil {
		return fail(err)
	}
	if notify != nil {
		// Daemon child: from now on log to logfile= or syslog, hand the
		// caller its answer, and let go of its terminal or pipes.
		h := fileLog
		if h == nil {
			if h, err = openSyslog(level); err != nil {
				log.Warn("no syslog socket (/dev/log): the daemon's messages are discarded from now on; -o logfile=FILE keeps them")
				h = slog.DiscardHandler
			}
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
