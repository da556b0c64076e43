package main

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/isz"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"
)

var extractCmd = &command{
	name: "extract",
	flags: func(fs *pflag.FlagSet) func(context.Context, []string) error {
		var tf treeFlags // --norock and --nojoliet matter only with --files
		tf.register(fs)
		dest := fs.String("files", "", "")
		workers := fs.IntP("jobs", "j", 0, "")
		force := fs.BoolP("force", "f", false, "")
		keepSetID := fs.BoolP("preserve-setid", "p", false, "")
		return func(ctx context.Context, args []string) error {
			if *workers < 0 {
				return usagef("-j: %d workers", *workers)
			}
			if *dest != "" {
				if len(args) < 1 {
					return usagef("want IMAGE and optional PATHs, got %d arguments", len(args))
				}
				return extractFiles(ctx, args[0], *dest, args[1:], &tf, *workers, *keepSetID)
			}
			if len(args) != 2 {
				return usagef("want IMAGE.isz and OUT.iso, got %d arguments", len(args))
			}
			return extractImage(ctx, args[0], args[1], &tf.pw, *workers, *force)
		}
	},
}

// extractBlock is the size of each read from the image. Large reads keep the
// reader's prefetcher ahead and make few write system calls.
const extractBlock = 4 << 20

// extractBuffers is how many blocks are in flight between the reading and
// the writing goroutine: one being read, one being written, one spare.
const extractBuffers = 3

func extractImage(ctx context.Context, in, out string, pw *passwordFlags, workers int, force bool) (err error) {
	im, err := openImage(in, pw, workers)
	if errors.Is(err, fs.ErrNotExist) && exists(out) {
		return hintf("%s does not exist but %s does: are the arguments swapped? (isz extract IMAGE.isz OUT.iso)", in, out)
	}
	if err != nil {
		return err
	}
	defer im.Close()
	if err := im.requireISZ(); err != nil {
		if o, oerr := cliutil.OpenImage(out); oerr == nil {
			o.Close()
			if o.ISZ {
				return hintf("%s is not an ISZ image but %s is: are the arguments swapped? (isz extract IMAGE.isz OUT.iso)", in, out)
			}
		}
		return err
	}

	var w io.Writer = os.Stdout
	var wa io.WriterAt // set when holes can be skipped
	var commit func() error
	switch {
	case out == "-" && term.IsTerminal(int(os.Stdout.Fd())):
		return usagef("refusing to write a disc image to a terminal: redirect standard output or name a file")
	case out == "-":
	case sameFile(out, im.files()...):
		return usagef("%s is part of the image: refusing to overwrite it", out)
	default:
		mode, err := checkOutput(out, force)
		if err != nil {
			return err
		}
		name := out
		if mode == outputStaged {
			st, err := newStaging(out)
			if err != nil {
				return err
			}
			defer st.cleanup()
			name = st.path(out)
			commit = func() error { return st.commit([]string{out}) }
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if mode == outputDirect {
			f, err = os.OpenFile(name, os.O_WRONLY, 0)
		}
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
		if mode == outputStaged {
			wa = f // a new regular file: write at offsets, leave holes
		}
	}

	xs, err := dataExtents(im, wa != nil)
	if err != nil {
		return err
	}
	var total int64
	for _, x := range xs {
		total += x.end - x.off
	}
	bar := startProgress("extract", total)
	defer func() { bar.Finish(err == nil) }()
	crc, err := copyImage(ctx, im, xs, w, wa, bar)
	if err != nil {
		return err
	}
	if h := im.isz.Header(); h.HasChecksums() && h.Checksum1 != 0 && ^crc != h.Checksum1 {
		return fmt.Errorf("%s: the decoded image's CRC-32 is 0x%08X, the header records 0x%08X: %w", in, crc, ^h.Checksum1, isz.ErrChecksum)
	}
	if commit == nil {
		return nil
	}
	f := w.(*os.File)
	// The last extent may have been a hole: give the file its full size.
	if err := f.Truncate(im.size); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return commit()
}

// extent is a run of image bytes that holds data (not a hole).
type extent struct{ off, end int64 }

// dataExtents lists the non-hole runs of the image; with holes false it is
// the whole image.
func dataExtents(im *image, holes bool) ([]extent, error) {
	if !holes {
		return []extent{{0, im.size}}, nil
	}
	var xs []extent
	for off := int64(0); off < im.size; {
		d, err := im.isz.SeekData(off)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		h, err := im.isz.SeekHole(d)
		if errors.Is(err, io.EOF) {
			h = im.size
		} else if err != nil {
			return nil, err
		}
		if d < off || h <= d || h > im.size {
			return nil, fmt.Errorf("extract: reader reported data %d..%d after offset %d", d, h, off)
		}
		xs = append(xs, extent{d, h})
		off = h
	}
	return xs, nil
}

// copyImage streams the extents xs of the image to w (or, when wa is set,
// to the matching offsets of wa, skipping the holes between extents) with
// one goroutine reading while the calling one writes, through a small ring
// of reused buffers. It returns the CRC-32 of the whole image, holes
// counted as zeros, which costs little next to decoding and lets extract
// catch damage that only the checksum reveals (in stored chunks).
func copyImage(ctx context.Context, im *image, xs []extent, w io.Writer, wa io.WriterAt, bar *progress) (uint32, error) {
	type block struct {
		buf []byte
		off int64
	}
	free := make(chan []byte, extractBuffers)
	for range extractBuffers {
		free <- make([]byte, extractBlock)
	}
	full := make(chan block, extractBuffers)

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(full)
		for _, x := range xs {
			for off := x.off; off < x.end; {
				if err := ctx.Err(); err != nil {
					return err // before the select, which picks a ready case at random
				}
				var buf []byte
				select {
				case buf = <-free:
				case <-ctx.Done():
					return ctx.Err()
				}
				n := int(min(int64(len(buf)), x.end-off))
				if m, err := im.r.ReadAt(buf[:n], off); err != nil && !(m == n && errors.Is(err, io.EOF)) {
					return err
				}
				full <- block{buf[:n], off}
				off += int64(n)
			}
		}
		return nil
	})
	var crc uint32
	var crcOff int64 // image bytes covered by crc
	zeros := func(end int64) {
		for crcOff < end {
			n := min(int64(len(zeroBlock)), end-crcOff)
			crc = crc32.Update(crc, crc32.IEEETable, zeroBlock[:n])
			crcOff += n
		}
	}
	g.Go(func() error {
		for b := range full {
			zeros(b.off)
			crc = crc32.Update(crc, crc32.IEEETable, b.buf)
			crcOff += int64(len(b.buf))
			var err error
			if wa != nil {
				_, err = wa.WriteAt(b.buf, b.off)
			} else {
				_, err = w.Write(b.buf)
			}
			if err != nil {
				return err
			}
			bar.Add(int64(len(b.buf)))
			free <- b.buf[:cap(b.buf)]
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return 0, err
	}
	zeros(im.size)
	return crc, nil
}

// zeroBlock feeds the holes of a sparse extraction to the CRC.
var zeroBlock = make([]byte, 64<<10)
