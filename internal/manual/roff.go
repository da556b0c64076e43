package manual

import (
	"fmt"
	"strings"
)

// Date is the date in the man pages' headers: the last change of the text.
const Date = "2026-12-02"

// Roff renders p as a man(7) page of section 1.
func (p *Page) Roff() string {
	var b strings.Builder
	fmt.Fprintf(&b, ".\\\" Generated from internal/manual by \"go generate ./internal/manual\"; do not edit.\n")
	fmt.Fprintf(&b, ".TH %s 1 %s %s \"User Commands\"\n", strings.ToUpper(p.Name), Date, p.Name)
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", p.Name, esc(p.Summary))
	b.WriteString(".SH SYNOPSIS\n")
	for i, s := range p.Synopsis {
		if i > 0 {
			b.WriteString(".br\n")
		}
		fmt.Fprintf(&b, ".B %s\n%s\n", p.Name, esc(s))
	}
	b.WriteString(".SH DESCRIPTION\n")
	roffBlocks(&b, p.Description, true)
	if len(p.Commands) > 0 {
		b.WriteString(".PP\nThe commands:\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, ".TP\n%s\n%s", bold(c.Name), text(c.Summary))
		}
	}
	if len(p.Flags) > 0 {
		b.WriteString(".SH OPTIONS\n")
		roffFlags(&b, p.Flags)
	}
	if len(p.Options) > 0 {
		b.WriteString(".SH MOUNT OPTIONS\n")
		for _, o := range p.Options {
			t := bold(o.Name)
			if o.Arg != "" {
				t += bold("=") + italic(o.Arg)
			}
			fmt.Fprintf(&b, ".TP\n%s\n%s", t, text(o.Text))
		}
		var ign []string
		for _, o := range p.Ignored {
			ign = append(ign, bold(o))
		}
		fmt.Fprintf(&b, ".PP\nAccepted and ignored (fstab and mount(8) noise):\n%s.\n", strings.Join(ign, ",\n"))
	}
	if len(p.Commands) > 0 {
		b.WriteString(".SH COMMANDS\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, ".SS %s\n", c.Name)
			for i, s := range c.Synopsis {
				if i > 0 {
					b.WriteString(".br\n")
				}
				fmt.Fprintf(&b, "%s %s\n", bold(p.Name+" "+c.Name), esc(s))
			}
			roffBlocks(&b, c.Body, false)
			roffFlags(&b, c.Flags)
		}
	}
	for _, s := range p.Sections {
		fmt.Fprintf(&b, ".SH %s\n", s.Title)
		roffBlocks(&b, s.Body, true)
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range p.Exits {
		fmt.Fprintf(&b, ".TP\n.B %d\n%s", e.Code, text(e.Meaning))
	}
	b.WriteString(".SH SEE ALSO\n")
	for i, s := range p.SeeAlso {
		name, sec, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
		sep := ","
		if i == len(p.SeeAlso)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, ".BR %s (%s)%s\n", esc(name), sec, sep)
	}
	return b.String()
}

func roffFlags(b *strings.Builder, flags []Flag) {
	for _, f := range flags {
		var names []string
		for _, n := range f.names() {
			names = append(names, bold(n))
		}
		t := strings.Join(names, ", ")
		if f.Arg != "" {
			t += " " + italic(f.Arg)
		}
		fmt.Fprintf(b, ".TP\n%s\n%s", t, text(f.Text))
	}
}

// roffBlocks writes paragraphs; the first one after a heading needs no
// paragraph macro (mandoc -Tlint warns of one).
func roffBlocks(b *strings.Builder, blocks []Block, afterHeading bool) {
	for i, bl := range blocks {
		if i > 0 || !afterHeading {
			if bl.Items == nil {
				b.WriteString(".PP\n")
			}
		}
		switch {
		case bl.Code != "":
			b.WriteString(".RS 4\n.EX\n")
			for _, l := range strings.Split(bl.Code, "\n") {
				b.WriteString(esc(l) + "\n")
			}
			b.WriteString(".EE\n.RE\n")
		case len(bl.Items) > 0:
			for _, it := range bl.Items {
				fmt.Fprintf(b, ".TP\n%s\n%s", bold(it.Term), text(it.Text))
			}
		default:
			b.WriteString(text(bl.Text))
		}
	}
}

// lineWidth is where text lines are broken (mandoc -Tlint wants at most 80).
const lineWidth = 72

// text is s escaped and broken into input lines at spaces.
func text(s string) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(esc(s)) {
		switch {
		case n == 0:
		case n+1+len(w) > lineWidth:
			b.WriteString("\n")
			n = 0
		default:
			b.WriteString(" ")
			n++
		}
		if n == 0 && (strings.HasPrefix(w, ".") || strings.HasPrefix(w, "'")) {
			w = `\&` + w
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String() + "\n"
}

// esc makes text safe as roff input: backslashes and dashes escaped (a
// dash is a minus sign, as in options one copies), and a leading dot or
// quote kept from starting a request.
func esc(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func bold(s string) string   { return `\fB` + esc(s) + `\fR` }
func italic(s string) string { return `\fI` + esc(s) + `\fR` }
