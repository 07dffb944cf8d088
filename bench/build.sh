#!/usr/bin/env bash
# Times `farmctl build PIII AthlonXP` on a fresh copy of the example farm: the first (cold) build, then
# no-op rebuilds, side by side with Portage's own no-op plan of the same two classes.
# Usage: bench/build.sh [NOOP_RUNS]   (after `make build`; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
source bench/example-farm.sh

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

t0=$(now); "$farmctl" build PIII AthlonXP --plain --config "$work/workers.conf" > "$work/cold.log"; t1=$(now)
cold=$(elapsed "$t0" "$t1")
builds=$(grep -c ': built ' "$work/cold.log")

noop=(); portage=()
for _ in $(seq "$runs"); do
    t0=$(now); "$farmctl" build PIII AthlonXP --plain --config "$work/workers.conf" > "$work/noop.log"; t1=$(now)
    grep -q 'no emerge build ran' "$work/noop.log" || { echo "no-op run built something" >&2; exit 1; }
    noop+=("$(elapsed "$t0" "$t1")")
    # Portage's own answer to "is anything to do?" for both classes (what farmctl runs, sequentially here).
    t0=$(now)
    for class in PIII AthlonXP; do
        env EPREFIX= PORTAGE_CONFIGROOT="$work/var/config/$class" ROOT="$work/var/work/local/$class/staging" \
            SYSROOT="$work/var/work/local/$class/staging" PATH="$PWD/.venv/bin:$PATH" \
            PORTAGE_REPOSITORIES="$(printf '[DEFAULT]\nmain-repo = farm\n[farm]\nlocation = %s/repo\n' "$work")" \
            PORTAGE_USERNAME=root PORTAGE_GRPNAME=root FEATURES="-sandbox -usersandbox -userpriv" \
            linux32 "$PWD/.venv/bin/emerge" --pretend --update --deep --changed-use --with-bdeps=y \
            app-misc/farm-node-meta > /dev/null 2>&1
    done
    t1=$(now); portage+=("$(elapsed "$t0" "$t1")")
done
m_noop=$(printf '%s\n' "${noop[@]}" | median)
m_portage=$(printf '%s\n' "${portage[@]}" | median)
cat <<TABLE
| what (example farm, 2 classes) | seconds |
|---|---|
| first \`farmctl build PIII AthlonXP\` ($builds package builds, 2 roots assembled) | $(printf %.2f "$cold") |
| no-op \`farmctl build PIII AthlonXP\`, median of $runs | $(printf %.2f "$m_noop") |
| Portage's own no-op plan \`emerge -p -uDU\` of both classes, sequential, median of $runs | $(printf %.2f "$m_portage") |
| no-op / first build | $(echo "scale=3; $m_noop / $cold" | bc) |
TABLE
