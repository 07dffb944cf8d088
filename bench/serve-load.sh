#!/usr/bin/env bash
# `farmctl serve` under a bounded load (wrk, loopback) while idle and while a build runs, and the build's time with and
# without that load, side by side on a fresh copy of the example farm.
# Usage: bench/serve-load.sh [SECONDS]   (after `make build` and `make demo`'s kernel cache; wrk from `make bootstrap`)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
source bench/example-farm.sh
config="$work/workers.conf"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
"$farmctl" build PIII AthlonXP --plain --config "$config" > "$work/first.log"

"$farmctl" serve --listen 127.0.0.1:0 --config "$config" > "$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; gpgconf --homedir "$work/var/gnupg" --kill gpg-agent 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q ' at http://' "$work/serve.log" && break; sleep 0.1; done
port=$(sed -n 's|.* at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -1)
cat > "$work/paths.lua" <<'LUA'
paths = { "/", "/api/status", "/runs/1", "/api/runs/1", "/classes/PIII", "/classes/PIII/1", "/metrics", "/workers", "/binhost/PIII/Packages" }
i = 0
request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end
LUA
load() { wrk -t2 -c8 -d"${seconds}s" --timeout 10s --latency -s "$work/paths.lua" "http://127.0.0.1:$port" > "$1"; }
field() { awk -v key="$2" '$1 == key {print $2}' "$1"; }
errors() { grep -E 'Socket errors|Non-2xx' "$1" | tr '\n' ' ' | grep . || echo none; }

# A rebuild of every PIII package: its CFLAGS change each time (-DBENCH_N), so every package of the class is built again.
rebuild() {
    sed -i "s/^CFLAGS=\"\(.*\)\"$/CFLAGS=\"\1 -DBENCH_$1\"/" "$work/profiles/PIII/make.conf"
    "$farmctl" build PIII --plain --config "$config" > "$work/rebuild-$1.log"
}

load "$work/idle.txt"
t0=$(now); rebuild 1; t1=$(now); quiet=$(elapsed "$t0" "$t1")
t0=$(now); rebuild 2 & build=$!
sleep 2; load "$work/busy.txt"
wait $build; t1=$(now); loaded=$(elapsed "$t0" "$t1")
t0=$(now); rebuild 3; t1=$(now); quiet2=$(elapsed "$t0" "$t1")

echo "| what | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
for f in idle busy; do
    echo "| wrk -t2 -c8 -d${seconds}s, 9 pages, $( [[ $f == idle ]] && echo "farm idle" || echo "during a PIII rebuild" ) | $(field "$work/$f.txt" Requests/sec:) | $(field "$work/$f.txt" 50%) | $(field "$work/$f.txt" 99%) | $(errors "$work/$f.txt") |"
done
echo
echo "| PIII rebuild (every package) | seconds |"
echo "|---|---|"
echo "| without load (before) | $quiet |"
echo "| with ${seconds} s of wrk during it | $loaded |"
echo "| without load (after) | $quiet2 |"
