import Foundation
import Testing
import TestSupport

/// One image entry for a hand-built binpkg; names are written to the image tar exactly as given.
struct TarEntry: Encodable {
    var name: String
    var type = "file"
    var data = ""
    var link = ""
    var mode = 0o644

    static func file(_ name: String, _ data: String = "x\n", mode: Int = 0o644) -> TarEntry {
        TarEntry(name: name, data: data, mode: mode)
    }
    static func dir(_ name: String) -> TarEntry { TarEntry(name: name, type: "dir", mode: 0o755) }
    static func symlink(_ name: String, to target: String) -> TarEntry {
        TarEntry(name: name, type: "symlink", link: target, mode: 0o777)
    }
    static func hardlink(_ name: String, to target: String) -> TarEntry { TarEntry(name: name, type: "hardlink", link: target) }
    static func device(_ name: String, type: String) -> TarEntry { TarEntry(name: name, type: type, mode: 0o600) }
}

/// Removes a test's temporary directory (`Fixtures.temporaryDirectory`, or the one holding a `copyToTemporary` copy).
func discard(_ directory: URL) { try? FileManager.default.removeItem(at: directory) }

/// Builds xpak and gpkg binpkgs with Python's tarfile (an independent tar writer), including hostile ones.
enum BinpkgBuilder {
    static let python = "/usr/bin/python3"

    /// Writes a binpkg holding `entries` to `directory/name` and returns it.
    ///
    /// xpak: the image tar (compressed with `compression`: xz, bz2, gz or none) plus an XPAK trailer.
    /// gpkg: a ustar container `pkg-1/{gpkg-1, metadata.tar.xz, image.tar.<compression>, Manifest}` with
    /// BLAKE2B and SHA512 of each member, as Portage writes it (unsigned).
    static func make(_ format: String, _ entries: [TarEntry], compression: String = "xz",
                     in directory: URL, name: String? = nil) throws -> URL {
        let output = directory.appendingPathComponent(name ?? (format == "gpkg" ? "pkg-1.gpkg.tar" : "pkg-1.xpak"))
        let spec = try JSONEncoder().encode(entries)
        let specFile = directory.appendingPathComponent(".spec-\(UUID().uuidString).json")
        try spec.write(to: specFile)
        defer { try? FileManager.default.removeItem(at: specFile) }
        let (status, text) = try runScript(script, python: python, [format, compression, specFile.path, output.path], in: directory)
        try #require(status == 0, "building \(format): \(text)")
        return output
    }

    /// Rewrites a gpkg container with Python's tarfile: `drop` or `duplicate` a member, `add` an unlisted one,
    /// move `last` to the end, or `rehome` it into a second directory. Returns the new file.
    static func rewrite(_ source: URL, _ change: String, _ member: String, in directory: URL) throws -> URL {
        let output = directory.appendingPathComponent("changed.gpkg.tar")
        let (status, text) = try runScript(rewriteScript, python: python, [source.path, output.path, change, member], in: directory)
        try #require(status == 0, "rewriting \(source.lastPathComponent): \(text)")
        return output
    }

    /// Runs a Python script given as text with `arguments`; returns the status and combined output.
    static func runScript(_ source: String, python: String, _ arguments: [String], in directory: URL) throws -> (Int32, String) {
        let file = directory.appendingPathComponent(".script-\(UUID().uuidString).py")
        try source.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ExampleFarm.run(python, [file.path] + arguments)
    }

    private static let script = #"""
    import bz2, gzip, hashlib, io, json, lzma, struct, sys, tarfile

    fmt, compression, spec, out = sys.argv[1:5]
    entries = json.load(open(spec))
    kinds = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
             "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}

    def tar(members, fmt=tarfile.GNU_FORMAT):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=fmt) as t:
            for name, kind, data, link, mode in members:
                info = tarfile.TarInfo(name)
                info.type, info.mode, info.linkname, info.mtime = kinds[kind], mode, link, 1700000000
                if kind in ("char", "block"):
                    info.devmajor, info.devminor = 1, 3
                payload = data.encode() if kind == "file" else b""
                info.size = len(payload)
                t.addfile(info, io.BytesIO(payload))
        return buffer.getvalue()

    def compress(data, how):
        return {"xz": lzma.compress, "bz2": bz2.compress, "gz": gzip.compress, "none": bytes}[how](data)

    image = compress(tar([(e["name"], e["type"], e["data"], e["link"], e["mode"]) for e in entries]), compression)
    meta = {"CATEGORY": "app-misc\n", "PF": "pkg-1\n", "SLOT": "0\n"}
    if fmt == "xpak":
        index, values = b"", b""
        for key, value in meta.items():
            index += struct.pack(">I", len(key)) + key.encode() + struct.pack(">II", len(values), len(value))
            values += value.encode()
        segment = b"XPAKPACK" + struct.pack(">II", len(index), len(values)) + index + values + b"XPAKSTOP"
        open(out, "wb").write(image + segment + struct.pack(">I", len(segment)) + b"STOP")
    else:
        metadata = lzma.compress(tar([("metadata/" + k, "file", v, "", 0o644) for k, v in meta.items()], tarfile.USTAR_FORMAT))
        suffix = "" if compression == "none" else "." + compression
        members = [("gpkg-1", b""), ("metadata.tar.xz", metadata), ("image.tar" + suffix, image)]
        manifest = "".join("DATA %s %d BLAKE2B %s SHA512 %s\n" % (name, len(data), hashlib.blake2b(data).hexdigest(),
                                                                   hashlib.sha512(data).hexdigest()) for name, data in members)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for name, data in members + [("Manifest", manifest.encode())]:
                info = tarfile.TarInfo("pkg-1/" + name)
                info.size, info.mtime = len(data), 1700000000
                t.addfile(info, io.BytesIO(data))
        open(out, "wb").write(buffer.getvalue())
    """#

    private static let rewriteScript = #"""
    import copy, io, sys, tarfile
    source, out, change, member = sys.argv[1:5]
    with tarfile.open(source) as old, tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as new:
        members = [(info, old.extractfile(info).read()) for info in old.getmembers()]
        chosen = [item for item in members if item[0].name.endswith("/" + member)]
        if change in ("drop", "last"):
            members = [item for item in members if item not in chosen]
        if change == "last":
            members += chosen
        if change == "duplicate":
            members += chosen
        if change == "rehome":
            info = copy.copy(chosen[0][0])
            info.name = "elsewhere/" + member
            members = [item for item in members if item not in chosen] + [(info, chosen[0][1])]
        if change == "add":
            info = tarfile.TarInfo(members[0][0].name.split("/")[0] + "/" + member)
            info.size = 3
            members.append((info, b"hi\n"))
        for info, data in members:
            new.addfile(info, io.BytesIO(data))
    """#
}
