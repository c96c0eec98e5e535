#!/usr/bin/env bash
# gen.sh regenerates the Go code for the schemas in this directory.
#
#   capnp/gen.sh            # write capnp/<name>/<name>.capnp.go (commit these)
#   capnp/gen.sh OUTDIR     # write OUTDIR/<name>/<name>.capnp.go instead
#
# Tools: Debian's `capnp` compiler (apt-get install capnproto) and
# capnpc-go as pinned by the `tool` line in go.mod (go tool capnpc-go).
# Debian's capnp ships no include files, so the standard imports
# (/go.capnp, /capnp/c++.capnp, /capnp/stream.capnp) come from the std/
# directory of the capnp-go module that go.mod requires.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v capnp >/dev/null 2>&1; then
	echo "gen.sh: capnp not found on PATH: install Debian's capnproto (apt-get install -y capnproto)" >&2
	exit 1
fi

cd "$here"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
std="$(go list -m -f '{{.Dir}}' capnproto.org/go/capnp/v3)/std"
# `go tool -n` builds the pinned capnpc-go (cached) and prints its path.
plugin="$(go tool -n capnpc-go)"
if [ ! -x "$plugin" ]; then
	echo "gen.sh: go tool -n capnpc-go gave no executable ($plugin)" >&2
	exit 1
fi

# One Go package per schema file, named after it (system.capnp ->
# system/system.capnp.go). Each file is compiled from this directory so
# the names embedded in the generated code are the bare file names.
for schema in *.capnp; do
	name="${schema%.capnp}"
	mkdir -p "$out/$name"
	capnp compile --no-standard-import -I"$std" -o"$plugin:$out/$name" "$schema"
done
