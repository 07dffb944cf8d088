#!/usr/bin/env python3
"""Print a binpkg's metadata as Portage itself reads it, as JSON: the independent reader farmctl's
`binpkg inspect` is checked against in the tests.

Usage: portage-read-binpkg.py FILE...   (run with the venv's python, where Portage is installed)
Output: {"FILE": {"format": "xpak"|"gpkg", "metadata": {KEY: text, ...}, "binary": [KEY, ...]}}
Text values have one trailing newline trimmed; values that are not UTF-8 are listed under "binary".
"""
import json
import sys

import portage
from portage.gpkg import gpkg
from portage.util._compare_files import compare_files  # noqa: F401  (import check: a real Portage)
from portage import xpak


def read(path):
    with open(path, "rb") as f:
        f.seek(-4, 2)
        is_xpak = f.read(4) == b"STOP"
    if is_xpak:
        raw = {k.decode(): v for k, v in xpak.tbz2(path).get_data().items()}
        fmt = "xpak"
    else:
        raw = gpkg(portage.settings, None, path, verify_signature=False).get_metadata()
        raw = {k: (v if isinstance(v, bytes) else v.encode()) for k, v in raw.items()}
        fmt = "gpkg"
    metadata, binary = {}, []
    for key, value in raw.items():
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            binary.append(key)
            continue
        metadata[key] = text[:-1] if text.endswith("\n") else text
    return {"format": fmt, "metadata": metadata, "binary": sorted(binary)}


if __name__ == "__main__":
    json.dump({path: read(path) for path in sys.argv[1:]}, sys.stdout, indent=1, sort_keys=True)
