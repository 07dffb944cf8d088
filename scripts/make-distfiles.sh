#!/usr/bin/env bash
# Build the distfiles in mirror/ from the sources in mirror-src/<P>/, reproducibly:
# the same sources always give byte-identical .tar.gz files (sorted names, mtime 0,
# owner/group 0, no gzip timestamp). Each tarball holds one top-level directory <P>/.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT_DIR/mirror"
cd "$ROOT_DIR/mirror-src"
for dir in */; do
    p="${dir%/}"
    out="$ROOT_DIR/mirror/$p.tar.gz"
    tmp="$out.tmp"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        --mode='u+rwX,go+rX,go-w' -cf - "$p" | gzip -n -9 > "$tmp"
    if [[ -f $out ]] && cmp -s "$tmp" "$out"; then
        rm -f "$tmp"
    else
        mv "$tmp" "$out"
        echo "wrote mirror/$p.tar.gz"
    fi
done
