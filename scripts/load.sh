#!/usr/bin/env bash
# Load comparison on loopback with wrk: `cbr-replicate mock` against Stoplight
# Prism (the usual OpenAPI mock) and against a bare net/http server
# (scripts/barehttp) that answers the API page's 200 example as static JSON.
#
# In one run, one after the other, each server is started on 127.0.0.1, gets
# a WARMUP run of wrk (not counted; it must answer 2xx, else the figures
# would compare errors) and a DURATION run with scripts/load.lua (POSTs the
# page's example request with X-Auth-Token and Content-Type), and is stopped
# with SIGTERM. Then a table: requests/s, p50/p99 latency, non-2xx answers
# and socket errors per server, and the ratios mock/prism and mock/bare.
#
# Prism (@stoplight/prism-cli, pinned in scripts/prism/package-lock.json) is
# installed with `npm ci` into scripts/prism/node_modules when missing or
# when the lock changed; `make setup` never installs it. Prism runs as it
# does by default (it logs every request, as the mock does).
#
# Usage: scripts/load.sh            (from anywhere in the repository)
# Environment: DURATION (10s), WARMUP (2s), THREADS (2), CONNECTIONS (32),
#   SERVERS ("mock prism bare": a subset runs only those),
#   CBR_LOAD_TOKEN (placeholder token, never printed).
# Exit status: 0 when every server started, answered every request 2xx and
# stopped cleanly; 1 otherwise; 2 for a usage or set-up error.
# Needs wrk (Debian package "wrk"; installed with apt-get when missing and
# running as root) and Node.js with npm for Prism.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SERVERS=${SERVERS:-mock prism bare}
for s in $SERVERS; do
  case $s in
    mock | prism | bare) ;;
    *)
      echo "load.sh: SERVERS lists mock, prism and bare, not '$s'" >&2
      exit 2
      ;;
  esac
done

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
pid=""  # the server running now
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [[ " $SERVERS " == *" prism "* ]]; then
  # npm ci writes the stamp; it is older than the lock after the lock changes.
  stamp=scripts/prism/node_modules/.installed
  if [[ ! -e $stamp || scripts/prism/package-lock.json -nt $stamp ]]; then
    echo "load.sh: npm ci in scripts/prism (Stoplight Prism)" >&2
    (cd scripts/prism && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
    touch "$stamp"
  fi
fi
if [[ " $SERVERS " == *" mock "* ]]; then
  echo "load.sh: building cmd/cbr-replicate" >&2
  go build -o "$tmp/cbr-replicate" ./cmd/cbr-replicate
fi
if [[ " $SERVERS " == *" bare "* ]]; then
  echo "load.sh: building scripts/barehttp" >&2
  go build -o "$tmp/barehttp" ./scripts/barehttp
fi

# free_port prints a loopback port nothing listens on (for Prism, which
# cannot be told to pick one); start checks that Prism then got it.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "load.sh: found no free port" >&2
  return 1
}

# start NAME starts the server NAME in the background (pid in $pid, output in
# $tmp/NAME.out and .log) and waits until it says it listens; the URL goes
# to $url. (Not run in $(...): the server must be this shell's child.) The servers print "listening on http://127.0.0.1:PORT ..." (mock,
# bare) or "Prism is listening on http://127.0.0.1:PORT" (prism).
start() {
  local name=$1 port
  url=""
  case $name in
    mock) "$tmp/cbr-replicate" mock --listen 127.0.0.1:0 >"$tmp/$name.out" 2>"$tmp/$name.log" & ;;
    bare) "$tmp/barehttp" -listen 127.0.0.1:0 >"$tmp/$name.out" 2>"$tmp/$name.log" & ;;
    prism)
      port=$(free_port) || return 1
      scripts/prism/node_modules/.bin/prism mock openapi/cbr-replicate.yaml -h 127.0.0.1 -p "$port" \
        >"$tmp/$name.out" 2>"$tmp/$name.log" &
      ;;
  esac
  pid=$!
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "load.sh: $name exited before listening:" >&2
      tail -n 20 "$tmp/$name.out" "$tmp/$name.log" >&2
      pid=""
      return 1
    fi
    url=$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$tmp/$name.out" "$tmp/$name.log" | head -n 1)
    [[ -n $url ]] && break
    sleep 0.1
  done
  if [[ -z $url ]]; then
    echo "load.sh: $name did not start listening in 30 s" >&2
    return 1
  fi
}

