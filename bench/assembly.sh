#!/usr/bin/env bash
# Incremental vs full assembly of a root generation, side by side in one run.
# A copy of the example farm whose PIII root holds 10 packages (the 9 of its set plus dev-util/mktable) is built
# once; then, RUNS times: one package is bumped (a new revision of app-misc/fhsum), `farmctl build PIII` makes the
# next generation from a copy of `current` plus that package (incremental); then `current` is removed and the
# same binpkgs are assembled again from scratch (full). The assembly seconds come from farmctl's own
# "published generation N: K of M packages installed in S s" line.
# Usage: bench/assembly.sh [RUNS]   (after `make build`; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
source bench/example-farm.sh
echo "dev-util/mktable" >> "$work/profiles/PIII/packages"
config=(--plain --config "$work/workers.conf")

seconds() { sed -n 's/.*published generation [0-9]*.*: \([0-9]*\) of \([0-9]*\) packages installed in \([0-9.]*\) s/\1 \2 \3/p' "$1"; }

"$farmctl" build PIII "${config[@]}" > "$work/first.log"
read -r _ total first < <(seconds "$work/first.log")
incremental=(); full=()
for run in $(seq "$runs"); do
    ebuilds="$work/repo/app-misc/fhsum"
    cp "$ebuilds/fhsum-1.0.ebuild" "$ebuilds/fhsum-1.0-r$run.ebuild"
    "$farmctl" build PIII "${config[@]}" > "$work/inc.log"
    read -r installed packages s < <(seconds "$work/inc.log")
    [[ $installed == 1 && $packages == "$total" ]] || { echo "expected 1 of $total installed: $(cat "$work/inc.log")" >&2; exit 1; }
    incremental+=("$s")
    rm "$work/var/roots/PIII/current"
    "$farmctl" build PIII "${config[@]}" > "$work/full.log"
    read -r installed packages s < <(seconds "$work/full.log")
    [[ $installed == "$total" ]] || { echo "expected a full assembly: $(cat "$work/full.log")" >&2; exit 1; }
    full+=("$s")
done
m_inc=$(printf '%s\n' "${incremental[@]}" | median)
m_full=$(printf '%s\n' "${full[@]}" | median)
cat <<TABLE
| assembly of the PIII root ($total packages), median of $runs | seconds |
|---|---|
| full: $total binpkgs into an empty root (first build: $first s) | $m_full |
| incremental: copy of \`current\` + 1 changed package | $m_inc |
| incremental / full | $(echo "scale=3; $m_inc / $m_full" | bc) |
TABLE
