#!/usr/bin/env bash
# The first `farmctl build PIII AthlonXP` of `make demo` (both class kernels from Debian's linux-source, the
# 18 package builds, assembly), with the farmctl and the example farm of each REVISION given, one after the other
# in one run: each in a new farm directory with an empty kernel cache, PKGDIRs and store. The seed stage comes
# from this checkout's var/stages (`make stage`), so the stage's debootstrap is not timed (nor is `swift build`).
# Usage: bench/first-build.sh REVISION...   e.g. `bench/first-build.sh 5029dec 8df34e2`: kernels built one after
# the other before the schedule (5029dec) against kernels as jobs of the schedule (306deac and later).
# About 10 minutes per revision on 2 cores, plus a debug build of each revision's farmctl the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
[[ -x .venv/bin/emerge && -d var/stages ]] || { echo "run make demo first (Portage venv, seed stage)" >&2; exit 1; }
# First every revision's farmctl is built (not timed), then each first build runs with nothing else going on.
for revision in "$@"; do
    sha=$(git rev-parse --short "$revision")
    source=/tmp/farmctl-first-build-src-$sha
    if [[ ! -x $source/.build/debug/farmctl ]]; then
        rm -rf "$source"
        git archive --prefix="$(basename "$source")/" "$sha" | tar -x -C /tmp
        (cd "$source" && swift build --product farmctl > build.log 2>&1) || { tail -20 "$source/build.log" >&2; exit 1; }
    fi
done
rows=()
for revision in "$@"; do
    sha=$(git rev-parse --short "$revision")
    source=/tmp/farmctl-first-build-src-$sha
    work=/tmp/farmctl-first-build-$sha
    rm -rf "$work"; mkdir -p "$work/var"
    cp -a "$source"/{workers.conf,profiles,repo,mirror,kernel,overlays} "$work/"
    echo "emerge = \"$repo/.venv/bin/emerge\"" >> "$work/workers.conf"
    ln -s "$repo/var/stages" "$work/var/stages"
    start=$(date +%s.%N)
    "$source/.build/debug/farmctl" build --plain --config "$work/workers.conf" PIII AthlonXP > "$work/build.log" 2>&1 \
        || { tail -20 "$work/build.log" >&2; exit 1; }
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    kernels=$(grep -E "built kernel" "$work/build.log" | sed -E 's/.*(PIII|AthlonXP): built kernel ([^ ]+).* in ([0-9.]+) ?s.*/\1 \3 s/' | paste -sd ',' -)
    rows+=("| $sha | $(printf %.1f "$wall") | $kernels |")
    echo "${rows[-1]}" >&2
done
printf '| revision | first build PIII AthlonXP (s) | kernel builds |\n|---|---|---|\n'
printf '%s\n' "${rows[@]}"
