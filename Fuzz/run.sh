#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Package.swift with AddressSanitizer and runs each for DURATION seconds on
# its corpus Fuzz/corpus/<target> (the committed seed-* files plus libFuzzer's own finds, git-ignored); prints each
# target's number of executions and whether it crashed. Crash inputs and the logs go to Fuzz/artifacts/<target>/.
# Usage: Fuzz/run.sh [DURATION] [TARGET...]   (`make fuzz FUZZ_SECONDS=300`); exits 1 when a target crashed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DURATION="${1:-60}"
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(fuzz-xpak fuzz-packages fuzz-gpkg fuzz-elf)
export PATH="/opt/swift/usr/bin:$PATH"
# libFuzzer reports crashes itself; Swift's backtracer would stop the process for up to 30 s first.
export SWIFT_BACKTRACE=enable=no

# -parse-as-library: no Swift main, libFuzzer's. Swift tools version 5.4 in Package.swift keeps SwiftPM from linking
# with `--defsym main=<target>_main`, a symbol that does not exist then. gold warns about every ASan helper: dropped.
swift build --package-path "$HERE" -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | { grep -v "Cannot export local symbol '__asan" || true; } >&2

crashed=0
for target in "${TARGETS[@]}"; do
    artifacts="$HERE/artifacts/$target"
    mkdir -p "$artifacts" "$HERE/corpus/$target"
    find "$artifacts" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' >"$artifacts/.before"
    status=0
    "$HERE/.build/debug/$target" -max_total_time="$DURATION" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$HERE/corpus/$target" >"$artifacts/last-run.log" 2>&1 || status=$?
    executions="$(awk '/stat::number_of_executed_units:/ { print $2 }' "$artifacts/last-run.log")"
    found="$(find "$artifacts" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \
        | grep -vxFf "$artifacts/.before" || true)"
    if ((status != 0)) || [[ -n $found ]]; then
        crashed=1
        echo "$target: ${executions:-?} executions, CRASHED (exit $status): ${found:-no input saved}; log: $artifacts/last-run.log"
    else
        echo "$target: ${executions:-?} executions in ${DURATION} s, no crash"
    fi
done
exit "$crashed"
