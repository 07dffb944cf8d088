import Foundation
import TestSupport

/// What the real binpkgs in `testdata/binpkg` contain, read independently with Python's `struct` module.
struct BinpkgSample: Sendable, CustomStringConvertible {
    let file: String
    /// Bytes of `XPAKPACK … XPAKSTOP` (the u32 before the final `STOP`).
    let trailerLength: Int
    let keyCount: Int
    let category: String
    let pf: String
    let chost: String
    let cflags: String
    let buildID: Int?
    let buildTime: Int

    var url: URL { Fixtures.testdata("binpkg/\(file)") }
    var description: String { file }

    static let all: [BinpkgSample] = [
        .init(file: "bzip2-1.0.8-r4-2.xpak", trailerLength: 24129, keyCount: 32, category: "app-arch",
              pf: "bzip2-1.0.8-r4", chost: "x86_64-pc-linux-gnu", cflags: "-O2 -pipe", buildID: 1, buildTime: 1688130909),
        .init(file: "mime-types-2.1.53-1.xpak", trailerLength: 8859, keyCount: 26, category: "app-misc",
              pf: "mime-types-2.1.53", chost: "x86_64-pc-linux-gnu", cflags: "-O2 -pipe", buildID: 1, buildTime: 1689961397),
        .init(file: "portage-utils-0.96-r1-2.xpak", trailerLength: 21341, keyCount: 33, category: "app-portage",
              pf: "portage-utils-0.96-r1", chost: "x86_64-pc-linux-gnu", cflags: "-O2 -pipe", buildID: 1,
              buildTime: 1688221622),
        .init(file: "tape-0-r2-1.xpak", trailerLength: 9442, keyCount: 25, category: "acct-group",
              pf: "tape-0-r2", chost: "x86_64-pc-linux-gnu", cflags: "-O2 -pipe", buildID: 1, buildTime: 1689961409),
        .init(file: "udev-217-r6-2.xpak", trailerLength: 8449, keyCount: 25, category: "virtual",
              pf: "udev-217-r6", chost: "x86_64-pc-linux-gnu", cflags: "-O2 -pipe", buildID: 1, buildTime: 1688139438),
        .init(file: "json-c-0.9.tbz2", trailerLength: 4652, keyCount: 24, category: "dev-libs", pf: "json-c-0.9",
              chost: "i686-pc-linux-gnu",
              cflags: "-g -ggdb -gdwarf-2 -O2 -m32 -mtune=atom -fomit-frame-pointer -pipe -mssse3 -mfpmath=sse -DI_AM_A_ROBOT",
              buildID: nil, buildTime: 1416708410),
        .init(file: "qmerge-test-1.3.tbz2", trailerLength: 6985, keyCount: 22, category: "sys-devel",
              pf: "qmerge-test-1.3", chost: "x86_64-pc-linux-gnu",
              cflags: "-O2 -march=amdfam10 -pipe -g -Wimplicit-function-declaration", buildID: nil, buildTime: 1367285976),
        // The real fixture's XPAK says PF=qmerge-test-1.3 although the file is 2.0 (see SOURCES.md).
        .init(file: "qmerge-test-2.0.tbz2", trailerLength: 6978, keyCount: 22, category: "sys-devel",
              pf: "qmerge-test-1.3", chost: "x86_64-pc-linux-gnu",
              cflags: "-O2 -march=amdfam10 -pipe -g -Wimplicit-function-declaration", buildID: nil, buildTime: 1367285976),
    ]

    static func named(_ file: String) -> BinpkgSample { all.first { $0.file == file }! }
}

/// A temporary directory removed when the test is done.
struct TemporaryDirectory: ~Copyable {
    let url: URL
    init() throws { url = try Fixtures.temporaryDirectory("binpkg-test") }
    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` to `name` inside the directory and returns its URL.
    func write(_ data: Data, to name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file
    }
}

/// Hand-made xpak files for cases the real ones do not cover.
enum HandMadeXPAK {
    /// A minimal binpkg: a 4-byte payload and a trailer holding `entries` stored one after another.
    static func file(entries: [(String, [UInt8])], padding: Int = 0) -> Data {
        var index = [UInt8](), data = [UInt8]()
        for (name, value) in entries {
            index += be32(name.utf8.count) + Array(name.utf8) + be32(data.count) + be32(value.count)
            data += value
        }
        let segment = Array("XPAKPACK".utf8) + be32(index.count) + be32(data.count) + index + data
            + [UInt8](repeating: 0, count: padding) + Array("XPAKSTOP".utf8)
        return Data(Array("tar!".utf8) + segment + be32(segment.count) + Array("STOP".utf8))
    }

    /// `value` as a big-endian u32.
    static func be32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
}
