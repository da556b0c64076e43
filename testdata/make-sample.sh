#!/usr/bin/env bash
# Regenerates testdata/sample.isz, the small image the README's demo mounts.
# It builds a little source tree (text, a nested directory, a symlink, a hard
# link, a long and a non-ASCII name, a file of zeros), makes a Rock Ridge +
# Joliet ISO of it with xorriso, and compresses that with our own `isz create`.
# Needs xorriso and Go. Usage: testdata/make-sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src
mkdir -p "$src/docs/nested/deeper" "$src/data"
cat > "$src/README.txt" <<'TXT'
This is the iszmount sample image.

It is an ISO 9660 file system with Rock Ridge and Joliet, stored as an ISZ
(UltraISO compressed ISO) image with zlib chunks. You are reading it through
FUSE: every byte came from a decompressed 128 KiB chunk.
TXT
printf 'Hello from inside an ISZ image.\n' > "$src/docs/hello.txt"
printf 'deep file\n' > "$src/docs/nested/deeper/deep.txt"
printf 'Grüße, 世界\n' > "$src/docs/Unicode-名前-ünïcödé.txt"
printf 'a long name\n' > "$src/docs/$(printf 'long-name-%.0s' {1..12})end.txt"
seq 1 20000 > "$src/data/numbers.txt"
head -c 300000 /dev/zero > "$src/data/zeros.bin"
ln -s docs/hello.txt "$src/hello-link"
ln "$src/docs/hello.txt" "$src/docs/hello-hardlink.txt"
chmod 0750 "$src/docs/nested"
find "$src" -exec touch -h -d '2026-11-27 12:00:00 UTC' {} +
xorriso -as mkisofs -quiet -R -J -V ISZMOUNT_SAMPLE -o "$work/sample.iso" "$src"
go run ./cmd/isz create "$work/sample.iso" testdata/sample.isz
ls -l testdata/sample.isz
