#!/bin/sh
# kbuild-tree fixture: a small stand-in for the kernel's scripts/kconfig/merge_config.sh.
#   merge_config.sh [-m] [-O DIR] BASE FRAGMENT...
# Each fragment's CONFIG_X lines replace BASE's lines for the same symbols (later fragments win),
# the result goes to DIR/.config (default: the current directory). Without -m it then runs
# `make olddefconfig` on the result and warns, as the real script does, for each requested value that
# is not in the final .config. -n/-r/-y/-s of the real script are not supported.
set -e
merge_only=
out=.
while [ $# -gt 0 ]; do
    case $1 in
        -m) merge_only=1; shift ;;
        -O) out=$2; shift 2 ;;
        -*) echo "merge_config.sh (fixture): unsupported option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: merge_config.sh [-m] [-O DIR] BASE FRAGMENT..." >&2; exit 2; }
[ -d "$out" ] || { echo "merge_config.sh (fixture): output directory $out does not exist" >&2; exit 1; }
base=$1; shift
[ -r "$base" ] || { echo "merge_config.sh (fixture): cannot read $base" >&2; exit 1; }
tmp=$(mktemp); trap 'rm -f "$tmp" "$tmp.f" "$tmp.n"' EXIT
cat "$base" > "$tmp"
echo "Using $base as base"
for frag in "$@"; do
    [ -r "$frag" ] || { echo "merge_config.sh (fixture): cannot read $frag" >&2; exit 1; }
    echo "Merging $frag"
    sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$frag" > "$tmp.f"
    # drop the base's lines for the fragment's symbols, then append the fragment
    awk 'NR == FNR { drop[$1] = 1; next }
         { s = $0
           if (s ~ /^CONFIG_[A-Za-z0-9_]+=/) { sub(/=.*/, "", s) }
           else if (s ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) { s = $2 }
           else { print; next }
           if (!(s in drop)) print }' "$tmp.f" "$tmp" > "$tmp.n"
    cat "$frag" >> "$tmp.n"
    mv "$tmp.n" "$tmp"
done
cp "$tmp" "$out/.config"
[ -n "$merge_only" ] && exit 0
srctree=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$srctree" O="$(cd "$out" && pwd)" olddefconfig
grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$tmp" | while IFS= read -r line; do
    grep -qxF -- "$line" "$out/.config" || echo "Value requested for ${line} not in final .config"
done
