#!/usr/bin/env bash
# ISA audit throughput: `farmctl roots audit PIII --root R` against `objdump -d` of the same ELF files (the
# decode-everything step an admin runs today before grepping for xmm registers), side by side, N runs each.
# R is Debian's i386 userland libraries (/usr/lib32, from gcc-multilib) copied under usr/lib of a temp root.
# Usage: bench/audit.sh [RUNS] [FARMCTL]   (after `make build`; FARMCTL default .build/debug/farmctl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
farmctl="${2:-.build/debug/farmctl}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/usr/lib"
cp -a /usr/lib32/. "$work/root/usr/lib/"
mapfile -t elves < <(find "$work/root" -type f -print0 | xargs -0 file -N | awk -F': ' '/ELF 32-bit/ {print $1}')
bytes=$(du -cb "${elves[@]}" | tail -1 | cut -f1)
code=$(for f in "${elves[@]}"; do size -A "$f"; done | awk '$1 == ".text" || $1 == ".init" || $1 == ".fini" || $1 == ".plt" { s += $2 } END { print s }')
echo "root: ${#elves[@]} ELF files, $((bytes / 1024)) KiB, $((code / 1024)) KiB of code (Debian's /usr/lib32)"

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N); echo "$end - $start" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
objdump_all() { for f in "${elves[@]}"; do objdump -d --no-show-raw-insn "$f"; done; }

audit_times=() objdump_times=()
"$farmctl" roots audit PIII --root "$work/root" >/dev/null 2>&1 || true      # warm-up (page cache)
for ((i = 0; i < runs; i++)); do
    audit_times+=("$(seconds "$farmctl" roots audit PIII --root "$work/root")")
    objdump_times+=("$(seconds objdump_all)")
done
a=$(printf '%s\n' "${audit_times[@]}" | median)
o=$(printf '%s\n' "${objdump_times[@]}" | median)
rss=$( { /usr/bin/time -f "%M" "$farmctl" roots audit PIII --root "$work/root" >/dev/null || true; } 2>&1 | tail -1)
echo "| farmctl roots audit PIII --root (decode + classify + IFUNC split), median of $runs | $a s |"
echo "| objdump -d --no-show-raw-insn of the same files (decode + print only), median of $runs | $o s |"
echo "| audit / objdump | $(echo "scale=3; $a / $o" | bc) |"
echo "| audit throughput | $(echo "scale=0; ${#elves[@]} / $a" | bc) files/s, $(echo "scale=1; $code / 1048576 / $a" | bc) MiB of code/s |"
# The pre-publish audit decodes the packages the farm built into a generation: the example PIII root's, as
# `roots audit PIII` does on the demo's current generation (after `make demo`).
if [[ -L var/roots/PIII/current ]]; then
    built=()
    for ((i = 0; i < runs; i++)); do built+=("$(seconds "$farmctl" roots audit PIII)"); done
    echo "| \`roots audit PIII\` on the demo's current root (the farm's packages + its stage), median of $runs | $(printf '%s\n' "${built[@]}" | median) s |"
fi
echo "| farmctl max RSS | $((rss / 1024)) MiB |"
"$farmctl" roots audit PIII --root "$work/root" | tail -1 || true
