package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/isz"
)

var createCmd = &command{
	name:     "create",
	synopsis: "[-b SIZE] [-c zlib|bzip2|store] [-l LEVEL] [--split SIZE] [--aes 128|192|256 [--passfile F]] [--zero-chunks] IN.iso OUT.isz",
	summary:  "compress an ISO image into an ISZ image",
	help: `
Compresses IN.iso (a file or block device) into OUT.isz, on all cores. Each
block is stored compressed, or as is when compressing does not make it
smaller. The output is deterministic: the same input file and options give
the same bytes (the volume serial number is the input's modification time).

With --split SIZE the image is cut into files of at most SIZE bytes:
OUT.isz, OUT.i01, OUT.i02, ... (UltraISO's naming).

Encryption (AES, UltraISO's scheme) is switched on by --aes, --password or
--passfile; --aes alone takes the password from --passfile or
$ISZ_PASSWORD, and a password without --aes means AES-256. ISZ_PASSWORD
alone does not encrypt. Note that ISZ encryption is weak (ECB mode, the
password is the key): do not rely on it for secrets.

On failure or interrupt the partly written output is removed.`,
	flags: func(fs *flag.FlagSet) func(context.Context, []string) error {
		var o createOpts
		o.register(fs)
		return func(ctx context.Context, args []string) error {
			if len(args) != 2 {
				return usagef("want IN.iso and OUT.isz, got %d arguments", len(args))
			}
			wo, err := o.writerOptions()
			if err != nil {
				return err
			}
			return create(ctx, args[0], args[1], wo)
		}
	},
}

// createOpts are the command-line settings of create, before validation.
type createOpts struct {
	block, split string
	codec        string
	level        int
	aes          int
	zeroChunks   bool
	workers      int
	pw           passwordFlags
}

func (o *createOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&o.block, "b", "128K", "block (chunk) `SIZE`, a multiple of 2048")
	fs.StringVar(&o.codec, "c", "zlib", "compression `CODEC`: zlib, bzip2 or store")
	fs.IntVar(&o.level, "l", 0, "compression `LEVEL` 1 (fast) to 9 (small); 0 = the codec's default")
	fs.StringVar(&o.split, "split", "", "split the output into files of at most `SIZE` bytes")
	fs.IntVar(&o.aes, "aes", 0, "encrypt with AES of this many `BITS` (128, 192 or 256)")
	fs.BoolVar(&o.zeroChunks, "zero-chunks", false, "store all-zero blocks as ZERO chunks (smaller; older readers may not support them)")
	fs.IntVar(&o.workers, "j", 0, "compress with `N` parallel workers (0: one per core)")
	o.pw.register(fs)
}

// writerOptions validates the flags into the writer's options; every
// mistake is a usage error.
func (o *createOpts) writerOptions() (*isz.WriterOptions, error) {
	if o.workers < 0 {
		return nil, usagef("-j: %d workers", o.workers)
	}
	wo := &isz.WriterOptions{Level: o.level, ZeroChunks: o.zeroChunks, Workers: o.workers}
	block, err := cliutil.ParseSize(o.block)
	if err != nil {
		return nil, usagef("-b: %v", err)
	}
	if block <= 0 || block%2048 != 0 {
		return nil, usagef("-b: block size %d is not a positive multiple of 2048", block)
	}
	wo.BlockSize = int(block)
	switch o.codec {
	case "zlib":
		wo.Codec = isz.CodecZlib
	case "bzip2":
		wo.Codec = isz.CodecBzip2
	case "store":
		wo.Codec = isz.CodecStore
	default:
		return nil, usagef("-c: unknown codec %q (want zlib, bzip2 or store)", o.codec)
	}
	if o.level < 0 || o.level > 9 {
		return nil, usagef("-l: level %d is not between 0 and 9", o.level)
	}
	if o.split != "" {
		if wo.SplitSize, err = cliutil.ParseSize(o.split); err != nil {
			return nil, usagef("--split: %v", err)
		}
	}
	switch o.aes {
	case 0, 128, 192, 256:
	default:
		return nil, usagef("--aes: %d bits is not 128, 192 or 256", o.aes)
	}
	if o.aes == 0 && o.pw.value == "" && o.pw.file == "" {
		return wo, nil // no encryption asked for; $ISZ_PASSWORD alone does not encrypt
	}
	if wo.Password, err = o.pw.get(); err != nil {
		return nil, err
	}
	if wo.Password == "" {
		return nil, usagef("--aes needs a password: give --passfile FILE, $%s or --password", cliutil.PasswordEnv)
	}
	wo.AESBits = o.aes
	if wo.AESBits == 0 {
		wo.AESBits = 256
	}
	return wo, nil
}

func create(ctx context.Context, in, out string, wo *isz.WriterOptions) (err error) {
	if sameFile(out, in) {
		return usagef("%s is the input: refusing to overwrite it", out)
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.ModTime().Unix() > 0 && fi.ModTime().Unix() <= math.MaxUint32 {
		// The volume serial is a creation time in UltraISO's images; the
		// ISO's own modification time keeps the output reproducible.
		wo.VSN = uint32(fi.ModTime().Unix())
	}
	bar := startProgress("create", size)
	src := &countingReader{ctx: ctx, r: f, bar: bar}
	_, err = isz.Create(out, src, size, wo) // removes its files on failure
	bar.Finish(err == nil)
	return err
}

// countingReader feeds the progress bar with the bytes read and makes the
// writer stop at an interrupt (its next read fails with ctx's error).
type countingReader struct {
	ctx context.Context
	r   io.Reader
	bar *progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.bar.Add(int64(n))
	return n, err
}
