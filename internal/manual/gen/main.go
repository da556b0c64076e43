// Command gen writes the man pages and shell completion scripts rendered by
// package manual below the repository root given by -root ("go generate
// ./internal/manual", "make man").
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/iszmount/iszmount/internal/manual"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	files := manual.Generated()
	for _, p := range manual.GeneratedPaths() {
		name := filepath.Join(*root, p)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(name, []byte(files[p]), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
