package manual

import (
	"fmt"
	"strings"
)

// width is the column the help text is wrapped at.
const width = 79

// Help is the text of "NAME --help" (iszmount) or "NAME help" (isz): the
// synopsis, description, flags, options or commands, the sections marked
// Help and the exit codes.
func (p *Page) Help() string {
	var b strings.Builder
	writeSynopsis(&b, "Usage:", p.Name, p.Synopsis)
	writeBlocks(&b, p.Description, 0)
	if len(p.Flags) > 0 {
		b.WriteString("\nFlags:\n")
		writeFlags(&b, p.Flags)
	}
	if len(p.Options) > 0 {
		b.WriteString("\nMount options (-o):\n")
		for _, o := range p.Options {
			writeItem(&b, o.term(), o.Text)
		}
		b.WriteString("\n")
		wrap(&b, "Accepted and ignored: "+strings.Join(p.Ignored, ", ")+".", 2)
	}
	if len(p.Commands) > 0 {
		b.WriteString("\nCommands:\n")
		for _, c := range p.Commands {
			writeItem(&b, c.Name, c.Summary)
		}
	}
	for _, s := range p.Sections {
		if s.Help {
			fmt.Fprintf(&b, "\n%s:\n", sentenceCase(s.Title))
			writeBlocks(&b, s.Body, 2)
		}
	}
	b.WriteString("\nExit codes (the same for isz and iszmount):\n")
	for _, e := range p.Exits {
		writeItem(&b, fmt.Sprint(e.Code), e.Meaning)
	}
	return b.String()
}

// CommandHelp is the text of "isz NAME -h", or "" when there is no such
// command: its usage lines, description and flags, those every command
// takes (the page's) last.
func (p *Page) CommandHelp(name string) string {
	c := p.Command(name)
	if c == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(p.CommandUsage(name))
	writeBlocks(&b, c.Body, 0)
	if flags := p.commandFlags(c); len(flags) > 0 {
		b.WriteString("\nFlags:\n")
		writeFlags(&b, flags)
	}
	return b.String()
}

// CommandUsage is the usage lines of the command name ("usage: isz NAME
// ..." for each form), which isz prints after a usage error and at the
// top of "isz NAME -h"; "" when there is no such command.
func (p *Page) CommandUsage(name string) string {
	c := p.Command(name)
	if c == nil {
		return ""
	}
	var b strings.Builder
	writeSynopsis(&b, "usage:", p.Name+" "+c.Name, c.Synopsis)
	return b.String()
}

// Usage is the reminder printed when a command with subcommands is run
// without arguments: the page's first synopsis, then every command's.
func (p *Page) Usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s %s   (\"%s help\" explains)\n", p.Name, p.Synopsis[0], p.Name)
	for _, c := range p.Commands {
		for _, s := range c.Synopsis {
			fmt.Fprintf(&b, "  %s %s %s\n", p.Name, c.Name, s)
		}
	}
	return b.String()
}

// writeSynopsis writes one line per form, the first after lead, the
// others aligned under it.
func writeSynopsis(b *strings.Builder, lead, name string, forms []string) {
	for i, s := range forms {
		if i > 0 {
			lead = strings.Repeat(" ", len(lead))
		}
		fmt.Fprintf(b, "%s %s %s\n", lead, name, s)
	}
}

func writeFlags(b *strings.Builder, flags []Flag) {
	for _, f := range flags {
		t := f.term()
		if f.Arg != "" {
			t += " " + f.Arg
		}
		writeItem(b, t, f.Text)
	}
}

// writeBlocks writes paragraphs, each after an empty line, indented by
// indent columns.
func writeBlocks(b *strings.Builder, blocks []Block, indent int) {
	for _, bl := range blocks {
		switch {
		case bl.Code != "":
			b.WriteString("\n")
			for _, l := range strings.Split(bl.Code, "\n") {
				if l != "" {
					l = strings.Repeat(" ", indent+2) + l
				}
				b.WriteString(l + "\n")
			}
		case len(bl.Items) > 0:
			for _, it := range bl.Items {
				writeItem(b, it.Term, it.Text)
			}
		default:
			b.WriteString("\n")
			wrap(b, bl.Text, indent)
		}
	}
}

// termWidth is the column of definition texts; longer terms get a line of
// their own.
const termWidth = 20

// writeItem writes one definition: the term at column 2, the text at
// column termWidth+3.
func writeItem(b *strings.Builder, term, text string) {
	pad := strings.Repeat(" ", termWidth+3)
	if len(term) > termWidth {
		fmt.Fprintf(b, "  %s\n", term)
		wrap(b, text, len(pad))
		return
	}
	var w strings.Builder
	wrap(&w, text, len(pad))
	fmt.Fprintf(b, "  %-*s %s", termWidth, term, strings.TrimPrefix(w.String(), pad))
}

// wrap writes text wrapped at width, every line indented by indent.
func wrap(b *strings.Builder, text string, indent int) {
	col := 0
	for _, w := range strings.Fields(text) {
		if col > indent && col+1+len(w) > width {
			b.WriteString("\n")
			col = 0
		}
		if col == 0 {
			b.WriteString(strings.Repeat(" ", indent))
			col = indent
		} else {
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteString("\n")
}

func sentenceCase(s string) string {
	return s[:1] + strings.ToLower(s[1:])
}
