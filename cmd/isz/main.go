// Command isz creates, inspects, verifies, lists and extracts ISZ images
// (UltraISO's compressed ISO format) without mounting them; plain .iso files
// work too wherever a file tree is read.
//
//	isz create IN.iso OUT.isz
//	isz info IMAGE
//	isz verify IMAGE.isz
//	isz extract IMAGE.isz OUT.iso|-
//	isz ls IMAGE [PATH]
//	isz cat IMAGE PATH...
//	isz extract IMAGE --files DESTDIR [PATH...]
//
// Every command that reads an encrypted image takes --password or
// --passfile, or reads $ISZ_PASSWORD, or asks on a terminal. Flags follow
// the GNU conventions (spf13/pflag). Every text a user reads about the
// commands, their flags included, is in internal/manual, which also
// renders the man page and the shell completions; a command value here
// has only its name and flags, and TestManual keeps the two in step.
// Errors become exit codes in one place, internal/exitcode, shared with
// iszmount.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/internal/exitcode"
	"github.com/iszmount/iszmount/internal/manual"
)

// command is one subcommand of isz. Its synopsis, description and flag
// texts are in internal/manual, under the same name.
type command struct {
	name string
	// flags declares the command's flags on fs and returns the function
	// that runs the command with the positional arguments.
	flags func(fs *pflag.FlagSet) func(ctx context.Context, args []string) error
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
// printed as one line, "isz: COMMAND: ...", on stderr.
func run(ctx context.Context, args []string) int {
	stdout, stderr := os.Stdout, os.Stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, manual.Isz.Usage())
		return exitcode.Usage
	}
	switch name := args[0]; name {
	case "help", "-h", "--help":
		if len(args) > 1 && name == "help" {
			c := lookupCommand(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "isz: help: %s\n", unknownCommand(args[1]))
				return exitcode.Usage
			}
			fmt.Fprint(stdout, manual.Isz.CommandHelp(c.name))
			return exitcode.OK
		}
		fmt.Fprint(stdout, manual.Isz.Help())
		return exitcode.OK
	case "version", "-V", "--version":
		fmt.Fprintln(stdout, cliutil.Version("isz"))
		return exitcode.OK
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "isz: %s\n", unknownCommand(args[0]))
		return exitcode.Usage
	}
	fs, runCmd := newFlagSet(c)
	err := fs.Parse(args[1:])
	switch {
	case errors.Is(err, pflag.ErrHelp) || err == nil && flagSet(fs, "help"):
		fmt.Fprint(stdout, manual.Isz.CommandHelp(c.name))
		return exitcode.OK
	case err == nil && flagSet(fs, "version"):
		fmt.Fprintln(stdout, cliutil.Version("isz"))
		return exitcode.OK
	case err != nil:
		err = flagError(fs, err)
	default:
		err = runCmd(ctx, fs.Args())
	}
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.Of(err)
	if code == exitcode.Interrupted {
		msg := strings.TrimSuffix(strings.TrimSuffix(cliutil.Message(err), context.Canceled.Error()), ": ")
		if msg != "" {
			msg = ": " + msg
		}
		fmt.Fprintf(stderr, "isz: %s: interrupted%s\n", c.name, msg)
		return code
	}
	msg := cliutil.Message(err)
	if !strings.HasPrefix(msg, c.name+": ") {
		msg = c.name + ": " + msg
	}
	fmt.Fprintf(stderr, "isz: %s\n", msg)
	var ue usageError
	if code == exitcode.Usage && !(errors.As(err, &ue) && ue.hint) {
		fmt.Fprintf(stderr, "%sRun \"isz %s -h\" for more.\n", manual.Isz.CommandUsage(c.name), c.name)
	}
	return code
}

// newFlagSet declares c's flags, and -h/--help and -V/--version, which
// every command takes. The flags carry no usage strings: their text is in
// internal/manual. The parsing follows GNU getopt_long: short flags
// combine ("-lR") and take attached values ("-j2"), long ones take
// "--name=value" or "--name value", flags may follow the positional
// arguments, "--" ends the flags, and "-" alone is a positional.
func newFlagSet(c *command) (*pflag.FlagSet, func(context.Context, []string) error) {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.Usage = func() {} // errors are reported by run, help on -h
	fs.SetOutput(discard{})
	runCmd := c.flags(fs)
	fs.BoolP("help", "h", false, "")
	fs.BoolP("version", "V", false, "")
	return fs, runCmd
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// flagSet reports whether the boolean flag name was given.
func flagSet(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed && f.Value.String() == "true"
}

// flagError turns a parse error into a usage error; an unknown flag gets
// the nearest known one as a suggestion.
func flagError(fs *pflag.FlagSet, err error) error {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) {
		return usagef("%v", err)
	}
	var long, short []string
	fs.VisitAll(func(f *pflag.Flag) {
		long = append(long, f.Name)
		if f.Shorthand != "" {
			short = append(short, f.Shorthand)
		}
	})
	given := ne.GetSpecifiedName()
	if group := ne.GetSpecifiedShortnames(); group != "" {
		// "-split": a long flag typed with one dash reads as short flags.
		if s := cliutil.Suggest(group, long); s != "" {
			return hintf("unknown flag -%s; did you mean --%s?", group, s)
		}
		return usageError{msg: fmt.Sprintf("unknown flag -%s in -%s", given, group)}
	}
	if s := cliutil.Suggest(given, long); s != "" {
		return hintf("unknown flag --%s; did you mean --%s?", given, s)
	}
	return usagef("unknown flag --%s", given)
}

// unknownCommand is the one line about a mistyped command.
func unknownCommand(name string) string {
	if strings.HasPrefix(name, "-") {
		return fmt.Sprintf("unknown flag %s before the command (run \"isz help\")", name)
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	if s := cliutil.Suggest(name, names); s != "" {
		return fmt.Sprintf("unknown command %q; did you mean %q?", name, s)
	}
	return fmt.Sprintf("unknown command %q (run \"isz help\")", name)
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}
