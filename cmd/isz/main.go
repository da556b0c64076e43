// Command isz creates, inspects, verifies, lists and extracts ISZ images
// (UltraISO's compressed ISO format) without mounting them; plain .iso files
// work too wherever a file tree is read.
//
//	isz create [-b SIZE] [-c zlib|bzip2|store] [-l LEVEL] [--split SIZE] [--aes BITS] [--zero-chunks] [-j N] IN.iso OUT.isz
//	isz info IMAGE
//	isz verify IMAGE.isz
//	isz extract [-j N] IMAGE.isz OUT.iso|-
//	isz ls [-l] [-R] IMAGE [PATH]
//	isz cat IMAGE PATH...
//	isz extract [-p] IMAGE --files DESTDIR [PATH...]
//
// Every command that reads an encrypted image takes --password or
// --passfile, or reads $ISZ_PASSWORD. Flags may follow the other arguments.
// Run "isz help" for the whole story and the exit codes, which are
// mapped from errors in one place (exit.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/iszmount/iszmount/internal/manual"
)

// command is one subcommand of isz.
type command struct {
	name     string
	synopsis string // arguments after "isz NAME"
	summary  string // one line for "isz help"
	help     string // the rest of "isz NAME -h"
	// flags declares the command's flags on fs and returns the function
	// that runs the command with the positional arguments.
	flags func(fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// commands in the order "isz help" lists them.
var commands = []*command{createCmd, infoCmd, verifyCmd, extractCmd, lsCmd, catCmd}

func main() {
	// The first SIGINT or SIGTERM cancels ctx: the command stops, removes
	// its partial output and exits 130. Signal handling is then reset, so
	// a second one kills a command stuck where it cannot notice.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one isz invocation and returns its exit code. Errors are
// printed as one line, "isz: ...", on stderr.
func run(ctx context.Context, args []string) int {
	stdout, stderr := os.Stdout, os.Stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			c := lookupCommand(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "isz: help: unknown command %q\n", args[1])
				return exitUsage
			}
			fmt.Fprint(stdout, commandHelp(c))
			return exitOK
		}
		fmt.Fprint(stdout, mainHelp())
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "isz", version())
		return exitOK
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "isz: unknown command %q (run \"isz help\")\n", args[0])
		return exitUsage
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, help on -h
	runCmd := c.flags(fs)
	positional, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandHelp(c))
		return exitOK
	}
	if err != nil {
		err = usageError{msg: err.Error()}
	} else {
		err = runCmd(ctx, positional)
	}
	if err != nil {
		code := exitCode(err)
		if code == exitInterrupted {
			fmt.Fprintf(stderr, "isz: %s: interrupted\n", c.name)
			return code
		}
		// Library errors start "isz: " too; say it once.
		msg := strings.TrimPrefix(oneLine(err), "isz: ")
		if !strings.HasPrefix(msg, c.name+": ") {
			msg = c.name + ": " + msg
		}
		fmt.Fprintf(stderr, "isz: %s\n", msg)
		if code == exitUsage {
			fmt.Fprintf(stderr, "usage: isz %s %s (run \"isz %s -h\")\n", c.name, c.synopsis, c.name)
		}
		return code
	}
	return exitOK
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// oneLine keeps an error message on one line: image paths and names can
// contain anything.
func oneLine(err error) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(err.Error())
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(unknown version)"
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString("usage: isz COMMAND [ARGS]   (\"isz help\" explains)\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  isz %s %s\n", c.name, c.synopsis)
	}
	return b.String()
}

// mainHelp is "isz help", and commandHelp "isz COMMAND -h": the text is
// in internal/manual, which renders the man page from the same source.
func mainHelp() string { return manual.Isz.Help() }

func commandHelp(c *command) string { return manual.Isz.CommandHelp(c.name) }
