#!/usr/bin/env bash
# The README's first command: build iszmount and isz, mount the bundled sample
# image (testdata/sample.isz) in tree mode, show it, and unmount.
# Run as root (or as a user allowed to use fusermount3).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"

mkdir -p bin
go build -o bin/ ./cmd/iszmount ./cmd/isz
mnt=$(mktemp -d /tmp/iszmount-demo.XXXXXX)
trap 'fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null || true; rmdir "$mnt"' EXIT

echo "\$ isz info testdata/sample.isz"
bin/isz info testdata/sample.isz
echo
echo "\$ iszmount testdata/sample.isz $mnt"
bin/iszmount testdata/sample.isz "$mnt"
echo
echo "\$ ls -lR $mnt"
ls -lR "$mnt"
echo
echo "\$ cat $mnt/README.txt"
cat "$mnt/README.txt"
echo
echo "\$ df -h $mnt"
df -h "$mnt"
