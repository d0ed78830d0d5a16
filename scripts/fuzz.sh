#!/usr/bin/env bash
# fuzz.sh: run every Go fuzz target of the module for a short time.
#
# `go test -fuzz` takes one package and one target at a time, so the targets
# are discovered per package with `go test -list '^Fuzz'` and run one by one.
# New inputs that make a target fail are written by Go to
# <package>/testdata/fuzz/<Target>/ and become regression cases of `go test`.
#
# Usage: scripts/fuzz.sh [packages...]   (default ./...)
#   FUZZTIME=30s   time per target (any -fuzztime value, e.g. 10s or 5000x)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

fuzztime="${FUZZTIME:-30s}"
if [[ $# -eq 0 ]]; then
	set -- ./...
fi

ran=0
failed=()
for pkg in $(go list "$@"); do
	# -list prints the matching names, then an "ok" or "?" line per package.
	targets="$(go test -list '^Fuzz' "$pkg" | grep -E '^Fuzz' || true)"
	for target in $targets; do
		echo "fuzz: $pkg $target for $fuzztime"
		# A new interesting input is minimized for up to FUZZMINIMIZETIME; the
		# default 60s stalled FuzzHandler on its 1 MiB body seed for 40 s of 60.
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZETIME:-10s}" "$pkg"; then
			failed+=("$pkg $target")
		fi
		ran=$((ran + 1))
	done
done

if [[ "$ran" -eq 0 ]]; then
	echo "fuzz: no fuzz targets (func FuzzXxx(f *testing.F)) in $*." >&2
	exit 1
fi
if [[ "${#failed[@]}" -ne 0 ]]; then
	echo "fuzz: ${#failed[@]} of $ran target(s) failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	echo "The failing inputs are under <package>/testdata/fuzz/<Target>/; commit them with the fix." >&2
	exit 1
fi
echo "fuzz: $ran target(s) ran for $fuzztime each without a failure."
