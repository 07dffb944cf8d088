#!/usr/bin/env bash
# farmctl's own merger against `emerge --usepkgonly` and the tar-extraction floor, side by side in one run: full
# assemblies of the PIII root of the farm bench/nightly.sh built (209 packages: the example set plus 200 generated).
# Per run:
#   1. floor: every binpkg the root holds extracted with `tar -xf` into one empty directory, one after the other
#      (GNU tar, zstd; the payload only, no vdb);
#   2. `current` removed, `farmctl build PIII` with `[farm] merger = "farmctl"`: a fresh generation;
#   3. the same with `[farm] merger = "emerge"`.
# The merge seconds are farmctl's own "(merging S s)" of its "published generation" line: the binpkgs into the
# root, vdb, env-update; the stage copy, kernel, overlays, boot check and audit are in the whole assembly's seconds.
# Usage: bench/merger.sh [RUNS]   (after bench/nightly.sh 5 200, whose farm it uses: BENCH_FARM)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=${BENCH_FARM:-/tmp/farmctl-bench-nightly-200}
farmctl="$PWD/.build/debug/farmctl"
[[ -f $work/.built-200 || -n ${BENCH_FARM:-} ]] || { echo "run bash bench/nightly.sh 5 200 first (it builds the farm)" >&2; exit 1; }
config=(--plain --config "$work/workers.conf")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
published() { sed -n 's/.*published generation [0-9]*.*: \([0-9]*\) of [0-9]* packages installed in \([0-9.]*\) s (merging \([0-9.]*\) s)/\1 \2 \3/p' "$1"; }
set_merger() {
    sed -i '/^merger = /d' "$work/workers.conf"
    sed -i "s/^\[farm\]$/[farm]\nmerger = \"$1\"/" "$work/workers.conf"
}

# The binpkg instances the current root holds (category/pf and BUILD_ID from its vdb).
root="$work/var/roots/PIII/current"
[[ -d $root ]] || "$farmctl" build PIII "${config[@]}" > /dev/null
binpkgs=()
for entry in "$root"/var/db/pkg/*/*; do
    pf=${entry##*/}; category=${entry%/*}; category=${category##*/}
    [[ -f $entry/BUILD_ID ]] || continue   # the stage's own packages
    binpkgs+=("$(find "$work/var/packages/PIII/$category" -name "$pf-$(cat "$entry/BUILD_ID").*" | head -1)")
done
count=${#binpkgs[@]}

floor=(); ours=(); ours_all=(); theirs=(); theirs_all=()
for run in $(seq "$runs"); do
    scratch=$(mktemp -d /tmp/farmctl-floor.XXXXXX)
    start=$(date +%s.%N)
    for binpkg in "${binpkgs[@]}"; do tar -xf "$binpkg" -C "$scratch" 2>/dev/null || true; done
    floor+=("$(echo "$(date +%s.%N) - $start" | bc)")
    rm -rf "$scratch"
    for merger in farmctl emerge; do
        set_merger "$merger"
        rm "$work/var/roots/PIII/current"
        "$farmctl" build PIII "${config[@]}" > "$work/merger.log"
        read -r installed all merging < <(published "$work/merger.log") || { cat "$work/merger.log" >&2; exit 1; }
        [[ $installed == "$count" ]] || { echo "expected $count packages installed: $(tail -5 "$work/merger.log")" >&2; exit 1; }
        if [[ $merger == farmctl ]]; then ours+=("$merging"); ours_all+=("$all"); else theirs+=("$merging"); theirs_all+=("$all"); fi
    done
done
set_merger farmctl
m_floor=$(printf '%s\n' "${floor[@]}" | median)
m_ours=$(printf '%s\n' "${ours[@]}" | median)
m_theirs=$(printf '%s\n' "${theirs[@]}" | median)
cat <<TABLE
| full assembly of the PIII root ($count binpkgs), median of $runs | merge s | whole assembly s | merge / floor |
|---|---|---|---|
| floor: \`tar -xf\` of the $count binpkgs, one after the other | $m_floor | — | 1 |
| farmctl's merger (\`[farm] merger = "farmctl"\`) | $m_ours | $(printf '%s\n' "${ours_all[@]}" | median) | $(echo "scale=1; $m_ours / $m_floor" | bc) |
| \`emerge --usepkgonly\` (\`[farm] merger = "emerge"\`) | $m_theirs | $(printf '%s\n' "${theirs_all[@]}" | median) | $(echo "scale=1; $m_theirs / $m_floor" | bc) |
| emerge / farmctl's merger | $(echo "scale=1; $m_theirs / $m_ours" | bc) | | |
TABLE
