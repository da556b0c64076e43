package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/isz"
)

// passwordFlags are --password and --passfile, shared by every command that
// reads or writes an encrypted image.
type passwordFlags struct{ value, file string }

func (p *passwordFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&p.value, "password", "", "")
	fs.StringVar(&p.file, "passfile", "", "")
}

// get applies the project's password rule (cliutil.ReadPassword).
func (p *passwordFlags) get() (string, error) {
	return cliutil.ReadPassword(p.value, p.file)
}

// image is an opened disc image, ISZ or plain ISO.
type image struct {
	name string
	r    io.ReaderAt
	size int64
	isz  *isz.Reader // nil for a plain image
	f    *os.File    // the plain image file; nil for ISZ
}

// openImage opens name as an ISZ image (any member of a split set) when it
// starts with an ISZ header, else as a plain image file
// (cliutil.OpenImage decides, as for iszmount). workers is the number of
// parallel chunk decoders (0: one per core). An encrypted image's password
// comes from pw, or from a prompt on a terminal.
func openImage(name string, pw *passwordFlags, workers int) (*image, error) {
	f, err := cliutil.OpenImage(name)
	if err != nil {
		return nil, err
	}
	if !f.ISZ {
		return &image{name: name, r: f, size: f.Size, f: f.File}, nil
	}
	f.Close()
	pass := ""
	if pw != nil {
		if pass, err = cliutil.ImagePassword(name, pw.value, pw.file); err != nil {
			return nil, err
		}
	}
	r, err := isz.Open(name, &isz.Options{Password: pass, Workers: workers, CacheSize: cacheSize})
	if err != nil {
		// Some of isz.Open's errors name the file, some do not;
		// cliutil.Message says a repeated name once.
		return nil, passwordHint(fmt.Errorf("%s: %w", name, err))
	}
	return &image{name: name, r: r, size: r.Size(), isz: r}, nil
}

// cacheSize is the chunk cache of the commands. Each reads the image
// once, front to back, so the cache needs room for the chunks being
// decoded ahead and for the metadata a walk comes back to, not the
// mount's default (a quarter of a GiB on a machine with 24 GiB): that much
// live memory let the collector's heap grow to 323 MB in an extraction of
// the bench tree, even with the copy buffers pooled, and faulting those
// pages in was much of the command's system time. Cold extractions of that
// tree by hand: 6.4-6.7 s at the default, 5.1-6.3 s at 32 MiB (peak RSS
// 104 MB); 64 MiB (126 MB) because a UDF walk, whose file entries share
// chunks that a sixteenth of the cache keeps (see isz.Reader.ReadAtOnce),
// took 3.1 s of user time at 32 MiB and 2.85 s at 64.
const cacheSize = 64 << 20

// requireISZ refuses plain images for the commands that only make sense on
// ISZ (verify, extract to an .iso).
func (im *image) requireISZ() error {
	if im.isz == nil {
		return fmt.Errorf("%s: not an ISZ image (no \"IsZ!\" header): %w", im.name, isz.ErrFormat)
	}
	return nil
}

// files lists the image's files: every member of a split ISZ set.
func (im *image) files() []string {
	if im.isz == nil {
		return []string{im.name}
	}
	var names []string
	for _, s := range im.isz.Segments() {
		names = append(names, s.Name)
	}
	return names
}

func (im *image) Close() error {
	if im.isz != nil {
		return im.isz.Close()
	}
	return im.f.Close()
}

// sameFile reports whether out names an existing file that is also one of
// ins: writing it would truncate the input before it is read.
func sameFile(out string, ins ...string) bool {
	ofi, err := os.Stat(out)
	if err != nil {
		return false
	}
	for _, in := range ins {
		if ifi, err := os.Stat(in); err == nil && os.SameFile(ifi, ofi) {
			return true
		}
	}
	return false
}

// passwordHint adds where a password can come from to a missing-password
// error.
func passwordHint(err error) error {
	if errors.Is(err, isz.ErrNeedPassword) {
		return fmt.Errorf("%w (give --passfile FILE, $%s or --password)", err, cliutil.PasswordEnv)
	}
	return err
}
