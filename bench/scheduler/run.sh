#!/usr/bin/env bash
# The scheduler benchmark: builds scheduler-bench (release) and prints Markdown tables of
#  1. the realistic farm: 10 classes from the real Gentoo plans on 8 mixed workers, each scheduler beside the lower
#     bound and "one host per class", and the one-worker sanity checks;
#  2. scale: synthetic farms of 1,000-package classes on 100 workers, each scheduler's own CPU time and peak RSS.
#
# Usage: run.sh [TESTDATA]   (default: shared/testdata beside the repository)
# Environment:
#   SIZES="2 5 10 20"        classes (of 1,000 packages each) per scale run
#   WORKERS=100              workers of the scale runs (half amd64 hosts, half old x86-only hosts)
#   CURRENT_MAX_CLASSES=10   largest size the current ScheduleState runs at (worse than quadratic: ~5 min at 10,
#                            ~20 min at 20)
#   REPS=3                   runs per scale row (median CPU time; makespan and digest are the same every run);
#                            the current ScheduleState runs once per size
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for candidate in "${1:-}" "${FARMCTL_SHARED_TESTDATA:-}" "$HERE/../../../shared/testdata" "$HERE/../../shared/testdata"; do
    if [[ -n $candidate && -d $candidate/gentoo-graphs ]]; then TESTDATA="$(cd "$candidate" && pwd)"; break; fi
done
[[ -n ${TESTDATA:-} ]] || { echo "run.sh: no testdata (give its path)" >&2; exit 1; }
SIZES="${SIZES:-2 5 10 20}"
WORKERS="${WORKERS:-100}"
CURRENT_MAX_CLASSES="${CURRENT_MAX_CLASSES:-10}"
REPS="${REPS:-3}"

swift build -c release --package-path "$HERE" >&2
BENCH="$HERE/.build/release/scheduler-bench"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { { grep -o "\b$1=[^ ]*" <<<"$2" || true; } | head -1 | cut -d= -f2; }

echo "# Scheduler benchmark, $(date +%F), $(nproc) cores, $(swift --version 2>/dev/null | grep -o 'Swift version [0-9.]*')"
echo
echo "## 1. Realistic farm"
echo
"$BENCH" farm "$TESTDATA"
echo
echo "## 2. Scale: $WORKERS workers, classes of 1,000 synthetic packages"
echo
echo "### Shape of the synthetic graphs"
echo
"$BENCH" shape "$TESTDATA" 20 1000 1
echo
echo "### Scheduler cost (scheduler CPU: thread CPU time of every init/nextAssignments/nextWakeup/finish/isFinished call, median of $REPS runs, current: one run)"
echo
echo "| classes × packages | jobs | scheduler | makespan (s) | lower bound (s) | ratio | scheduler CPU (s) | CPU per job (µs) | peak RSS (MiB) | schedule digest |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for classes in $SIZES; do
    for kind in none current indexed proposed; do
        [[ $kind == current && $classes -gt $CURRENT_MAX_CLASSES ]] && continue
        cpus=() line="" rss="" reps=$REPS
        [[ $kind == none || $kind == current ]] && reps=1
        for ((i = 0; i < reps; i++)); do
            out="$(/usr/bin/time -f 'peak_rss_kib=%M' "$BENCH" scale "$TESTDATA" "$kind" "$WORKERS" "$classes" 1000 1 2>&1)"
            line="$out"
            rss="$(field peak_rss_kib "$out")"
            cpus+=("$(field cpu_s "$out")")
        done
        jobs="$(field jobs "$line")"
        if [[ $kind == none ]]; then
            printf '| %s × 1000 | %s | none (the benchmark alone: graphs, jobs, workers) | | | | | | %.1f | |\n' \
                "$classes" "$jobs" "$(bc -l <<<"$rss / 1024")"
            continue
        fi
        cpu="$(printf '%s\n' "${cpus[@]}" | median)"
        printf '| %s × 1000 | %s | %s | %s | %s | %s | %.3f | %.1f | %.1f | %s |\n' "$classes" "$jobs" "$kind" \
            "$(field makespan "$line")" "$(field bound "$line")" "$(field ratio "$line")" "$cpu" \
            "$(bc -l <<<"$cpu * 1000000 / $jobs")" "$(bc -l <<<"$rss / 1024")" "$(field digest "$line")"
    done
done
echo
echo "current: farmctl's ScheduleState as it is; indexed: the proposed ScheduleState with the current placement"
echo "(placement: .bestFreeWorker; the same digest means the same starts at the same times on the same workers);"
echo "proposed: the proposed ScheduleState as proposed (placement: .earliestFinish)."
