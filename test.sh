#!/usr/bin/env bash
# The project's one test command (README: "Run the tests"). Run it as root on
# Debian with fuse3 and xorriso installed (.ci/run installs them): the
# end-to-end tests really mount images through /dev/fuse.
#
#   FUZZTIME=10s  how long each fuzz target runs in the bounded fuzz pass
#   SKIP_BENCH=1  leave out the small benchmark run (developers iterating)
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
fuzztime=${FUZZTIME:-10s}

step() { printf '\n== %s\n' "$*"; }

step "gofmt: every file formatted"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

step "go.mod tidy: no unused or missing requirement"
go mod tidy -diff

step "go vet"
go vet ./...

step "go test -race: unit, fixture and end-to-end mount tests"
# -race also covers the concurrent-reader tests; -count=1 so no cached result
# hides a mount test that depends on the machine.
go test -race -count=1 -timeout 12m ./...

step "fuzz: every Fuzz target for $fuzztime, seed corpus in testdata/fuzz"
git grep -l '^func Fuzz' -- '*_test.go' | while read -r file; do
  dir=$(dirname "$file")
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    echo "-- ./$dir $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir"
  done
done

if [ "${SKIP_BENCH:-}" != 1 ]; then
  step "benchmark harness, small mode (keeps it from rotting; targets are reported, not enforced)"
  go run ./bench -small -out "${TMPDIR:-/tmp}/iszmount-bench-small.md"
fi
