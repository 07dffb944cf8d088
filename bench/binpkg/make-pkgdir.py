#!/usr/bin/env python3
"""Write a PKGDIR of N xpak binpkgs (binpkg-multi-instance layout) made from the real files in testdata.

Usage: make-pkgdir.py [PKGDIR] [COUNT]   (default bench/.data/pkgdir, 10000)

Package i is a byte copy of the real file i mod 8 (payload and every XPAK key as they are), except that the
trailer's CATEGORY, PF and BUILD_ID are rewritten to the package's own name, so path and metadata agree as in a
real PKGDIR: <category>/<pn>-b<i>/<pn>-b<i>-<version>-1.xpak. Deterministic: the same bytes on every run.
Also writes PKGDIR/files.txt, the relative paths in order, which every reader of the benchmark reads.
"""
import os
import re
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = Path(os.environ.get("FARMCTL_SHARED_TESTDATA", ROOT.parent / "shared/testdata")) / "binpkg"
SOURCES = sorted(p for p in TESTDATA.iterdir() if p.suffix in (".xpak", ".tbz2"))


def split_xpak(blob):
    """(payload, [(key, value)]) of a whole xpak binpkg."""
    assert blob[-4:] == b"STOP", "no STOP at the end"
    (length,) = struct.unpack(">I", blob[-8:-4])
    start = len(blob) - 8 - length
    seg = blob[start:len(blob) - 8]
    assert seg[:8] == b"XPAKPACK" and seg[-8:] == b"XPAKSTOP"
    index_len, data_len = struct.unpack(">II", seg[8:16])
    index, data = seg[16:16 + index_len], seg[16 + index_len:16 + index_len + data_len]
    entries, pos = [], 0
    while pos < index_len:
        (name_len,) = struct.unpack(">I", index[pos:pos + 4])
        name = index[pos + 4:pos + 4 + name_len].decode()
        offset, size = struct.unpack(">II", index[pos + 4 + name_len:pos + 12 + name_len])
        entries.append((name, data[offset:offset + size]))
        pos += 12 + name_len
    return blob[:start], entries


def join_xpak(payload, entries):
    index, data = b"", b""
    for name, value in entries:
        index += struct.pack(">I", len(name)) + name.encode() + struct.pack(">II", len(data), len(value))
        data += value
    seg = b"XPAKPACK" + struct.pack(">II", len(index), len(data)) + index + data + b"XPAKSTOP"
    return payload + seg + struct.pack(">I", len(seg)) + b"STOP"


def main():
    pkgdir = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench/.data/pkgdir")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    if pkgdir.exists():
        shutil.rmtree(pkgdir)
    originals = [split_xpak(p.read_bytes()) for p in SOURCES]
    paths = []
    for i in range(count):
        payload, entries = originals[i % len(originals)]
        meta = dict(entries)
        category = meta["CATEGORY"].decode().strip()
        pn, version = re.match(r"(.+?)-(\d.*)$", meta["PF"].decode().strip()).groups()
        pn = f"{pn}-b{i:05d}"
        new = {"CATEGORY": category, "PF": f"{pn}-{version}", "BUILD_ID": "1"}
        # Keep each value's own trailing newline convention (bzip2's BUILD_ID has none).
        rewritten = [(k, (new[k] + ("\n" if v.endswith(b"\n") else "")).encode() if k in new else v)
                     for k, v in entries]
        if "BUILD_ID" not in meta:
            rewritten.append(("BUILD_ID", b"1\n"))
        relative = f"{category}/{pn}/{pn}-{version}-1.xpak"
        target = pkgdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(join_xpak(payload, rewritten))
        paths.append(relative)
    (pkgdir / "files.txt").write_text("".join(p + "\n" for p in paths))
    total = sum((pkgdir / p).stat().st_size for p in paths)
    print(f"{pkgdir}: {count} binpkgs from {len(SOURCES)} real files, {total / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
