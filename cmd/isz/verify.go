package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

var verifyCmd = &command{
	name: "verify",
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
