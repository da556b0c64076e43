package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/iszmount/iszmount/disc"
	ifs "github.com/iszmount/iszmount/fs"
	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/iso9660view"
	"github.com/iszmount/iszmount/isz"
	"github.com/iszmount/iszmount/udfview"
)

// image is the opened IMAGE: an ISZ (decompressed on demand) or a plain ISO.
type image struct {
	path    string
	src     ifs.Source
	isz     *isz.Reader // nil for a plain file
	closer  io.Closer
	modTime time.Time
}

// openImage opens path: an ISZ image (any member of a split set) decoded by
// workers goroutines or, if it has no ISZ header, a plain file served as it
// is. cliutil.OpenImage decides which, as for isz.
func openImage(path, password string, workers int, cfg *config) (*image, error) {
	f, err := cliutil.OpenImage(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open image: %w", err)
	}
	img := &image{path: path, modTime: f.ModTime}
	if !f.ISZ {
		img.src, img.closer = io.NewSectionReader(f, 0, f.Size), f
		return img, nil
	}
	f.Close()
	r, err := isz.Open(path, &isz.Options{Password: password, CacheSize: cfg.cacheSize, Workers: workers})
	if errors.Is(err, isz.ErrNeedPassword) {
		err = fmt.Errorf("%w (give -o passfile=FILE or $%s, or run iszmount on a terminal to be asked)", err, cliutil.PasswordEnv)
	}
	if err != nil {
		// Some of isz.Open's errors name the file, some do not;
		// cliutil.Message says a repeated name once.
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img.src, img.isz, img.closer = r, r, r
	return img, nil
}

func (img *image) Close() error { return img.closer.Close() }

// rawName is the name of the raw node: the image's base name with its
// image and split-set extensions replaced by ".iso" ("disc.part01.isz",
// "disc.i01" and "disc.isz" all give "disc.iso").
func rawName(path string) string {
	base := isz.SetBaseName(filepath.Base(path))
	if ext := filepath.Ext(base); strings.EqualFold(ext, ".iso") {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || base == "." || base == ".." {
		base = "image"
	}
	return base + ".iso"
}

// newFS chooses the mode and builds the file system: the disc's tree, UDF
// or ISO 9660 as disc.Open picks (or -o fs= asks), when there is one
// (unless mode=raw); else the raw image with a notice that says why. Asking
// for mode=tree when there is no tree, giving a plain file that holds
// neither file system, or an image whose descriptors cannot be read (a
// damaged chunk: that is a broken image, not one without a tree) is an
// error.
func newFS(img *image, cfg *config, fopts *ifs.Options, log *slog.Logger) (*ifs.FS, error) {
	raw := func() *ifs.FS { return ifs.NewRaw(rawName(img.path), img.src, img.modTime, fopts) }
	if cfg.mode == "raw" {
		return raw(), nil
	}
	tree, err := openDisc(img, cfg)
	if err == nil {
		log.Debug("tree mode", "fs", tree.FS(), "reason", tree.Reason())
		return ifs.NewTree(tree, fopts), nil
	}
	verdict := errors.Is(err, disc.ErrNoFileSystem) ||
		errors.Is(err, iso9660view.ErrFormat) || errors.Is(err, iso9660view.ErrUnsupported) ||
		errors.Is(err, udfview.ErrFormat) || errors.Is(err, udfview.ErrUnsupported)
	switch {
	case !verdict:
		return nil, fmt.Errorf("%s is damaged: cannot read its file system descriptors: %w", img.path, err)
	case cfg.mode == "tree":
		return nil, fmt.Errorf("%s has no usable directory tree (mode=raw serves the image as one file): %w", img.path, err)
	case img.isz == nil:
		return nil, fmt.Errorf("%s is neither an ISZ image nor an ISO 9660 or UDF file system: %w", img.path, err)
	}
	log.Warn("no usable directory tree, mounting in raw mode", "file", rawName(img.path), "reason", cliutil.Message(err))
	return raw(), nil
}

// openDisc reads the image's file system as the options ask.
func openDisc(img *image, cfg *config) (*disc.Tree, error) {
	return disc.Open(img.src, img.src.Size(), &disc.Options{FS: cfg.fsView, NoRock: cfg.noRock, NoJoliet: cfg.noJoliet})
}
