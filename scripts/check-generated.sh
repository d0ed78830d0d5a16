#!/usr/bin/env bash
# check-generated.sh: fail when the generated code under gen/ is not exactly
# what the OpenAPI spec produces.
#
# It copies the inputs of `go generate` (go.mod, go.sum, tools.go, openapi/,
# gen/) into a temporary module, deletes every *.gen.go there, runs the real
# //go:generate directives of gen/ (so a changed directive or cfg.yaml is
# checked too) and compares the result with the working tree. The working tree
# is never written to, so a clean clone stays clean.
#
# Usage: scripts/check-generated.sh   (from anywhere inside the repository)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/check-generated.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

for f in go.mod go.sum tools.go; do
	[[ -e "$f" ]] && cp "$f" "$tmp/"
done
cp -R openapi gen "$tmp/"
# A generator that silently writes nothing must not pass the check because the
# committed file was copied along: start from no generated files at all.
find "$tmp/gen" -name '*.gen.go' -delete

if ! (cd "$tmp" && go generate ./gen/...); then
	echo "check-generated: go generate ./gen/... failed on a copy of openapi/ and gen/ (see above)." >&2
	exit 1
fi

if ! diff -r -q gen "$tmp/gen" >"$tmp.files" 2>&1; then
	{
		echo "check-generated: gen/ differs from what openapi/cbr-replicate.yaml produces:"
		sed -e "s|$tmp/gen|regenerated gen|g" -e 's|^|  |' "$tmp.files"
		echo
		echo "Head of the difference (committed -> regenerated):"
		diff -r -u gen "$tmp/gen" | sed -e "s|$tmp/gen|regenerated/gen|g" | head -n 40 || true
		echo
		echo "The generated code is never edited by hand: run \`go generate ./...\` from the repository root and commit gen/ together with the spec."
	} >&2
	rm -f "$tmp.files"
	exit 1
fi
rm -f "$tmp.files"
echo "check-generated: gen/ matches openapi/cbr-replicate.yaml ($(find gen -name '*.gen.go' | wc -l | tr -d ' ') generated file(s))."
