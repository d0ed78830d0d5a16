#!/usr/bin/env bash
# lint-spec.sh: lint openapi/cbr-replicate.yaml with Stoplight Spectral
# (scripts/.spectral.yaml, spectral:oas) and Redocly CLI (scripts/redocly.yaml,
# recommended). Both are pinned in scripts/package.json and package-lock.json;
# `make setup` installs them (npm ci in scripts/).
#
# Any finding fails, warnings included: a rule that does not fit this API is
# turned off in its ruleset file with the reason beside it.
#
# Usage: scripts/lint-spec.sh [spec.yaml]   (default openapi/cbr-replicate.yaml)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

spec="${1:-openapi/cbr-replicate.yaml}"
bin="scripts/node_modules/.bin"

for tool in spectral redocly; do
	if [[ ! -x "$bin/$tool" ]]; then
		echo "lint-spec: $bin/$tool is missing: run \`make setup\` (or \`npm ci --prefix scripts\`)." >&2
		exit 1
	fi
done

# Redocly: no usage data, no update check (also set in scripts/redocly.yaml).
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

status=0

echo "lint-spec: spectral $("$bin/spectral" --version) (scripts/.spectral.yaml) on $spec"
if ! "$bin/spectral" lint --ruleset scripts/.spectral.yaml --fail-severity hint "$spec"; then
	echo "lint-spec: Spectral found problems in $spec (any severity fails)." >&2
	status=1
fi

echo "lint-spec: redocly $("$bin/redocly" --version 2>/dev/null) (scripts/redocly.yaml) on $spec"
# Redocly exits non-zero on errors only; its JSON totals tell the warnings.
# --lint-config error: a misspelt rule in redocly.yaml is an error too.
report="$(mktemp "${TMPDIR:-/tmp}/redocly.XXXXXX")"
trap 'rm -f "$report"' EXIT
redocly_rc=0
"$bin/redocly" lint --config scripts/redocly.yaml --lint-config error --format json "$spec" >"$report" 2>/dev/null || redocly_rc=$?
totals="$(node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	console.log(`${r.totals.errors} ${r.totals.warnings}`);
' "$report" 2>/dev/null || echo "unreadable")"
if [[ "$totals" == "0 0" && "$redocly_rc" -eq 0 ]]; then
	echo "lint-spec: redocly: no errors, no warnings."
else
	# Show the findings (or the crash) in the readable format.
	"$bin/redocly" lint --config scripts/redocly.yaml --lint-config error --format stylish "$spec" || true
	echo "lint-spec: Redocly found problems in $spec (errors warnings: $totals; exit $redocly_rc)." >&2
	status=1
fi

if [[ "$status" -ne 0 ]]; then
	echo "lint-spec: FAILED. Fix the spec (keep the page-derived descriptions, types and limits), or turn the rule off in scripts/.spectral.yaml / scripts/redocly.yaml with the reason." >&2
	exit 1
fi
echo "lint-spec: $spec passes Spectral and Redocly."
