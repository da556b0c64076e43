package cliutil

import (
	"runtime/debug"
	"strings"
)

// Version is the line both commands print for -V and --version: the
// program name, the module version it was built as ("(devel)" for a build
// from a source tree) and, when the build recorded it, the VCS revision
// with a "+dirty" mark for uncommitted changes.
func Version(program string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return program + " (unknown version)"
	}
	return program + " " + versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" && !strings.Contains(v, rev) { // pseudo-versions already hold it
		v += " " + rev + dirty
	}
	return v
}
