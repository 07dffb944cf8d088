#!/usr/bin/env python3
"""Print the dependency edges between packages emerge has planned, using Portage's own API.

Input (JSON, the file named by the first argument): {"packages": [{"cpv": "cat/pkg-1.0", "repo": "farm", "use": ["flag", ...]}, ...]}
Output (stdout, JSON): {"edges": {"cat/pkg-1.0": ["cat/dep-1.0", ...]}, "distfiles": {"cat/pkg-1.0": ["pkg-1.0.tar.gz"]}}

An edge A -> B means B must be built before A: B satisfies an atom in A's BDEPEND, DEPEND, IDEPEND or
RDEPEND (with A's USE flags applied). PDEPEND is left out: it does not order builds. Run it with the same
environment as emerge (PORTAGE_CONFIGROOT, ROOT, SYSROOT, PORTAGE_REPOSITORIES, EPREFIX).
"""
import json
import sys

import portage
from portage.dep import Atom, match_from_list, use_reduce
from portage.versions import _pkg_str

KEYS = ["BDEPEND", "DEPEND", "IDEPEND", "RDEPEND", "EAPI", "SLOT"]


def main():
    with open(sys.argv[1]) as handle:
        request = json.load(handle)
    # portage.root is ROOT from the environment; its porttree reads the repositories.
    dbapi = portage.db[portage.root]["porttree"].dbapi
    planned = []
    for package in request["packages"]:
        values = dbapi.aux_get(package["cpv"], KEYS, myrepo=package.get("repo"))
        meta = dict(zip(KEYS, values))
        planned.append((package, meta, _pkg_str(package["cpv"], metadata={"SLOT": meta["SLOT"], "repository": package.get("repo")}, settings=None)))
    candidates = [pkg for _, _, pkg in planned]
    edges = {}
    distfiles = {}
    for package, meta, pkg in planned:
        use = set(package.get("use", []))
        deps = set()
        for key in ("BDEPEND", "DEPEND", "IDEPEND", "RDEPEND"):
            for token in use_reduce(meta[key], uselist=use, eapi=meta["EAPI"], flat=True, token_class=Atom):
                if not isinstance(token, Atom) or token.blocker:
                    continue
                for match in match_from_list(token.without_use, candidates):
                    if str(match) != package["cpv"]:
                        deps.add(str(match))
        edges[package["cpv"]] = sorted(deps)
        fetchmap = dbapi.getFetchMap(package["cpv"], useflags=use, mytree=None)
        distfiles[package["cpv"]] = sorted(fetchmap)
    json.dump({"edges": edges, "distfiles": distfiles}, sys.stdout)


if __name__ == "__main__":
    main()
