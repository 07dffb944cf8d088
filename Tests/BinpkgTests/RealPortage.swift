import Foundation
import Testing
import TestSupport

/// Portage's own binpkg code (the venv `make bootstrap` installs), driven through a small Python helper.
enum RealPortage {
    /// The venv's Python, which imports `portage`.
    static var python: String { Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path }
    /// True when the venv is there (it is in CI); tests that need it are skipped otherwise.
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Every metadata key with its raw bytes, as Portage reads them: `gpkg.get_metadata()` or `xpak.tbz2.get_data()`.
    static func metadata(of url: URL, in directory: URL) throws -> [String: Data] {
        let (status, output) = try run(["metadata", url.path], in: directory)
        try #require(status == 0, "Portage could not read \(url.lastPathComponent): \(output)")
        let json = try #require(output.split(separator: "\n").last.map { Data($0.utf8) })
        let hex = try JSONDecoder().decode([String: String].self, from: json)
        return hex.mapValues { Data(hexString: $0) }
    }

    /// Builds an unsigned gpkg of `root` with Portage's `gpkg.compress`.
    static func makeGPKG(of root: URL, to output: URL, compression: String) throws {
        let (status, text) = try run(["make", root.path, output.path, compression], in: root.deletingLastPathComponent())
        try #require(status == 0, "Portage could not build a gpkg: \(text)")
    }

    /// Runs Portage's `gpkg.decompress` (its `_verify_binpkg`, then `tar_safe_extract`); status 0 when it extracted.
    static func extract(_ url: URL, into directory: URL) throws -> (Int32, String) {
        try run(["extract", url.path, directory.path], in: directory.deletingLastPathComponent())
    }

    private static func run(_ arguments: [String], in directory: URL) throws -> (Int32, String) {
        try BinpkgBuilder.runScript(helper, python: python, arguments, in: directory)
    }

    private static let helper = #"""
    import json, os, sys
    import portage.gpkg as gpkg, portage.xpak as xpak

    class Settings(dict):
        """The few settings Portage's gpkg class reads, without a configured Portage root."""
        def __init__(self, compression="xz"):
            # PORTAGE_BZIP2_COMMAND as make.globals sets it.
            super().__init__(BINPKG_COMPRESS=compression, PORTAGE_BZIP2_COMMAND="bzip2")
            self.features = set()
        def environ(self):
            return dict(os.environ)

    command = sys.argv[1]
    if command == "metadata":
        path = sys.argv[2]
        if path.endswith(".gpkg.tar"):
            # No keyring here: only the OpenPGP check is stubbed out; the reading is Portage's unpack_metadata.
            gpkg.gpkg._verify_binpkg = lambda self, metadata_only=False: None
            values = gpkg.gpkg(Settings(), None, path).get_metadata()
        else:
            values = {key.decode(): value for key, value in xpak.tbz2(path).get_data().items()}
        print(json.dumps({key: value.hex() for key, value in values.items()}))
    elif command == "make":
        root, out, compression = sys.argv[2:5]
        package = gpkg.gpkg(Settings(compression), "test-pkg-1", out)
        package.compress(root, {"CATEGORY": "app-misc\n", "PF": "test-pkg-1\n", "SLOT": "0\n"})
    elif command == "extract":
        gpkg.gpkg(Settings(), None, sys.argv[2]).decompress(sys.argv[3])
    """#
}

extension Data {
    /// Bytes from lowercase hex, e.g. `0a` → `[10]`.
    init(hexString: String) {
        let digits = Array(hexString.utf8)
        self.init(stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...($0 + 1)], as: UTF8.self), radix: 16)!
        })
    }
}
