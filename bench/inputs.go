package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// inputs are the files every tool reads, all made from one source tree.
type inputs struct {
	tree     *tree
	iso      string // xorriso, Rock Ridge + Joliet
	isoSize  int64
	isoSHA   string
	gz       string // pigz -6 of the ISO
	bz2      string // bzip2 -9 of the ISO
	treeSqfs string // mksquashfs of the tree
	isoSqfs  string // mksquashfs of the ISO alone (one big file)
	iszZlib  string // isz create -c zlib
	iszBzip2 string // isz create -c bzip2
	big      string // an ISZ (zlib) of an ISO four times the size, for the RSS check
	bigSize  int64
	udf      string                   // an ISZ (zlib) of a UDF bridge ISO of the tree (genisoimage -udf -R -J)
	udfSize  int64                    // that ISO's size
	million  *millionInputs           // measurement 10's, full mode only
	built    map[string]time.Duration // how long each artifact took (fresh ones only)
}

// artifacts rebuilds a file only when its recipe changed: each file has a
// .key beside it naming the recipe and its inputs' keys, so a second run of
// the harness reuses every input, and a .took beside it saying how long its
// build took, for the reports of later runs.
type artifacts struct {
	built map[string]time.Duration
	mu    sync.Mutex
}

// make calls build(tmp) to create path unless path exists with the same key;
// build writes tmp, which is renamed into place only on success.
func (a *artifacts) make(path, key string, build func(tmp string) error) error {
	if old, err := os.ReadFile(path + ".key"); err == nil && string(old) == key {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
	}
	tmp := path + ".tmp"
	os.RemoveAll(tmp)
	os.Remove(path + ".key")
	start := time.Now()
	logf("building %s", filepath.Base(path))
	if err := build(tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("building %s: %w", filepath.Base(path), err)
	}
	os.RemoveAll(path)
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	took := time.Since(start)
	a.mu.Lock()
	a.built[filepath.Base(path)] = took
	a.mu.Unlock()
	if err := os.WriteFile(path+".took", []byte(took.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(path+".key", []byte(key), 0o644)
}

// took reads how long the build of path took, when it was built (zero if
// that is not known: an input built before the harness recorded it).
func took(path string) time.Duration {
	data, err := os.ReadFile(path + ".took")
	if err != nil {
		return 0
	}
	d, _ := time.ParseDuration(string(data))
	return d
}

func buildInputs(ctx context.Context, c *config) (*inputs, error) {
	dir := filepath.Join(c.work, "inputs-"+c.mode())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	a := &artifacts{built: map[string]time.Duration{}}
	in := &inputs{built: a.built}
	p := func(name string) string { return filepath.Join(dir, name) }

	// The source tree.
	srcKey := fmt.Sprintf("tree v2 budget=%d roots=%v", c.srcBytes, sourceRoots(c.goroot))
	if err := a.make(p("src"), srcKey, func(tmp string) error {
		t, err := buildTree(sourceRoots(c.goroot), c.srcBytes, tmp, c.work)
		if err != nil {
			return err
		}
		return t.save(p("src.json"))
	}); err != nil {
		return nil, err
	}
	t, err := loadTree(p("src.json"), p("src"))
	if err != nil {
		return nil, fmt.Errorf("reading the tree description: %w", err)
	}
	in.tree = t

	// The ISO, with Rock Ridge and Joliet, as mkisofs users make it.
	in.iso = p("tree.iso")
	isoKey := srcKey + " | xorriso -as mkisofs -R -J"
	if err := a.make(in.iso, isoKey, func(tmp string) error {
		return mkisofs(ctx, tmp, "-V", "ISZBENCH", p("src"))
	}); err != nil {
		return nil, err
	}
	if in.isoSHA, in.isoSize, err = sha256File(in.iso); err != nil {
		return nil, err
	}
	isoKey += " " + in.isoSHA

	// The peers' inputs, built two at a time (each tool is itself parallel).
	in.gz, in.bz2 = p("tree.iso.gz"), p("tree.iso.bz2")
	in.treeSqfs, in.isoSqfs = p("tree.sqfs"), p("iso.sqfs")
	steps := []func() error{
		func() error {
			return a.make(in.treeSqfs, srcKey+" | mksquashfs -comp gzip -b 131072", func(tmp string) error {
				return mksquashfs(ctx, p("src"), tmp)
			})
		},
		func() error {
			return a.make(in.isoSqfs, isoKey+" | mksquashfs -comp gzip -b 131072", func(tmp string) error {
				return mksquashfs(ctx, in.iso, tmp)
			})
		},
		func() error {
			return a.make(in.gz, isoKey+" | pigz -6", func(tmp string) error {
				return shellToFile(ctx, tmp, "pigz", "-6", "-c", in.iso)
			})
		},
		func() error {
			return a.make(in.bz2, isoKey+" | bzip2 -9", func(tmp string) error {
				return parallelBzip2(ctx, in.iso, tmp)
			})
		},
	}
	if err := runAll(steps, 2); err != nil {
		return nil, err
	}

	if c.peersOnly {
		return in, nil
	}
	// The ISZ images. Their key is the recipe, not the isz binary: the
	// format is fixed, so an image made by an earlier build is still the
	// same image, and every run checks the bytes read back from it anyway.
	// Delete the work directory to rebuild them with a new writer.
	in.iszZlib, in.iszBzip2 = p("tree-zlib.isz"), p("tree-bzip2.isz")
	for _, img := range []struct{ path, codec string }{{in.iszZlib, "zlib"}, {in.iszBzip2, "bzip2"}} {
		key := fmt.Sprintf("%s | isz create -b 128K -c %s", isoKey, img.codec)
		if err := a.make(img.path, key, func(tmp string) error {
			_, err := run(ctx, "", c.isz, "create", "-b", "128K", "-c", img.codec, in.iso, tmp)
			return err
		}); err != nil {
			return nil, err
		}
	}

	// The big image: the tree four times over (as distinct copies, since
	// xorriso stores files with the same inode once), compressed with zlib.
	// Its ISO and copies are deleted once the ISZ exists.
	in.big = p("big-zlib.isz")
	bigKey := fmt.Sprintf("%s | x%d | isz create -b 128K -c zlib", srcKey, c.bigFactor)
	if err := a.make(in.big, bigKey, func(tmp string) error {
		return buildBig(ctx, c, p("src"), p("big"), tmp, p("big.size"))
	}); err != nil {
		return nil, err
	}
	if in.bigSize, err = readSize(p("big.size")); err != nil {
		return nil, err
	}

	// The UDF bridge disc: the same tree written by genisoimage with UDF
	// beside ISO 9660 (Rock Ridge, Joliet), the file data shared by both,
	// as an ISZ. Its ISO is deleted once the ISZ exists.
	in.udf = p("udf-zlib.isz")
	udfKey := srcKey + " | genisoimage -udf -R -J -joliet-long | isz create -b 128K -c zlib"
	if err := a.make(in.udf, udfKey, func(tmp string) error {
		return stagedISZ(ctx, c, p("udf"), tmp, p("udf.size"), func(iso string) error {
			_, err := run(ctx, "", "genisoimage", "-quiet", "-udf", "-R", "-J", "-joliet-long", "-V", "ISZUDF", "-o", iso, p("src"))
			return err
		})
	}); err != nil {
		return nil, err
	}
	if in.udfSize, err = readSize(p("udf.size")); err != nil {
		return nil, err
	}

	if !c.small && c.selected("10") {
		if in.million, err = buildMillion(ctx, c, a, p("million")); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// buildBig makes an ISZ of an ISO holding c.bigFactor copies of src.
func buildBig(ctx context.Context, c *config, src, stage, out, sizeFile string) error {
	copies := filepath.Join(stage, "tree")
	return stagedISZ(ctx, c, stage, out, sizeFile, func(iso string) error {
		if err := os.MkdirAll(copies, 0o755); err != nil {
			return err
		}
		for i := range c.bigFactor {
			if _, err := run(ctx, "", "cp", "-a", src, filepath.Join(copies, fmt.Sprintf("copy%d", i))); err != nil {
				return err
			}
		}
		if err := mkisofs(ctx, iso, "-V", "ISZBIG", copies); err != nil {
			return err
		}
		return os.RemoveAll(copies)
	})
}

// stagedISZ makes an ISZ (zlib, 128 KiB chunks) of an ISO that mkiso writes
// under the directory stage, records the ISO's size in sizeFile, and
// removes the stage: only the ISZ is kept.
func stagedISZ(ctx context.Context, c *config, stage, out, sizeFile string, mkiso func(iso string) error) error {
	os.RemoveAll(stage)
	defer os.RemoveAll(stage)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return err
	}
	iso := filepath.Join(stage, "image.iso")
	if err := mkiso(iso); err != nil {
		return err
	}
	info, err := os.Stat(iso)
	if err != nil {
		return err
	}
	if err := os.WriteFile(sizeFile, []byte(strconv.FormatInt(info.Size(), 10)), 0o644); err != nil {
		return err
	}
	_, err = run(ctx, "", c.isz, "create", "-b", "128K", "-c", "zlib", iso, out)
	return err
}

// readSize reads a size that stagedISZ recorded.
func readSize(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return n, nil
}

func mkisofs(ctx context.Context, out string, args ...string) error {
	argv := append([]string{"xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-joliet-long", "-o", out}, args...)
	_, err := run(ctx, "", argv...)
	return err
}

func mksquashfs(ctx context.Context, src, out string) error {
	_, err := run(ctx, "", "mksquashfs", src, out, "-comp", "gzip", "-b", "131072", "-noappend", "-no-progress", "-quiet")
	return err
}

// shellToFile runs argv with its stdout in the file out.
func shellToFile(ctx context.Context, out string, argv ...string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	var stderr strings.Builder
	cmd := command(ctx, argv...)
	cmd.Stdout = f
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, stderr.String())
	}
	return f.Close()
}

// parallelBzip2 compresses in with `bzip2 -9` on every core: the file is cut
// into one piece per core, each compressed on its own, and the streams are
// concatenated, which `bzip2 -dc` reads back as one (Debian has no pbzip2 by
// default). Decompression, the thing measured, is unaffected.
func parallelBzip2(ctx context.Context, in, out string) error {
	info, err := os.Stat(in)
	if err != nil {
		return err
	}
	n := runtime.NumCPU()
	piece := (info.Size() + int64(n) - 1) / int64(n)
	parts := make([]string, n)
	steps := make([]func() error, n)
	for i := range n {
		parts[i] = fmt.Sprintf("%s.%d", out, i)
		steps[i] = func() error {
			f, err := os.Open(in)
			if err != nil {
				return err
			}
			defer f.Close()
			o, err := os.Create(parts[i])
			if err != nil {
				return err
			}
			defer o.Close()
			var stderr strings.Builder
			cmd := command(ctx, "bzip2", "-9", "-c")
			cmd.Stdin = io.NewSectionReader(f, int64(i)*piece, piece)
			cmd.Stdout = o
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("bzip2: %w: %s", err, stderr.String())
			}
			return o.Close()
		}
	}
	defer func() {
		for _, p := range parts {
			os.Remove(p)
		}
	}()
	if err := runAll(steps, n); err != nil {
		return err
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	defer o.Close()
	for _, p := range parts {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(o, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return o.Close()
}

// runAll runs steps, at most par at a time, and returns the first error.
func runAll(steps []func() error, par int) error {
	sem := make(chan struct{}, par)
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = s()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func sha256File(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// need reports a tool missing from PATH as a harness failure.
func need(tools ...string) error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing tools: %s", strings.Join(missing, ", "))
	}
	return nil
}
