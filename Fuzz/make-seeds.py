#!/usr/bin/env python3
"""Write the small seed inputs of the fuzz targets into Fuzz/corpus/<target>/seed-* from the real files in testdata.

fuzz-xpak: each real xpak/tbz2's trailer behind a 4-byte payload, without the large binary environment.bz2
(1-2 KB each), and json-c's whole trailer (4.6 KB, with environment.bz2). fuzz-packages: the small real index,
the first four blocks of the 257-package one, and a value ending in "\r" (a round-trip bug, now fixed).
fuzz-gpkg: the real gpkg. libFuzzer adds its own finds beside them (git-ignored); only seed-* files are
committed. Deterministic.
"""
import os
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTDATA = Path(os.environ.get("FARMCTL_SHARED_TESTDATA", HERE.parents[1] / "shared/testdata")) / "binpkg"


def trailer_entries(blob):
    (length,) = struct.unpack(">I", blob[-8:-4])
    seg = blob[len(blob) - 8 - length:len(blob) - 8]
    index_len, _ = struct.unpack(">II", seg[8:16])
    entries, pos = [], 16
    while pos < 16 + index_len:
        (name_len,) = struct.unpack(">I", seg[pos:pos + 4])
        offset, size = struct.unpack(">II", seg[pos + 4 + name_len:pos + 12 + name_len])
        value_start = 16 + index_len + offset
        entries.append((seg[pos + 4:pos + 4 + name_len], seg[value_start:value_start + size]))
        pos += 12 + name_len
    return entries


def xpak_file(entries):
    index, data = b"", b""
    for name, value in entries:
        index += struct.pack(">I", len(name)) + name + struct.pack(">II", len(data), len(value))
        data += value
    seg = b"XPAKPACK" + struct.pack(">II", len(index), len(data)) + index + data + b"XPAKSTOP"
    return b"tar!" + seg + struct.pack(">I", len(seg)) + b"STOP"


def write(target, name, content):
    directory = HERE / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_bytes(content)


for path in sorted(p for p in TESTDATA.iterdir() if p.suffix in (".xpak", ".tbz2")):
    entries = trailer_entries(path.read_bytes())
    write("fuzz-xpak", f"{path.name}-noenv", xpak_file([e for e in entries if not e[0].startswith(b"environment")]))
    if path.name == "json-c-0.9.tbz2":
        write("fuzz-xpak", f"{path.name}-trailer", xpak_file(entries))
write("fuzz-packages", "portage-utils-qmerge-Packages", (TESTDATA / "portage-utils-qmerge-Packages").read_bytes())
blocks = (TESTDATA / "257-binpkgs-Packages").read_bytes().split(b"\n\n")
write("fuzz-packages", "257-binpkgs-Packages-head", b"\n\n".join(blocks[:4]) + b"\n\n")
write("fuzz-packages", "value-ending-in-cr", b"A: b\r")  # did not survive serialize and parse before the fix
write("fuzz-gpkg", "onepassword-cli-0-1.gpkg.tar", (TESTDATA / "onepassword-cli-0-1.gpkg.tar").read_bytes())
