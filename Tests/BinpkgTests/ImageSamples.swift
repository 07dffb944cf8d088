import Binpkg
import Foundation
import TestSupport

/// What the images of the real binpkgs in `testdata/binpkg` hold, listed independently with Python's tarfile
/// after decompressing the payload (the bytes before `XPAKPACK`) with bzip2/xz/zstd; the root entry not counted.
struct ImageSample: Sendable, CustomStringConvertible {
    let file: String
    let format: BinpkgFormat
    let compression: PayloadCompression
    let files: Int
    let directories: Int
    let symlinks: Int
    /// One entry to look at closely: path, kind, mode, size (files) or link target (symlinks).
    let probe: (path: String, type: ImageEntry.EntryType, mode: UInt32, size: Int, target: String?)?

    var url: URL { Fixtures.testdata("binpkg/\(file)") }
    var description: String { file }

    static let all: [ImageSample] = [
        .init(file: "bzip2-1.0.8-r4-2.xpak", format: .xpak, compression: .zstd, files: 17, directories: 11, symlinks: 12,
              probe: ("usr/lib64/libbz2.so", .symlink, 0o777, 0, "libbz2.so.1.0.8")),
        .init(file: "json-c-0.9.tbz2", format: .xpak, compression: .bzip2, files: 16, directories: 9, symlinks: 2,
              probe: ("usr/lib/libjson.so.0.0.1", .file, 0o755, 26084, nil)),
        .init(file: "mime-types-2.1.53-1.xpak", format: .xpak, compression: .zstd, files: 1, directories: 1, symlinks: 0,
              probe: ("etc/mime.types", .file, 0o644, 69857, nil)),
        .init(file: "portage-utils-0.96-r1-2.xpak", format: .xpak, compression: .zstd, files: 21, directories: 7,
              symlinks: 18, probe: ("usr/bin/qmerge", .symlink, 0o777, 0, "q")),
        .init(file: "qmerge-test-1.3.tbz2", format: .xpak, compression: .bzip2, files: 4, directories: 3, symlinks: 0,
              probe: ("usr/bin/qmerge-test", .file, 0o755, 18, nil)),
        .init(file: "qmerge-test-2.0.tbz2", format: .xpak, compression: .xz, files: 4, directories: 3, symlinks: 0,
              probe: ("usr/bin/qmerge-test2", .file, 0o755, 18, nil)),
        .init(file: "tape-0-r2-1.xpak", format: .xpak, compression: .zstd, files: 1, directories: 3, symlinks: 0,
              probe: ("usr/lib/sysusers.d/acct-group-tape.conf", .file, 0o644, 10, nil)),
        .init(file: "udev-217-r6-2.xpak", format: .xpak, compression: .zstd, files: 0, directories: 0, symlinks: 0,
              probe: nil),
        .init(file: "onepassword-cli-0-1.gpkg.tar", format: .gpkg, compression: .xz, files: 1, directories: 3, symlinks: 0,
              probe: ("usr/lib/sysusers.d/acct-group-onepassword-cli.conf", .file, 0o644, 23, nil)),
    ]

    static func named(_ file: String) -> ImageSample { all.first { $0.file == file }! }
    static let gpkg = named("onepassword-cli-0-1.gpkg.tar")
}
