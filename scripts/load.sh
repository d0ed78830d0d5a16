#!/usr/bin/env bash
# Load test of `cbr-replicate mock` on loopback with wrk.
#
# Builds the binary, starts the mock on 127.0.0.1, runs wrk for DURATION with
# scripts/load.lua (POSTs the API page's example request with X-Auth-Token
# and Content-Type), prints requests/s, latency percentiles and the non-2xx
# count, then stops the mock with SIGTERM and checks it exited cleanly.
#
# Usage: scripts/load.sh            (from anywhere in the repository)
# Environment: DURATION (10s), THREADS (2), CONNECTIONS (32),
#   PORT (0: a free port), CBR_LOAD_TOKEN (placeholder token, never printed).
# Needs wrk (Debian package "wrk"); installed with apt-get when missing and
# running as root.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-0}
if ! [[ $PORT =~ ^[0-9]+$ ]]; then
  echo "load.sh: PORT must be a number, not '$PORT'" >&2
  exit 2
fi

if ! command -v wrk >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "load.sh: installing wrk" >&2
    apt-get update -qq >/dev/null
    apt-get install -y -qq wrk >/dev/null
  else
    echo "load.sh: wrk is missing: apt-get update && apt-get install -y wrk" >&2
    exit 2
  fi
fi

tmp=$(mktemp -d)
mock_pid=""
cleanup() {
  if [[ -n $mock_pid ]] && kill -0 "$mock_pid" 2>/dev/null; then
    kill -TERM "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "load.sh: building cmd/cbr-replicate" >&2
go build -o "$tmp/cbr-replicate" ./cmd/cbr-replicate

"$tmp/cbr-replicate" mock --listen "127.0.0.1:$PORT" >"$tmp/mock.out" 2>"$tmp/mock.log" &
mock_pid=$!

# Wait for "listening on http://127.0.0.1:NNNN (spec: ...)".
url=""
for _ in $(seq 1 100); do
  if ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "load.sh: the mock exited:" >&2
    cat "$tmp/mock.log" >&2
    mock_pid=""
    exit 2
  fi
  url=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p' "$tmp/mock.out")
  [[ -n $url ]] && break
  sleep 0.1
done
if [[ -z $url ]]; then
  echo "load.sh: the mock did not start listening" >&2
  exit 2
fi

echo "load.sh: wrk -t$THREADS -c$CONNECTIONS -d$DURATION against $url (go $(go env GOVERSION), $(nproc) CPUs)" >&2
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s scripts/load.lua "$url"

kill -TERM "$mock_pid"
status=0
wait "$mock_pid" || status=$?
mock_pid=""
logged=$(grep -c 'msg=request ' "$tmp/mock.log" || true)
echo "mock: exit status $status after SIGTERM, $logged request log lines"
if [[ $status -ne 0 ]]; then
  echo "load.sh: the mock did not shut down cleanly:" >&2
  tail -n 5 "$tmp/mock.log" >&2
  exit 1
fi
