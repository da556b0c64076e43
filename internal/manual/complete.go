package manual

import (
	"fmt"
	"sort"
	"strings"
)

// header starts every generated completion script.
const header = "# %s completion for %s: generated from internal/manual by \"go generate ./internal/manual\"; do not edit.\n"

// words is the flag spellings of flags, space-separated.
func words(flags []Flag) string {
	var w []string
	for _, f := range flags {
		w = append(w, f.names()...)
	}
	return strings.Join(w, " ")
}

// optionWords are the -o options as typed: "mode=" for one with a value.
func (p *Page) optionWords() []string {
	var w []string
	for _, o := range p.Options {
		if o.Arg != "" {
			w = append(w, o.Name+"=")
		} else {
			w = append(w, o.Name)
		}
	}
	return w
}

// Bash renders the bash completion script of p (for bash-completion's
// completions directory, or to source).
func (p *Page) Bash() string {
	var b strings.Builder
	fn := "_" + p.Name
	fmt.Fprintf(&b, header, "bash", p.Name)
	b.WriteString(`
# The word being completed is taken from COMP_LINE up to the cursor, not
# from COMP_WORDS, which readline splits at "=" and ":" as well.
`)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString(`    local line=${COMP_LINE:0:COMP_POINT} cur prev
    cur=${line##*[[:space:]]}
    local -a before
    read -ra before <<<"${line%"$cur"}"
    prev=${before[${#before[@]}-1]}
    COMPREPLY=()
`)
	if len(p.Commands) > 0 {
		var names []string
		for _, c := range p.Commands {
			names = append(names, c.Name)
		}
		all := strings.Join(names, " ")
		fmt.Fprintf(&b, "    if [[ ${#before[@]} -le 1 ]]; then\n        if [[ $cur == -* ]]; then\n            COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n        else\n            COMPREPLY=($(compgen -W '%s help version' -- \"$cur\"))\n        fi\n        return\n    fi\n", words(p.Flags), all)
		b.WriteString("    case ${before[1]} in\n")
		fmt.Fprintf(&b, "    help)\n        [[ ${#before[@]} -eq 2 ]] && COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n        return ;;\n", all)
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "    %s)\n", c.Name)
			bashFlags(&b, p.commandFlags(&c), "        ")
			b.WriteString("        ;;\n")
		}
		b.WriteString("    *) return ;;\n    esac\n")
	} else {
		bashFlags(&b, p.Flags, "    ")
	}
	fmt.Fprintf(&b, "}\ncomplete -o default -F %s %s\n", fn, p.Name)
	return b.String()
}

// bashFlags writes the completion of flags, their values and (for
// iszmount) -o options; file names are left to "complete -o default".
func bashFlags(b *strings.Builder, flags []Flag, in string) {
	fmt.Fprintf(b, "%scase $prev in\n", in)
	for _, f := range flags {
		if f.Arg == "" {
			continue
		}
		pat := strings.Join(f.names(), "|")
		switch {
		case f.Short == "o" && f.Long == "options":
			fmt.Fprintf(b, "%s%s)\n%s    %s_options\n%s    return ;;\n", in, pat, in, "__iszmount", in)
		case len(f.Values) > 0:
			fmt.Fprintf(b, "%s%s)\n%s    COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n%s    return ;;\n", in, pat, in, strings.Join(f.Values, " "), in)
		case f.Files:
			fmt.Fprintf(b, "%s%s) return ;;\n", in, pat)
		default:
			fmt.Fprintf(b, "%s%s) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;\n", in, pat)
		}
	}
	fmt.Fprintf(b, "%sesac\n", in)
	fmt.Fprintf(b, "%sif [[ $cur == -* ]]; then\n%s    COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n%sfi\n", in, in, words(flags), in)
}

