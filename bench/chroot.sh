#!/usr/bin/env bash
# PIII's packages built in chroot mode (inside the class's build root) and in host mode (linux32 emerge with the
# host's gcc -m32), side by side in one run: per-package build seconds, and the build root's creation time.
# Each round builds all of PIII's packages from scratch in both modes (chroot first in odd rounds, host first in
# even ones); the build root is made once (timed) and restored from a copy before each chroot round.
# Usage: bench/chroot.sh [ROUNDS]   (as root, after `make build stage`; the build root's setup needs the network)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
BENCH_CHROOT=1 source bench/example-farm.sh
for mode in chroot host; do
    mkdir -p "$work/$mode/var"
    cp -a "$work/workers.conf" "$work/profiles" "$work/repo" "$work/mirror" "$work/kernel" "$work/overlays" "$work/$mode/"
    ln -s "$PWD/var/stages" "$work/$mode/var/stages"
    ln -s "$PWD/var/kernels" "$work/$mode/var/kernels"
    sed -i "s/^mode = \".*\"/mode = \"$mode\"/" "$work/$mode/profiles/PIII/class.toml"
done
now() { date +%s.%N; }

# The build root alone: `farmctl plan` prepares the class (and its build root) without building.
t0=$(now); "$farmctl" plan PIII --config "$work/chroot/workers.conf" > "$work/plan.log" 2>&1; t1=$(now)
made=$(grep -o 'made its build root in [0-9.]* s' "$work/plan.log" | grep -o '[0-9.]*' || true)
[[ -n $made ]] || { echo "no build root was made:" >&2; cat "$work/plan.log" >&2; exit 1; }
cp -a "$work/chroot/var/work/local/PIII/buildroot" "$work/buildroot.pristine"
cp -a "$work/chroot/var/work/local/PIII/buildroot.stage" "$work/buildroot.stage.pristine"

reset() {  # everything a build made, but the (restored) build root
    local dir=$work/$1
    rm -rf "$dir/var/packages" "$dir/var/roots" "$dir/var/farm.sqlite"* "$dir/var/work" "$dir/var/logs"
    if [[ $1 == chroot ]]; then
        mkdir -p "$dir/var/work/local/PIII"
        cp -a "$work/buildroot.pristine" "$dir/var/work/local/PIII/buildroot"
        cp -a "$work/buildroot.stage.pristine" "$dir/var/work/local/PIII/buildroot.stage"
    fi
}
build() {  # one from-scratch build of PIII; per-package seconds appended to $work/<mode>.times
    reset "$1"
    "$farmctl" build PIII --plain --config "$work/$1/workers.conf" > "$work/$1.log" 2>&1 \
        || { echo "$1 build failed:" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
    grep -q 'made its build root' "$work/$1.log" && { echo "$1: the build root was made again" >&2; exit 1; }
    sed -n 's/^PIII: built \([^ ]*\) in \([0-9.]*\) s$/\1 \2/p' "$work/$1.log" >> "$work/$1.times"
}
for round in $(seq "$rounds"); do
    if (( round % 2 )); then build chroot; build host; else build host; build chroot; fi
done
stats() { awk '{print $2}' "$work/$1.times" | median; }
count() { wc -l < "$work/$1.times"; }
total() { awk '{s += $2} END {printf "%.1f", s / '"$rounds"'}' "$work/$1.times"; }
cat <<TABLE
| PIII, $rounds rounds, each mode from scratch | chroot mode | host mode |
|---|---|---|
| package builds timed | $(count chroot) | $(count host) |
| per-package build, median (s) | $(stats chroot) | $(stats host) |
| all packages of the class, sum per round (s) | $(total chroot) | $(total host) |
| build root made from the stage (setup + Portage), once (s) | $made | - |
| chroot / host, per-package median | $(echo "scale=2; $(stats chroot) / $(stats host)" | bc) | |
TABLE
