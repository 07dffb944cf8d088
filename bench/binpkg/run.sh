#!/usr/bin/env bash
# Reads the full XPAK metadata of a generated 10,000-binpkg PKGDIR with farmctl's reader (Swift, release build),
# pkgcore's Xpak, Portage's xpak module and a bare Python struct reader, in one run on the same files, beside
# floor.c (the reader's system calls alone), and prints a markdown table of medians (warm page cache; one
# unmeasured warm-up run each, then the repetitions interleaved across readers).
#
# Usage: bench/binpkg/run.sh [REPETITIONS] [FARMCTL]
#   REPETITIONS  runs per reader (default 5)
#   FARMCTL      a farmctl binary with `farmctl binpkg index`, for the index regeneration row
#                (default .build/release/farmctl; the row stays a placeholder when it has no such command)
# Environment: PKGDIR (default bench/.data/pkgdir), COUNT (default 10000).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPS="${1:-5}"
FARMCTL="${2:-$ROOT/.build/release/farmctl}"
PKGDIR="${PKGDIR:-$ROOT/bench/.data/pkgdir}"
COUNT="${COUNT:-10000}"
PKGCORE_VENV="$ROOT/bench/.venv-pkgcore"
PORTAGE_PY="$ROOT/.venv/bin/python"
export PATH="/opt/swift/usr/bin:$PATH"

setup() {
    if [[ ! -f $PKGDIR/files.txt || $(wc -l <"$PKGDIR/files.txt") -ne $COUNT ]]; then
        python3 "$HERE/make-pkgdir.py" "$PKGDIR" "$COUNT" >&2
    fi
    if [[ ! -x $PKGCORE_VENV/bin/python ]]; then
        /root/.pyenv/versions/3.12.1/bin/python -m venv "$PKGCORE_VENV"
        "$PKGCORE_VENV/bin/pip" install -q --disable-pip-version-check pkgcore >&2
    fi
    swift build -c release --package-path "$HERE" >&2
    gcc -O2 -Wall -o "$HERE/.build/floor" "$HERE/floor.c"
}

# Runs a reader once; appends "files_per_s max_rss_kib" to $RESULTS/<label>.
run_once() {
    local label=$1 out
    shift
    out="$(/usr/bin/time -f 'rss=%M' "$@" 2>&1)" || { echo "$label failed: $out" >&2; exit 1; }
    echo "$(grep -o 'files_per_s=[0-9]*' <<<"$out" | cut -d= -f2) $(grep -o 'rss=[0-9]*' <<<"$out" | cut -d= -f2)" \
        >>"$RESULTS/$label"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One table row: reader, median files/s, ms per 10,000 files, max RSS (median), ratio to pkgcore.
row() {
    local label=$1 what=$2 rate rss base
    rate="$(cut -d' ' -f1 "$RESULTS/$label" | median)"
    rss="$(cut -d' ' -f2 "$RESULTS/$label" | median)"
    base="$(cut -d' ' -f1 "$RESULTS/pkgcore" | median)"
    printf '| %s | %.0f | %.0f | %.0f | %.1f× |\n' "$what" "$rate" "$(bc -l <<<"$COUNT / $rate * 1000")" \
        "$(bc -l <<<"$rss / 1024")" "$(bc -l <<<"$rate / $base")"
}

# Index regeneration with `farmctl binpkg index PKGDIR` (each run from no Packages file); prints one row, or the
# placeholder row while farmctl has no such command.
index_row() {
    local farmctl=$1 what="index regeneration for the $COUNT-package PKGDIR (\`farmctl binpkg index\`)"
    if [[ ! -x $farmctl ]] || ! "$farmctl" binpkg index --help >/dev/null 2>&1; then
        echo "| $what | _placeholder: pending \`farmctl binpkg index\`_ | | | |"
        return
    fi
    local i out seconds=() rss=()
    for ((i = 0; i <= REPS; i++)); do
        rm -f "$PKGDIR/Packages"
        local start=$EPOCHREALTIME
        out="$(/usr/bin/time -f 'rss=%M' "$farmctl" binpkg index "$PKGDIR" 2>&1 >/dev/null)"
        if ((i > 0)); then  # run 0 is the warm-up
            seconds+=("$(bc -l <<<"$EPOCHREALTIME - $start")")
            rss+=("$(grep -o 'rss=[0-9]*' <<<"$out" | cut -d= -f2)")
        fi
    done
    local median_s
    median_s="$(printf '%s\n' "${seconds[@]}" | median)"
    printf '| %s | %.0f | %.0f | %.0f | |\n' "$what" "$(bc -l <<<"$COUNT / $median_s")" "$(bc -l <<<"$median_s * 1000")" \
        "$(bc -l <<<"$(printf '%s\n' "${rss[@]}" | median) / 1024")"
}

setup
RESULTS="$(mktemp -d)"
trap 'rm -rf "$RESULTS"' EXIT
readers=(swift pkgcore pkgcore-asis portage struct floor)
declare -A command=(
    [swift]="$HERE/.build/release/binpkg-bench $PKGDIR"
    [pkgcore]="$PKGCORE_VENV/bin/python $HERE/read_xpak.py pkgcore $PKGDIR"
    [pkgcore-asis]="$PKGCORE_VENV/bin/python $HERE/read_xpak.py pkgcore-asis $PKGDIR"
    [portage]="$PORTAGE_PY $HERE/read_xpak.py portage $PKGDIR"
    [struct]="$PKGCORE_VENV/bin/python $HERE/read_xpak.py struct $PKGDIR"
    [floor]="$HERE/.build/floor $PKGDIR"
)
for ((i = 0; i <= REPS; i++)); do
    for reader in "${readers[@]}"; do
        # shellcheck disable=SC2086  # the commands are word lists without spaces in their words
        run_once "$reader" ${command[$reader]}
    done
done
for reader in "${readers[@]}"; do sed -i 1d "$RESULTS/$reader"; done  # drop the warm-up runs

version() { "$1" -c "import importlib.metadata as m, platform; print(m.version('$2'), '(CPython', platform.python_version() + ')')"; }
pkgcore="pkgcore $(version "$PKGCORE_VENV/bin/python" pkgcore)"
portage="Portage $(version "$PORTAGE_PY" portage)"
echo "Median of $REPS runs on $COUNT binpkgs ($(du -sm "$PKGDIR" | cut -f1) MiB), $(date +%F):"
echo
echo "| reader (every key decoded to text unless said) | files/s | ms for $COUNT files | max RSS (MiB) | vs pkgcore |"
echo "|---|---|---|---|---|"
row swift "farmctl \`XPAK(contentsOf:)\` (Swift $(swift --version 2>/dev/null | grep -o 'Swift version [0-9.]*' | cut -d' ' -f3), release)"
row pkgcore "$pkgcore \`Xpak(path).items()\`, environment.bz2 decoded like farmctl's"
row pkgcore-asis "$pkgcore as it returns values (environment.bz2 left as bytes)"
row portage "$portage \`portage.xpak.tbz2(path).get_data()\`"
row struct "bare Python \`struct\` reader (CPython $("$PKGCORE_VENV/bin/python" -c 'import platform; print(platform.python_version())'))"
row floor "floor: the reader's system calls alone, in C (stat, open, fstat, 2× pread, close)"
index_row "$FARMCTL"
