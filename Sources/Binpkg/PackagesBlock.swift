import FarmModel

/// One `KEY: value` line of a `Packages` index.
public struct PackagesField: Sendable, Hashable {
    /// The key, e.g. `CPV`.
    public var key: String
    /// The value after `": "`, possibly empty.
    public var value: String

    /// Creates a field.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A block of `KEY: value` lines (the header or one package) in file order.
public struct PackagesBlock: Sendable, Hashable {
    /// The fields in the order they are written.
    public var fields: [PackagesField]
    /// The 1-based line the block starts on in the parsed file; nil for blocks built in code.
    public var line: Int?

    /// Creates a block from fields in order.
    public init(fields: [PackagesField] = [], line: Int? = nil) {
        self.fields = fields
        self.line = line
    }

    /// The value of `key`; setting replaces it in place, appends a new key, or removes it when nil.
    public subscript(key: String) -> String? {
        get { fields.first { $0.key == key }?.value }
        set {
            let index = fields.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (index?, value?): fields[index].value = value
            case let (index?, nil): fields.remove(at: index)
            case let (nil, value?): fields.append(PackagesField(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { fields.map(\.key) }

    /// `CPV`, e.g. `app-arch/bzip2-1.0.8-r4` (always present in a parsed package block).
    public var cpv: String? { self["CPV"] }
    /// `CPV` parsed, nil when missing or invalid.
    public var parsedCPV: CPV? { cpv.flatMap(CPV.init) }
    /// `PATH` relative to PKGDIR (binpkg-multi-instance), e.g. `app-arch/bzip2/bzip2-1.0.8-r4-2.xpak`.
    public var path: String? { self["PATH"] }
    /// Where the binpkg is relative to PKGDIR: `PATH`, or `CPV.tbz2` when there is no PATH (classic layout).
    public var relativePath: String? { path ?? cpv.map { "\($0).tbz2" } }
    /// `BUILD_ID`, nil when absent or not a number.
    public var buildID: Int? { self["BUILD_ID"].flatMap { Int($0) } }
    /// `BUILD_TIME` in seconds since the epoch.
    public var buildTime: Int? { self["BUILD_TIME"].flatMap { Int($0) } }
    /// `SHA1` of the binpkg file, hex.
    public var sha1: String? { self["SHA1"] }
    /// `MD5` of the binpkg file, hex.
    public var md5: String? { self["MD5"] }
    /// `SIZE` of the binpkg file in bytes.
    public var size: Int? { self["SIZE"].flatMap { Int($0) } }
    /// `USE` flags enabled (in the header: the profile's USE).
    public var use: Set<String> { BinpkgMetadata.words(self["USE"]) }
    /// `REPO` the package came from.
    public var repo: String? { self["REPO"] }
    /// `SLOT`; Portage omits it when it is `0`.
    public var slot: String? { self["SLOT"] }

    /// The block as Portage writes it: one `KEY: value` line per field.
    public var serialized: String { fields.map { "\($0.key): \($0.value)\n" }.joined() }
}
