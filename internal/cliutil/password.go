package cliutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/iszmount/iszmount/isz"
)

// PasswordEnv is the environment variable ReadPassword consults last.
const PasswordEnv = "ISZ_PASSWORD"

// maxPassLine bounds how much of a password file is read: a password file
// is one short line, and "-" must not swallow an endless pipe.
const maxPassLine = 4096

// ReadPassword returns the password to use, following the order in the
// package documentation: value, else the first line of passfile ("-" is
// standard input), else $ISZ_PASSWORD, else "". An unreadable or empty
// password file is an error: the user asked for a password and did not get
// one.
func ReadPassword(value, passfile string) (string, error) {
	return readPassword(value, passfile, os.Stdin, os.Getenv)
}

func readPassword(value, passfile string, stdin io.Reader, getenv func(string) string) (string, error) {
	if value != "" {
		return value, nil
	}
	if passfile != "" {
		src, name := stdin, "standard input"
		if passfile != "-" {
			f, err := os.Open(passfile)
			if err != nil {
				return "", fmt.Errorf("password file: %w", err)
			}
			defer f.Close()
			src, name = f, passfile
		}
		line, err := firstLine(src)
		if err != nil {
			return "", fmt.Errorf("password file %s: %w", name, err)
		}
		return line, nil
	}
	return getenv(PasswordEnv), nil
}

// firstLine reads up to the first newline, strips "\n" or "\r\n", and
// refuses empty or overlong lines.
func firstLine(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxPassLine+2), maxPassLine+2)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) > maxPassLine {
		return "", fmt.Errorf("first line longer than %d bytes", maxPassLine)
	}
	if line == "" {
		return "", errors.New("empty password")
	}
	return line, nil
}

// ImagePassword is the password for the image name: ReadPassword's answer
// when it has one; else, when the image is an encrypted ISZ and standard
// input is a terminal, what the user types at a prompt on standard error
// (not echoed); else "". Both commands call it once before opening name,
// so a user who forgot the password is asked instead of sent back.
func ImagePassword(name, value, passfile string) (string, error) {
	pw, err := ReadPassword(value, passfile)
	if err != nil || pw != "" {
		return pw, err
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) || !encrypted(name) {
		return "", nil
	}
	return promptPassword(os.Stderr, name, func() ([]byte, error) { return term.ReadPassword(fd) })
}

// encrypted reports whether name is an ISZ image with an encrypted header;
// every error means "no" (opening the image for real reports it).
func encrypted(name string) bool {
	im, err := OpenImage(name)
	if err != nil {
		return false
	}
	im.Close()
	if !im.ISZ {
		return false
	}
	r, err := isz.Open(name, &isz.Options{Inspect: true})
	if err != nil {
		return false
	}
	defer r.Close()
	return r.Header().Encryption != isz.EncryptNone
}

// promptPassword asks for the password of name on w and reads it with
// read, which must not echo.
func promptPassword(w io.Writer, name string, read func() ([]byte, error)) (string, error) {
	fmt.Fprintf(w, "Password for %s: ", name)
	b, err := read()
	fmt.Fprintln(w)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("empty password: %w", isz.ErrNeedPassword)
	}
	return string(b), nil
}
