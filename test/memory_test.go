package test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/iszmount/iszmount/isz"
)

// TestMemoryBudget mounts an image whose tree is large next to its cache
// budget (60,000 files, about 45 MiB of tree for a 64 MiB cache=) and
// whose data is larger than the cache, walks and reads all of it, and
// holds the daemon's peak RSS to the budget + 64 MiB the README promises:
// the cache must give way to the tree, and the garbage collector must not
// let the heap double.
func TestMemoryBudget(t *testing.T) {
	const (
		dirs, perDir = 300, 200
		bigSize      = 128 << 20
		budget       = 64 << 20
	)
	src := filepath.Join(t.TempDir(), "src")
	rng := rand.New(rand.NewPCG(7, 7))
	for d := range dirs {
		dir := filepath.Join(src, fmt.Sprintf("dir%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range perDir {
			data := strconv.AppendUint(nil, rng.Uint64(), 16)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%03d.txt", f)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Compressible but not trivially: words drawn at random.
	var big bytes.Buffer
	words := []string{"alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "eta ", "theta\n"}
	for big.Len() < bigSize {
		big.WriteString(words[rng.IntN(len(words))])
	}
	if err := os.WriteFile(filepath.Join(src, "big.txt"), big.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	img := treeISZ(t, src, &isz.WriterOptions{Codec: isz.CodecZlib, Level: 1}, "-R", "-J")

	m := mountDaemon(t, bin, img, fmt.Sprintf("cache=%d", budget))
	for _, script := range []string{"find . | wc -l", "ls -lR | wc -l", "tar cf - . | wc -c"} {
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = m.dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		if script == "find . | wc -l" && strings.TrimSpace(string(out)) != strconv.Itoa(1+dirs+dirs*perDir+1) {
			t.Fatalf("find saw %s entries, want %d", strings.TrimSpace(string(out)), 1+dirs+dirs*perDir+1)
		}
	}
	hwm := peakRSS(t, m.pid) >> 10 // KiB
	t.Logf("peak RSS %d MiB for cache=%d MiB", hwm>>10, budget>>20)
	if limit := int64(budget+64<<20) >> 10; hwm > limit {
		t.Errorf("peak RSS %d MiB, want at most cache + 64 MiB = %d MiB", hwm>>10, limit>>10)
	}
}
