package main

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/isz"
)

var createCmd = &command{
	name: "create",
	flags: func(fs *pflag.FlagSet) func(context.Context, []string) error {
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
			return create(ctx, args[0], args[1], wo, o.force)
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
	force        bool
	pw           passwordFlags
}

func (o *createOpts) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.block, "block-size", "b", "128K", "")
	fs.StringVarP(&o.codec, "codec", "c", "zlib", "")
	fs.IntVarP(&o.level, "level", "l", 0, "")
	fs.StringVar(&o.split, "split", "", "")
	fs.IntVar(&o.aes, "aes", 0, "")
	fs.BoolVar(&o.zeroChunks, "zero-chunks", false, "")
	fs.IntVarP(&o.workers, "jobs", "j", 0, "")
	fs.BoolVarP(&o.force, "force", "f", false, "")
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
	if block <= 0 || block%2048 != 0 || block > isz.MaxChunkSize {
		return nil, usagef("-b: block size %d is not a positive multiple of 2048 up to %d (%s)", block, isz.MaxChunkSize, formatBytes(isz.MaxChunkSize))
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
		if least := isz.MinSplitSize(wo.BlockSize); wo.SplitSize < least {
			return nil, usagef("--split: %d bytes is below %d, the least for %s blocks", wo.SplitSize, least, formatBytes(int64(wo.BlockSize)))
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

func create(ctx context.Context, in, out string, wo *isz.WriterOptions, force bool) (err error) {
	f, err := cliutil.OpenImage(in)
	if errors.Is(err, fs.ErrNotExist) && exists(out) {
		return hintf("%s does not exist but %s does: are the arguments swapped? (isz create IN.iso OUT.isz)", in, out)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if f.ISZ {
		return hintf("%s is already an ISZ image (isz extract %s OUT.iso decompresses it)", in, in)
	}
	if sameFile(out, in) {
		return usagef("%s is the input: refusing to overwrite it", out)
	}
	mode, err := checkOutput(out, force)
	if err != nil {
		return err
	}
	if mode == outputDirect {
		return usagef("%s is not a regular file: isz create writes files", out)
	}
	stale := staleMembers(out)
	if len(stale) > 0 && !force {
		return hintf("%s is left from an earlier split set named %s: give --force to remove it", stale[0], out)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && f.ModTime.Unix() > 0 && f.ModTime.Unix() <= math.MaxUint32 {
		// The volume serial is a creation time in UltraISO's images; the
		// ISO's own modification time keeps the output reproducible.
		wo.VSN = uint32(f.ModTime.Unix())
	}
	st, err := newStaging(out)
	if err != nil {
		return err
	}
	defer st.cleanup()
	bar := startProgress("create", f.Size)
	wo.Progress = bar.Callback()
	staged, err := isz.Create(ctx, st.path(out), f, f.Size, wo)
	bar.Finish(err == nil)
	if err != nil {
		return err
	}
	if err := st.commit(staged); err != nil {
		return err
	}
	for _, name := range stale[min(len(stale), len(staged)-1):] { // the new set replaced the others
		if err := os.Remove(name); err != nil {
			return err
		}
	}
	return nil
}

// staleMembers lists the files .i01, .i02, ... (or .part02.isz, ...) that
// an earlier split set named out left: a reader of out would take them for
// part of the image. The list ends at the first missing file, as a set
// does.
func staleMembers(out string) []string {
	var names []string
	for k := 1; ; k++ {
		name := isz.SetFileName(out, k)
		if !exists(name) {
			return names
		}
		names = append(names, name)
	}
}

// exists reports whether name exists (a dangling symlink counts).
func exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}