// bashOptions renders the helper of iszmount's bash script that completes the
// last item of a comma-separated -o list.
func (p *Page) bashOptions() string {
	var b strings.Builder
	b.WriteString("\n# __iszmount_options completes the last item of an -o list: option names,\n# then the values of mode=, passfile= and logfile=.\n")
	b.WriteString("__iszmount_options() {\n")
	b.WriteString(`    local head= item=$cur
    if [[ $cur == *,* ]]; then head=${cur%,*},; item=${cur##*,}; fi
    case $item in
`)
	for _, o := range p.Options {
		switch {
		case len(o.Values) > 0:
			fmt.Fprintf(&b, "    %s=*) COMPREPLY=($(compgen -P \"${head}%s=\" -W '%s' -- \"${item#*=}\")) ;;\n", o.Name, o.Name, strings.Join(o.Values, " "))
		case o.Arg == "FILE":
			fmt.Fprintf(&b, "    %s=*) COMPREPLY=($(compgen -P \"${head}%s=\" -f -- \"${item#*=}\")) ;;\n", o.Name, o.Name)
		}
	}
	fmt.Fprintf(&b, "    *=*) ;;\n    *)\n        COMPREPLY=($(compgen -P \"$head\" -W '%s' -- \"$item\"))\n        compopt -o nospace 2>/dev/null ;;\n    esac\n", strings.Join(p.optionWords(), " "))
	b.WriteString(`    # readline replaces only the part after the last "=" or ":" of the word.
    local pre=${cur%"${cur##*[=:]}"}
    [[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]#"$pre"}")
}
`)
	return b.String()
}

