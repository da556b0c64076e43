// Package manual is the one source of the documentation of iszmount and
// isz: synopsis, description, flags, mount options, subcommands, exit
// codes, fstab and systemd use. Everything a user reads about the commands
// is rendered from the two pages here, so the forms cannot drift apart:
//
//   - Help renders the text of "iszmount --help", "isz help" and
//     "isz COMMAND -h" (the commands print it as is);
//   - Roff renders the man pages iszmount(1) and isz(1);
//   - Bash, Zsh and Fish render the shell completion scripts, whose word
//     lists (subcommands, flags, -o options and their values) come from the
//     same tables.
//
// The man pages and completion scripts are generated files, committed
// under packaging/ so that "make install" and the Debian package need no
// Go toolchain beyond the build: "go generate ./internal/manual" (or "make
// man") rewrites them, and TestManGenerated fails when the committed files
// differ from what the generator writes.
//
// # Writing text
//
// Text is plain: paragraphs are strings wrapped by the renderers, examples
// are preformatted Code blocks kept line for line. A Term names a flag or
// an option; the man renderer sets it in bold, its argument in italics.
// Nothing else is marked up, so every renderer can show every string.
//
// # Keeping it true
//
// The commands hold no text of their own: isz's flag sets carry no usage
// strings and its command table only names and flags, so the manual is the
// only place to write. Tests in the commands hold the tables to the code,
// both ways: cmd/isz TestManual compares every command's flags (long and
// short names, whether they take a value, stated defaults) with the flag
// set it parses, and checks every flag named in a synopsis, description or
// example; cmd/iszmount TestManualOptions feeds every documented flag and
// -o option to the parser, and TestManualOptionsComplete probes the parser
// for the flags and options it accepts that are not documented.
//
// # Exit codes
//
// Each page carries the exit-code table (Page.Exits) that both commands
// share. It is not written here: it is read from internal/exitcode, the
// package that also maps errors to those codes, so it cannot drift.
package manual

//go:generate go run ./gen -root ../..
