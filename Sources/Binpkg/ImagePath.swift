/// An image entry name resolved against the image root, as raw byte components (names need not be UTF-8).
struct ImagePath: Hashable {
    /// The components below the image root; empty for the root itself.
    var components: [[UInt8]]
    /// True when an xpak name started with `/` and the slash was dropped.
    var droppedLeadingSlash = false

    /// The path as bytes, components joined by `/`.
    var bytes: [UInt8] { Array(components.joined(separator: [0x2f])) }
    /// The path as text (invalid UTF-8 replaced), e.g. `usr/bin/q`.
    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The enclosing directory's path (the root's parent is the root).
    var parent: ImagePath { ImagePath(components: Array(components.dropLast())) }
    /// Every proper ancestor below the root, outermost first: `usr`, `usr/bin` for `usr/bin/q`.
    var ancestors: [ImagePath] { (1..<max(1, components.count)).map { ImagePath(components: Array(components.prefix($0))) } }

    /// A refused name, with the reason.
    struct Refusal: Error { let reason: String }

    /// How a tar's member names map onto the root: as Portage extracts an xpak or a gpkg image, or a stage tarball.
    enum Naming {
        /// A leading `/` is dropped, as GNU tar (Portage's xpak extractor) does.
        case xpak
        /// Names must lie under `image/`, which is removed; absolute names are refused (`tar_safe_extract`).
        case gpkg
        /// A stage: names are relative to the root (`./bin/sh`); absolute names are refused.
        case stage
    }

    /// Resolves a tar entry name the way Portage would extract it, or refuses it.
    ///
    /// `..` components are refused always (Portage's `tar_safe_extract` for gpkg; GNU tar, which Portage
    /// runs for xpak, skips such members and fails). A leading `/` is refused for gpkg (`tar_safe_extract`) and
    /// stages, and dropped for xpak, as GNU tar does ("Removing leading `/' from member names"). gpkg names must
    /// lie under `image/`, which is removed; `.` and empty components are dropped (`./usr//bin` is `usr/bin`).
    init(tarName raw: [UInt8], naming: Naming) throws(Refusal) {
        guard !raw.isEmpty else { throw Refusal(reason: "the entry has an empty name") }
        let absolute = raw.first == 0x2f
        if absolute, naming != .xpak {
            throw Refusal(reason: naming == .gpkg ? "absolute path (Portage's gpkg extraction refuses these too)"
                : "absolute path (a stage's members are relative to its root, e.g. ./bin/sh)")
        }
        var components: [[UInt8]] = []
        for component in raw.split(separator: 0x2f, omittingEmptySubsequences: true) where component != [0x2e] {
            guard component != [0x2e, 0x2e] else { throw Refusal(reason: "a `..` component climbs out of the image") }
            components.append(Array(component))
        }
        if naming == .gpkg {
            guard components.first == Array("image".utf8) else {
                throw Refusal(reason: "outside the image/ directory of the gpkg image tar")
            }
            components.removeFirst()
        }
        self.components = components
        droppedLeadingSlash = absolute
    }

    init(components: [[UInt8]]) { self.components = components }

    /// True when a symlink placed here with this target stays inside the image root.
    ///
    /// Absolute targets are kept verbatim (the node resolves them against its own root); a relative one is
    /// resolved lexically from this entry's directory and must never climb above the root.
    func symlinkStaysInside(target: [UInt8]) -> Bool {
        guard target.first != 0x2f else { return true }
        var depth = components.count - 1
        for component in target.split(separator: 0x2f, omittingEmptySubsequences: true) where component != [0x2e] {
            depth += component == [0x2e, 0x2e] ? -1 : 1
            if depth < 0 { return false }
        }
        return true
    }
}
