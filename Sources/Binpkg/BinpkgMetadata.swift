import FarmModel

/// A typed view over a binary package's metadata keys (from XPAK or gpkg), one trailing newline trimmed.
public struct BinpkgMetadata: Sendable, Hashable {
    /// Every key with its value, one trailing newline trimmed.
    public let values: [String: String]

    /// Wraps metadata values; one trailing newline is trimmed from each.
    public init(values: [String: String]) {
        self.values = values.mapValues { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    /// The metadata of an xpak binary package.
    public init(_ xpak: XPAK) { self.init(values: xpak.values) }

    /// The value of any key, e.g. `metadata["FEATURES"]`.
    public subscript(key: String) -> String? { values[key] }

    /// `CATEGORY`, e.g. `app-arch`.
    public var category: String? { values["CATEGORY"] }
    /// `PF`: package name, version and revision, e.g. `bzip2-1.0.8-r4`.
    public var pf: String? { values["PF"] }
    /// `CATEGORY/PF`, e.g. `app-arch/bzip2-1.0.8-r4`; nil when either is missing or empty.
    public var cpv: String? {
        guard let category, let pf, !category.isEmpty, !pf.isEmpty else { return nil }
        return "\(category)/\(pf)"
    }
    /// `cpv` parsed, nil when it is not a valid CPV.
    public var parsedCPV: CPV? { cpv.flatMap(CPV.init) }

    /// `CHOST`, e.g. `i686-pc-linux-gnu`.
    public var chost: String? { values["CHOST"] }
    /// `CFLAGS` the package was built with.
    public var cflags: String? { values["CFLAGS"] }
    /// `CXXFLAGS` the package was built with.
    public var cxxflags: String? { values["CXXFLAGS"] }
    /// `LDFLAGS` the package was built with.
    public var ldflags: String? { values["LDFLAGS"] }

    /// `USE`: the flags enabled for this build (including USE_EXPAND ones such as `cpu_flags_x86_sse2`).
    public var use: Set<String> { Self.words(values["USE"]) }
    /// `IUSE` as written, defaults included, e.g. `["openmp", "+qmanifest"]`.
    public var iuse: [String] { (values["IUSE"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init) }
    /// `IUSE` flag names without `+`/`-` defaults.
    public var iuseNames: Set<String> {
        Set(iuse.map { $0.hasPrefix("+") || $0.hasPrefix("-") ? String($0.dropFirst()) : $0 })
    }

    /// `SLOT` including any sub-slot, e.g. `0/1`.
    public var slot: String? { values["SLOT"] }
    /// `BUILD_ID` (binpkg-multi-instance), nil when absent or not a number.
    public var buildID: Int? { values["BUILD_ID"].flatMap { Int($0.trimmingWhitespace) } }
    /// `BUILD_TIME` in seconds since the epoch, nil when absent or not a number.
    public var buildTime: Int? { values["BUILD_TIME"].flatMap { Int($0.trimmingWhitespace) } }
    /// `repository` the ebuild came from, e.g. `gentoo`.
    public var repository: String? { values["repository"] }
    /// `EAPI`, e.g. `8`.
    public var eapi: String? { values["EAPI"] }

    /// The CPU_FLAGS_X86 values: the `CPU_FLAGS_X86` key when present, else the `cpu_flags_x86_*` USE flags;
    /// nil when neither is there.
    public var cpuFlagsX86: Set<String>? {
        if let explicit = values["CPU_FLAGS_X86"] { return Self.words(explicit) }
        let prefix = "cpu_flags_x86_"
        let fromUse = Set(use.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        return fromUse.isEmpty ? nil : fromUse
    }

    /// `DEPEND` text (build dependencies), as written.
    public var depend: String? { values["DEPEND"] }
    /// `RDEPEND` text (run-time dependencies), as written.
    public var rdepend: String? { values["RDEPEND"] }
    /// `BDEPEND` text (build-host dependencies), as written.
    public var bdepend: String? { values["BDEPEND"] }
    /// `PDEPEND` text (post-merge dependencies), as written.
    public var pdepend: String? { values["PDEPEND"] }

    static func words(_ text: String?) -> Set<String> {
        Set((text ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
