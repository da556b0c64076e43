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

step "go test: allocation counts (files built with !race; -race changes them)"
go test -count=1 -run 'Alloc' $(grep -l '^//go:build !race' $(git ls-files '*_test.go') | xargs -n1 dirname | sort -u | sed 's|^|./|')

# fuzz DIR TARGET runs one target. Go 1.26's fuzz coordinator can fail a
# target at the -fuzztime deadline with a bare "context deadline exceeded"
# and no failing input (go.dev/issue/75804, fixed in Go 1.27), most often on
# a loaded machine: that run is reported and passed. A real finding is a
# failing input written under DIR/testdata/fuzz, and that always fails.
fuzz() {
  local dir=$1 target=$2 out
  if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir" 2>&1); then
    echo "$out" | tail -n 3
    return 0
  fi
  echo "$out"
  if echo "$out" | grep -q '^    context deadline exceeded$' &&
    [ -z "$(git status --porcelain -- "$dir/testdata/fuzz/$target")" ]; then
    echo "(the Go 1.26 fuzz deadline race, go.dev/issue/75804: no failing input was found)"
    return 0
  fi
  return 1
}

step "fuzz: every Fuzz target for $fuzztime, seed corpus in testdata/fuzz"
git grep -l '^func Fuzz' -- '*_test.go' | while read -r file; do
  dir=$(dirname "$file")
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    echo "-- ./$dir $target"
    fuzz "$dir" "$target"
  done
done

if [ "${SKIP_BENCH:-}" != 1 ]; then
  step "benchmark harness, small mode (keeps it from rotting; targets are reported, not enforced)"
  go run ./bench -small -out "${TMPDIR:-/tmp}/iszmount-bench-small.md"
fi
