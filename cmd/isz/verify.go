package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

var verifyCmd = &command{
	name:     "verify",
	synopsis: "[--password P|--passfile F] IMAGE.isz",
	summary:  "check an ISZ image's checksums (exit code 0 good, 4 bad)",
	help: `
Decodes every chunk and checks the image's two checksums: the CRC-32 of the
decompressed image and of the stored chunk data (64-byte headers only). On
success it prints "IMAGE.isz: OK" and exits 0 (an old 48-byte header has
no checksums: then every chunk decoding is all verify can say, and does). A checksum mismatch or a
chunk that does not decode exits 4 and names the first bad chunk; a
malformed or truncated image exits 3, a missing segment file too. An
encrypted image needs its password.`,
	flags: func(fs *pflag.FlagSet) func(context.Context, []string) error {
		var pw passwordFlags
		pw.register(fs)
		return func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return usagef("want one IMAGE.isz, got %d arguments", len(args))
			}
			return verify(ctx, args[0], &pw)
		}
	},
}

func verify(ctx context.Context, name string, pw *passwordFlags) (err error) {
	im, err := openImage(name, pw, 0)
	if err != nil {
		return err
	}
	defer im.Close()
	if err := im.requireISZ(); err != nil {
		return err
	}
	bar := startProgress("verify", im.size)
	err = im.isz.Verify(ctx, bar.Callback())
	bar.Finish(err == nil)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if h := im.isz.Header(); !h.HasChecksums() {
		_, err = fmt.Fprintf(os.Stdout, "%s: OK (every chunk decodes; a %d-byte header records no checksums)\n", name, h.HeaderSize)
		return err
	}
	_, err = fmt.Fprintf(os.Stdout, "%s: OK\n", name)
	return err
}