// zq quotes s for zsh completion specs: inside single quotes, with the
// characters _arguments and _describe treat specially escaped.
func zq(s string) string {
	s = strings.NewReplacer(`\`, `\\`, ":", `\:`, "[", `\[`, "]", `\]`, "'", `'\''`).Replace(s)
	return s
}

// zshFlagSpecs are _arguments specs for flags.
func zshFlagSpecs(flags []Flag, optAction string) []string {
	var specs []string
	for _, f := range flags {
		names := f.names()
		excl := ""
		if len(names) > 1 {
			excl = "(" + strings.Join(names, " ") + ")"
		}
		action := ""
		if f.Arg != "" {
			switch {
			case f.Short == "o" && optAction != "":
				action = ":" + f.Arg + ":" + optAction
			case len(f.Values) > 0:
				action = ":" + f.Arg + ":(" + strings.Join(f.Values, " ") + ")"
			case f.Files:
				action = ":" + f.Arg + ":_files"
			default:
				action = ":" + f.Arg + ": "
			}
		}
		for _, n := range names {
			specs = append(specs, fmt.Sprintf("'%s%s[%s]%s'", excl, n, zq(f.Text), action))
		}
	}
	return specs
}

// Zsh renders the zsh completion function of p (a file "_NAME" in $fpath).
func (p *Page) Zsh() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#compdef %s\n", p.Name)
	fmt.Fprintf(&b, header, "zsh", p.Name)
	if len(p.Commands) > 0 {
		b.WriteString("\nlocal -a commands\ncommands=(\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "  '%s:%s'\n", c.Name, zq(c.Summary))
		}
		b.WriteString("  'help:describe the commands or one command'\n  'version:print the version'\n)\n")
		b.WriteString("local -a flags\nflags=(\n")
		for _, f := range p.Flags {
			for _, n := range f.names() {
				fmt.Fprintf(&b, "  '%s:%s'\n", n, zq(f.Text))
			}
		}
		b.WriteString(")\n")
		b.WriteString("if (( CURRENT == 2 )); then\n  if [[ $PREFIX == -* ]]; then\n    _describe -t flags 'isz flag' flags\n  else\n    _describe -t commands 'isz command' commands\n  fi\n  return\nfi\n")
		b.WriteString("local cmd=$words[2]\nshift words\n(( CURRENT-- ))\ncase $cmd in\n")
		b.WriteString("  help) _describe -t commands 'isz command' commands ;;\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "  %s)\n    _arguments -s \\\n", c.Name)
			for _, s := range zshFlagSpecs(p.commandFlags(&c), "") {
				fmt.Fprintf(&b, "      %s \\\n", s)
			}
			b.WriteString("      '*:file:_files' ;;\n")
		}
		b.WriteString("esac\n")
		return b.String()
	}
	b.WriteString("\n_iszmount_options() {\n  _values -s , 'mount option' \\\n")
	for i, o := range p.Options {
		spec := o.Name + "[" + zq(o.Text) + "]"
		switch {
		case len(o.Values) > 0:
			spec += ":" + o.Arg + ":(" + strings.Join(o.Values, " ") + ")"
		case o.Arg == "FILE":
			spec += ":" + o.Arg + ":_files"
		case o.Arg != "":
			spec += ":" + o.Arg + ": "
		}
		end := " \\"
		if i == len(p.Options)-1 {
			end = ""
		}
		fmt.Fprintf(&b, "    '%s'%s\n", spec, end)
	}
	b.WriteString("}\n\n_arguments -s \\\n")
	for _, s := range zshFlagSpecs(p.Flags, "_iszmount_options") {
		fmt.Fprintf(&b, "  %s \\\n", s)
	}
	b.WriteString("  '1:image:_files' \\\n  '2:mount point:_files -/'\n")
	return b.String()
}

// fq quotes s for fish: single quotes, with \ and ' escaped.
func fq(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// fishFlags writes one complete line per flag; cond limits them to a
// subcommand.
func fishFlags(b *strings.Builder, name, cond string, flags []Flag) {
	for _, f := range flags {
		var parts []string
		parts = append(parts, "complete -c "+name)
		if cond != "" {
			parts = append(parts, "-n "+fq(cond))
		}
		if f.Short != "" {
			// isz spells one-letter flags with one dash, and so does fish's -s.
			parts = append(parts, "-s "+f.Short)
		}
		if f.Long != "" {
			parts = append(parts, "-l "+f.Long)
		}
		switch {
		case f.Short == "o" && name == "iszmount":
			parts = append(parts, "-x -a "+fq("(__fish_complete_list , __iszmount_options)"))
		case len(f.Values) > 0:
			parts = append(parts, "-x -a "+fq(strings.Join(f.Values, " ")))
		case f.Files:
			parts = append(parts, "-r -F")
		case f.Arg != "":
			parts = append(parts, "-x")
		}
		parts = append(parts, "-d "+fq(f.Text))
		b.WriteString(strings.Join(parts, " ") + "\n")
	}
}

// Fish renders the fish completion script of p.
func (p *Page) Fish() string {
	var b strings.Builder
	fmt.Fprintf(&b, header, "fish", p.Name)
	if len(p.Commands) > 0 {
		var names []string
		for _, c := range p.Commands {
			names = append(names, c.Name)
		}
		fmt.Fprintf(&b, "complete -c %s -f\n", p.Name)
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -a %s -d %s\n", p.Name, c.Name, fq(c.Summary))
		}
		fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -a help -d 'describe the commands or one command'\n", p.Name)
		fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -a version -d 'print the version'\n", p.Name)
		fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from help' -a %s\n", p.Name, fq(strings.Join(names, " ")))
		fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from %s' -F\n", p.Name, strings.Join(names, " "))
		fishFlags(&b, p.Name, "", p.Flags) // before and after the command
		for _, c := range p.Commands {
			fishFlags(&b, p.Name, "__fish_seen_subcommand_from "+c.Name, c.Flags)
		}
		return b.String()
	}
	fishFlags(&b, p.Name, "", p.Flags)
	b.WriteString("\nfunction __iszmount_options\n")
	for _, o := range p.Options {
		vals := []string{o.Name}
		switch {
		case len(o.Values) > 0:
			vals = vals[:0]
			for _, v := range o.Values {
				vals = append(vals, o.Name+"="+v)
			}
		case o.Arg != "":
			vals = []string{o.Name + "="}
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "    printf '%%s\\t%%s\\n' %s %s\n", fq(v), fq(o.Text))
		}
	}
	b.WriteString("end\n")
	return b.String()
}

// Generated is every generated file by its path below the repository root.
func Generated() map[string]string {
	out := map[string]string{}
	for _, p := range Pages() {
		out["packaging/man/"+p.Name+".1"] = p.Roff()
		bash := p.Bash()
		if len(p.Options) > 0 {
			bash += p.bashOptions()
		}
		out["packaging/completions/"+p.Name+".bash"] = bash
		out["packaging/completions/_"+p.Name] = p.Zsh()
		out["packaging/completions/"+p.Name+".fish"] = p.Fish()
	}
	return out
}

// GeneratedPaths are the keys of Generated, sorted.
func GeneratedPaths() []string {
	var paths []string
	for p := range Generated() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}
