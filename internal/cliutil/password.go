package cliutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
