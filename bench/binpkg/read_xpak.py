#!/usr/bin/env python3
"""Read the full XPAK metadata of every binpkg in PKGDIR/files.txt with one Python reader; print files/s.

Usage: read_xpak.py pkgcore|pkgcore-asis|portage|struct PKGDIR
  pkgcore: pkgcore.binpkg.xpak.Xpak(path).items()    (run with bench/.venv-pkgcore/bin/python)
  pkgcore-asis: the same, values as pkgcore returns them (environment.bz2 stays bytes, not decoded)
  portage: portage.xpak.tbz2(path).get_data()         (run with .venv/bin/python, Portage 3.0.83)
  struct:  a bare reader: open, seek to the trailer, one read, struct.unpack_from per index entry
Except with pkgcore-asis, every value is decoded to str as farmctl's XPAK does (UTF-8, invalid bytes replaced, environment.bz2 too).
Output, one line: `<reader> files=<n> keys=<total keys> seconds=<s> files_per_s=<f>`.
"""
import struct
import sys
import time
from pathlib import Path


def text(value):
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def read_pkgcore(path):
    from pkgcore.binpkg.xpak import Xpak
    return {k: text(v) for k, v in Xpak(path).items()}


def read_pkgcore_asis(path):
    from pkgcore.binpkg.xpak import Xpak
    return dict(Xpak(path).items())


def read_portage(path):
    import portage.xpak
    return {k.decode("utf-8", "replace"): text(v) for k, v in portage.xpak.tbz2(path).get_data().items()}


def read_struct(path):
    with open(path, "rb") as f:
        f.seek(-8, 2)
        length, stop = struct.unpack(">I4s", f.read(8))
        f.seek(-8 - length, 2)
        seg = f.read(length)
    if stop != b"STOP" or seg[:8] != b"XPAKPACK" or seg[-8:] != b"XPAKSTOP":
        raise ValueError(f"{path}: no XPAK trailer")
    index_len, _ = struct.unpack_from(">II", seg, 8)
    data_start, pos, values = 16 + index_len, 16, {}
    while pos < data_start:
        (name_len,) = struct.unpack_from(">I", seg, pos)
        name = seg[pos + 4:pos + 4 + name_len].decode("utf-8", "replace")
        offset, size = struct.unpack_from(">II", seg, pos + 4 + name_len)
        values[name] = seg[data_start + offset:data_start + offset + size].decode("utf-8", "replace")
        pos += 12 + name_len
    return values


def main():
    readers = {"pkgcore": read_pkgcore, "pkgcore-asis": read_pkgcore_asis, "portage": read_portage, "struct": read_struct}
    reader = readers[sys.argv[1]]
    pkgdir = Path(sys.argv[2])
    paths = [str(pkgdir / line) for line in (pkgdir / "files.txt").read_text().splitlines()]
    reader(paths[0])  # import the module outside the timed loop
    start = time.perf_counter()
    keys = sum(len(reader(p)) for p in paths)
    seconds = time.perf_counter() - start
    print(f"{sys.argv[1]} files={len(paths)} keys={keys} seconds={seconds:.4f} files_per_s={len(paths) / seconds:.0f}")


if __name__ == "__main__":
    main()
