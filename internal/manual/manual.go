package manual

import (
	"strings"

	"github.com/iszmount/iszmount/internal/exitcode"
)

// Page is the documentation of one command: the man page iszmount(1) or
// isz(1), and the --help text of the same command.
type Page struct {
	Name     string   // command name, also the man page title
	Summary  string   // the NAME line: what it does, in a few words
	Synopsis []string // command lines without the name, one per form
	// Description is the first prose section; Sections follow the flags,
	// options and commands, in order.
	Description []Block
	// Flags are the command's flags; on a page with Commands, the flags
	// every command takes, before or after its name (-h, -V).
	Flags    []Flag
	Options  []Option // -o mount options (iszmount)
	Ignored  []string // -o options accepted and ignored
	Commands []Command
	Sections []Section
	Exits    []Exit
	SeeAlso  []string // "mount(8)", ...
}

// Section is a titled part of the man page. Help sections also appear in
// the --help text, under the same title in sentence case.
type Section struct {
	Title string // man heading, upper case: "FSTAB", "ENVIRONMENT"
	Help  bool
	Body  []Block
}

// Block is one paragraph: exactly one of its fields is set.
type Block struct {
	Text  string // a paragraph, wrapped by the renderer
	Code  string // preformatted lines (an example), kept as they are
	Items []Item // a definition list
}

// Item is one entry of a definition list.
type Item struct{ Term, Text string }

// Flag is a command-line flag. Short is one letter without its dash, Long
// the long name without its dashes; either may be empty.
type Flag struct {
	Short, Long string
	Arg         string   // the value's placeholder ("SIZE"); empty for a switch
	Text        string   // what it does
	Values      []string // the values a shell may complete, when they are few
	Files       bool     // the value is a file name
}

// Option is a -o mount option.
type Option struct {
	Name   string
	Arg    string // placeholder of the value after "="; empty for a switch
	Text   string
	Values []string // completable values
}

// Command is an isz subcommand.
type Command struct {
	Name     string
	Synopsis []string // argument lists after "isz NAME", one per form
	Summary  string   // one line for the command list
	Body     []Block
	Flags    []Flag
}

// Exit is one row of the exit-code table.
type Exit struct {
	Code    int
	Meaning string
}

// exits is the exit-code table both commands share (internal/exitcode), in
// the order of the codes.
func exits() []Exit {
	var out []Exit
	for _, r := range exitcode.Sorted() {
		out = append(out, Exit{r.Code, strings.ReplaceAll(r.Meaning, "`", "")})
	}
	return out
}

// Pages are the documented commands, in the order of their man pages.
func Pages() []*Page { return []*Page{Iszmount, Isz} }

// Command returns the subcommand name of p, or nil.
func (p *Page) Command(name string) *Command {
	for i := range p.Commands {
		if p.Commands[i].Name == name {
			return &p.Commands[i]
		}
	}
	return nil
}

// commandFlags are the flags command c takes: its own, then those of the
// page, which every command takes.
func (p *Page) commandFlags(c *Command) []Flag {
	return append(c.Flags[:len(c.Flags):len(c.Flags)], p.Flags...)
}

// term is how a flag is written in help and man text: "-f, --foreground".
func (f Flag) term() string {
	var s string
	switch {
	case f.Short != "" && f.Long != "":
		s = "-" + f.Short + ", --" + f.Long
	case f.Short != "":
		s = "-" + f.Short
	default:
		s = "--" + f.Long
	}
	return s
}

// names are the flag's spellings with their dashes.
func (f Flag) names() []string {
	var out []string
	if f.Short != "" {
		out = append(out, "-"+f.Short)
	}
	if f.Long != "" {
		out = append(out, "--"+f.Long)
	}
	return out
}

// term is how an option is written: "cache=SIZE", "norock".
func (o Option) term() string {
	if o.Arg == "" {
		return o.Name
	}
	return o.Name + "=" + o.Arg
}
