#!/usr/bin/env bash
# No-op nightly at scale: the example farm with N generated packages per class (bench/gen-farm.py, default 200,
# so 2 classes x 209 packages), built once with `farmctl nightly`, then once more (that run plans with emerge, finds
# nothing to do and remembers it: the no-op memo). Then, RUNS times side by side in one run:
#   - `farmctl nightly` with nothing changed: the memo holds, no emerge is started (wall time of the process);
#   - `farmctl nightly --replan`: the same run planning with emerge (plan, sweep with every binpkg's SHA-256
#     checked, assembly check, gc, summary), as every no-op ran before the memo;
#   - Portage's own `emerge --pretend --update --deep @world` for each class on the same tree: the class's
#     staging root (every package installed by the builds) with a world file listing its package set, the
#     class's config root and repositories, as farmctl runs emerge (linux32, the farm's environment).
# Then one memo run under `strace -f -e trace=execve` counts the processes it started and the emerge among them.
# The first build takes about 10-15 minutes on 2 cores (2 x 209 emerge builds); the state is kept in
# BENCH_FARM (default /tmp/farmctl-bench-nightly-N) so later runs start at once. BENCH_FARM=... CLEAN=1 starts over.
# PIII builds in host mode here (as in the other farm benchmarks; bench/chroot.sh compares the modes).
# Usage: bench/nightly.sh [RUNS] [N]   (after `make build` and `make demo`; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
count=${2:-200}
farmctl="$PWD/.build/debug/farmctl"
[[ -x $farmctl ]] || { echo "run make build first" >&2; exit 1; }
work=${BENCH_FARM:-/tmp/farmctl-bench-nightly-$count}
[[ ${CLEAN:-0} == 1 ]] && rm -rf "$work"
if [[ ! -f $work/.built-$count ]]; then
    rm -rf "$work"; mkdir -p "$work/var"
    cp -a workers.conf profiles repo mirror kernel overlays "$work/"
    echo "emerge = \"$PWD/.venv/bin/emerge\"" >> "$work/workers.conf"
    mkdir -p var/kernels var/stages
    ln -s "$PWD/var/kernels" "$work/var/kernels"   # the class kernels from `make demo`'s cache
    ln -s "$PWD/var/stages" "$work/var/stages"     # the seed stage (`make stage`)
    sed -i 's/^mode = "chroot"/mode = "host"/' "$work/profiles/PIII/class.toml"
    python3 bench/gen-farm.py "$work" --packages "$count" >/dev/null
    start=$(date +%s.%N)
    "$farmctl" nightly --config "$work/workers.conf" > "$work/first.log" || { tail -20 "$work/first.log" >&2; exit 1; }
    echo "first nightly (builds everything): $(echo "$(date +%s.%N) - $start" | bc) s" >&2
    touch "$work/.built-$count"
fi
config=(--config "$work/workers.conf")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
seconds() { local s; s=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }

# Portage on the same tree: the class's environment as ClassTree builds it.
portage_world() {
    local class=$1 staging="$work/var/work/local/$1/staging"
    mkdir -p "$staging/var/lib/portage"
    grep -v '^#' "$work/profiles/$class/packages" | grep . > "$staging/var/lib/portage/world"
    EPREFIX= PORTAGE_CONFIGROOT="$work/var/config/$class" ROOT="$staging" SYSROOT="$staging" \
    PORTAGE_REPOSITORIES=$'[DEFAULT]\nmain-repo = farm\n\n[farm]\nlocation = '"$work/repo"$'\nauto-sync = no\n' \
    PKGDIR="$work/var/packages/$class" DISTDIR="$work/var/distfiles" PORTAGE_TMPDIR="$work/var/work/local/$class/tmp" \
    PORTAGE_USERNAME=root PORTAGE_GRPNAME=root EMERGE_DEFAULT_OPTS= NOCOLOR=true PYTHONDONTWRITEBYTECODE=1 \
    FEATURES="-sandbox -usersandbox -userpriv -userfetch -usersync -ipc-sandbox -network-sandbox -pid-sandbox" \
    linux32 "$PWD/.venv/bin/emerge" --pretend --color=n --nospinner --update --deep @world
    rm "$staging/var/lib/portage/world"
}

"$farmctl" nightly "${config[@]}" --replan > /dev/null   # warm caches; plans nothing and remembers it
memo=(); replan=(); piii=(); athlon=()
for run in $(seq "$runs"); do
    memo+=("$(seconds "$farmctl" nightly "${config[@]}")")
    grep -q "not planned" "$work/last.log" || { echo "the memo did not hold: $(cat "$work/last.log")" >&2; exit 1; }
    replan+=("$(seconds "$farmctl" nightly "${config[@]}" --replan)")
    grep -q "nothing to build" "$work/last.log" || { echo "not a no-op: $(cat "$work/last.log")" >&2; exit 1; }
    piii+=("$(seconds portage_world PIII)")
    ! grep -q "^\[ebuild" "$work/last.log" || { echo "Portage plans something: $(tail -5 "$work/last.log")" >&2; exit 1; }
    athlon+=("$(seconds portage_world AthlonXP)")
done
m_memo=$(printf '%s\n' "${memo[@]}" | median)
m_replan=$(printf '%s\n' "${replan[@]}" | median)
m_piii=$(printf '%s\n' "${piii[@]}" | median)
m_athlon=$(printf '%s\n' "${athlon[@]}" | median)
m_portage=$(echo "$m_piii + $m_athlon" | bc)
processes="(strace not installed)"
if command -v strace >/dev/null; then
    strace -f -e trace=execve -o "$work/strace.log" "$farmctl" nightly "${config[@]}" > /dev/null
    started=$(grep -c 'execve(' "$work/strace.log")
    emerges=$(grep 'execve(' "$work/strace.log" | grep -c 'emerge' || true)
    processes="$started execve (farmctl itself included), $emerges of them emerge"
fi
packages=$(ls -d "$work"/var/roots/PIII/current/var/db/pkg/*/* | wc -l)
cat <<TABLE
| no-op, 2 classes, each root $packages packages ($count generated), median of $runs | seconds |
|---|---|
| \`farmctl nightly\`, both classes: the memo holds, not planned | $m_memo |
| \`farmctl nightly --replan\`, both classes (plan, SHA-256 of every binpkg, assembly check, gc) | $m_replan |
| \`emerge --pretend --update --deep @world\`, PIII | $m_piii |
| \`emerge --pretend --update --deep @world\`, AthlonXP | $m_athlon |
| Portage for both classes, one after the other | $m_portage |
| memo no-op / Portage's two plans | $(echo "scale=3; $m_memo / $m_portage" | bc) |
| processes a memo no-op starts | $processes |
TABLE
