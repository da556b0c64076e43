package main

import (
	"flag"
	"strings"
)

// parseInterspersed parses args with fs, allowing flags anywhere among the
// positional arguments ("isz ls IMAGE -l" as well as "isz ls -l IMAGE"),
// which the standard flag package does not: it stops at the first
// positional. A "--" ends the flags; everything after it is positional, so a
// file named "-l" can still be given. A lone "-" is a positional (standard
// input or output). The positionals are returned in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(fs, a) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// takesValue reports whether the flag token a ("-x", "--name") consumes the
// next argument as its value: it names a known non-boolean flag and carries
// no "=value" of its own. Unknown flags take no value; fs.Parse reports them.
func takesValue(fs *flag.FlagSet, a string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}
