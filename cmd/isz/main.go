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
		return exitcode.Usage
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			c := lookupCommand(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "isz: help: unknown command %q\n", args[1])
				return exitcode.Usage
			}
			fmt.Fprint(stdout, commandHelp(c))
			return exitcode.OK
		}
		fmt.Fprint(stdout, mainHelp())
		return exitcode.OK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "isz", version())
		return exitcode.OK
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "isz: unknown command %q (run \"isz help\")\n", args[0])
		return exitcode.Usage
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, help on -h
	runCmd := c.flags(fs)
	positional, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandHelp(c))
		return exitcode.OK
	}
	if err != nil {
		err = usageError{msg: err.Error()}
	} else {
		err = runCmd(ctx, positional)
	}
	if err != nil {
		code := exitcode.Of(err)
		if code == exitcode.Interrupted {
			fmt.Fprintf(stderr, "isz: %s: interrupted\n", c.name)
			return code
		}
		// Library errors start "isz: " too; say it once.
		msg := strings.TrimPrefix(oneLine(err), "isz: ")
		if !strings.HasPrefix(msg, c.name+": ") {
			msg = c.name + ": " + msg
		}
		fmt.Fprintf(stderr, "isz: %s\n", msg)
		if code == exitcode.Usage {
			fmt.Fprintf(stderr, "usage: isz %s %s (run \"isz %s -h\")\n", c.name, c.synopsis, c.name)
		}
		return code
	}
	return exitcode.OK
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

func mainHelp() string {
	var b strings.Builder
	b.WriteString(`isz creates, inspects, verifies, lists and extracts ISZ images (UltraISO's
compressed ISO format) without mounting them. ls, cat, info and
extract --files read plain .iso files too.

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Run "isz COMMAND -h" for a command's arguments and flags. Flags may come
before or after the other arguments; "--" ends the flags. "isz version"
prints the version of this build.

Sizes (-b, --split) take binary units: 131072, 128K, 128KiB, 4M, 2G
(K, KB and KiB all mean 1024 bytes).

Passwords of encrypted images come from --password P, else the first line
of --passfile FILE ("-" = standard input), else the ISZ_PASSWORD
environment variable. Prefer the last two: other users can see argv.

A progress bar is drawn on stderr for long operations when stderr is a
terminal; nothing is drawn otherwise.

Exit codes:
  0  success (verify: the image is good)
  1  other failure: I/O error, output not writable, unsafe path refused
  2  bad command line
  3  bad image: not ISZ or ISO 9660, malformed, truncated, missing segment
  4  corrupt data: checksum mismatch or a chunk that does not decode
  5  password missing or wrong
  6  unsupported feature (for example a UDF-only disc)
  7  PATH not found in the image
  130 interrupted (SIGINT or SIGTERM); a partial OUT.iso or OUT.isz is removed
`)
	return b.String()
}

func commandHelp(c *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: isz %s %s\n\n%s\n", c.name, c.synopsis, strings.TrimSpace(c.help))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	b.WriteString(flagDefaults(fs))
	return b.String()
}

// flagDefaults lists the flags the way the help texts spell them: one dash
// for one-letter flags, two for long ones (both forms are accepted).
func flagDefaults(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		if b.Len() == 0 {
			b.WriteString("\nFlags:\n")
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, usage := flag.UnquoteUsage(f)
		if arg == "value" || arg == "int" || arg == "string" {
			arg = "VALUE"
		}
		if arg != "" {
			arg = " " + arg
		}
		fmt.Fprintf(&b, "  %s%s%s\n      %s", dash, f.Name, arg, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	return b.String()
}