# stop NAME stops the running server with SIGTERM and checks that it exited
# cleanly: status 0, or, for Prism (Node.js without a SIGTERM handler), 143,
# death by that SIGTERM.
stop() {
  local name=$1 status=0
  kill -TERM "$pid"
  wait "$pid" || status=$?
  pid=""
  if [[ $status -eq 0 || ($name == prism && $status -eq 143) ]]; then
    return 0
  fi
  echo "load.sh: $name did not shut down cleanly (exit status $status):" >&2
  tail -n 5 "$tmp/$name.log" >&2
  return 1
}

# field FILE LABEL prints the first number after "LABEL" in load.lua's summary.
field() {
  sed -n "s|^$2 *\([0-9.]*\).*|\1|p" "$1" | head -n 1
}

failed=()
declare -A rps p50 p99 non2xx sockerr
echo "load.sh: wrk -t$THREADS -c$CONNECTIONS, warm-up $WARMUP, measured $DURATION each; go $(go env GOVERSION), node $(node --version 2>/dev/null || echo none), $(nproc) CPUs" >&2
for name in $SERVERS; do
  if ! start "$name"; then
    if [[ -n $pid ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      pid=""
    fi
    failed+=("$name: did not start")
    continue
  fi
  # Other work on the machine skews the figures: the load average tells.
  echo "== $name at $url (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  ok=1
  for phase in warmup measure; do
    d=$DURATION
    [[ $phase == warmup ]] && d=$WARMUP
    out="$tmp/$name.$phase.txt"
    if ! wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$d" -s scripts/load.lua "$url" >"$out" 2>&1; then
      cat "$out" >&2
      failed+=("$name: wrk failed in the $phase run")
      ok=0
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      failed+=("$name: exited during the $phase run")
      pid=""
      ok=0
      break
    fi
    bad=$(field "$out" 'non-2xx responses:')
    if [[ ${bad:-x} != 0 ]]; then
      cat "$out" >&2
      failed+=("$name: ${bad:-?} non-2xx answers in the $phase run (load.lua's request must get 200)")
      ok=0
      [[ $phase == warmup ]] && break
    fi
  done
  if [[ $ok -eq 1 ]] || [[ -s "$tmp/$name.measure.txt" ]]; then
    out="$tmp/$name.measure.txt"
    cat "$out"
    echo
    rps[$name]=$(field "$out" 'requests/s:')
    p50[$name]=$(field "$out" 'latency p50:')
    p99[$name]=$(field "$out" 'latency p99:')
    non2xx[$name]=$(field "$out" 'non-2xx responses:')
    sockerr[$name]=$(sed -n 's|^socket errors: *connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\)|\1 \2 \3 \4|p' "$out" |
      awk '{print $1 + $2 + $3 + $4}')
  fi
  if [[ -n $pid ]] && ! stop "$name"; then
    failed+=("$name: unclean shutdown")
  fi
  if [[ $name == mock ]]; then
    echo "mock: $(grep -c 'msg=request ' "$tmp/mock.log" || true) request log lines" >&2
  fi
done

echo
printf '%-6s %12s %12s %12s %9s %13s\n' server 'requests/s' 'p50 ms' 'p99 ms' non-2xx 'socket errors'
for name in $SERVERS; do
  printf '%-6s %12s %12s %12s %9s %13s\n' "$name" "${rps[$name]:--}" "${p50[$name]:--}" "${p99[$name]:--}" \
    "${non2xx[$name]:--}" "${sockerr[$name]:--}"
done
# ratio A B prints A's requests/s over B's, and the project's target.
ratio() {
  if [[ -n ${rps[$1]:-} && -n ${rps[$2]:-} && ${rps[$2]} != 0 ]]; then
    awk -v a="${rps[$1]}" -v b="${rps[$2]}" -v t="$3" -v n="$1/$2" \
      'BEGIN { r = a / b; printf "%-12s %8.2fx  (target >= %sx: %s)\n", n, r, t, (r >= t ? "met" : "NOT met") }'
  fi
}
echo
ratio mock prism 10
ratio mock bare 0.4

if [[ ${#failed[@]} -ne 0 ]]; then
  echo >&2
  printf 'load.sh: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
