import Digests
import FarmModel
import Foundation

/// A PKGDIR `Packages` index: a header block, then one block per binary package, blank-line separated.
public struct PackagesIndex: Sendable, Hashable {
    /// The header (ARCH, CHOST, PACKAGES, PROFILE, TIMESTAMP, USE, VERSION …).
    public var header: PackagesBlock
    /// One block per binary package, in file order; each has a `CPV`.
    public var packages: [PackagesBlock]

    /// Creates an index from its blocks.
    public init(header: PackagesBlock, packages: [PackagesBlock]) {
        self.header = header
        self.packages = packages
    }

    /// The header's `PACKAGES` count, which real indexes do not always keep in step with the blocks.
    public var declaredPackageCount: Int? { header["PACKAGES"].flatMap { Int($0) } }

    /// The packages whose `CPV` is `cpv`, e.g. several build ids of one version.
    public func packages(cpv: String) -> [PackagesBlock] { packages.filter { $0.cpv == cpv } }

    /// Reads and parses the index at `url`.
    public init(contentsOf url: URL) throws(PackagesIndexError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PackagesIndexError(location: SourceLocation(path: url.path),
                                     kind: .unreadable(reason: Digest.describe(error)))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PackagesIndexError(location: SourceLocation(path: url.path), kind: .notUTF8)
        }
        try self.init(parsing: text, path: url.path)
    }

    /// Parses index text; `path` names the file in errors.
    public init(parsing text: String, path: String) throws(PackagesIndexError) {
        var blocks: [PackagesBlock] = []
        var current = PackagesBlock()
        var firstLine: [String: Int] = [:]
        // Split at every "\n" scalar: as Characters, "\r\n" is one, so a value ending in "\r" would swallow the newline.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Substring.init)
        if text.unicodeScalars.last == "\n" { lines.removeLast() }
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let here = SourceLocation(path: path, line: number)
            if line.isEmpty {
                if !current.fields.isEmpty { blocks.append(current) }
                current = PackagesBlock()
                firstLine = [:]
                continue
            }
            let field = try Self.field(line, at: here)
            if let first = firstLine[field.key] {
                throw PackagesIndexError(location: here, kind: .duplicateKey(field.key, firstLine: first))
            }
            firstLine[field.key] = number
            if current.fields.isEmpty { current.line = number }
            current.fields.append(field)
        }
        if !current.fields.isEmpty { blocks.append(current) }
        guard let header = blocks.first else {
            throw PackagesIndexError(location: SourceLocation(path: path), kind: .empty)
        }
        for block in blocks.dropFirst() where block.cpv?.isEmpty ?? true {
            throw PackagesIndexError(location: SourceLocation(path: path, line: block.line), kind: .missingCPV)
        }
        self.init(header: header, packages: Array(blocks.dropFirst()))
    }

    /// Splits `KEY: value` (or `KEY:` with an empty value).
    private static func field(_ line: Substring, at location: SourceLocation) throws(PackagesIndexError) -> PackagesField {
        guard let colon = line.firstIndex(of: ":") else {
            throw PackagesIndexError(location: location, kind: .malformedLine(String(line)))
        }
        let key = line[..<colon]
        let rest = line[line.index(after: colon)...]
        guard !key.isEmpty, !key.contains(where: \.isWhitespace), rest.isEmpty || rest.hasPrefix(" ") else {
            throw PackagesIndexError(location: location, kind: .malformedLine(String(line)))
        }
        return PackagesField(key: String(key), value: String(rest.dropFirst()))
    }

    /// The index as Portage writes it: header, blank line, then each package followed by a blank line.
    public var serialized: String {
        ([header] + packages).map { $0.serialized + "\n" }.joined()
    }

    /// Writes the index to `url` atomically (a temporary file renamed into place).
    public func write(to url: URL) throws(PackagesIndexError) {
        do { try Data(serialized.utf8).write(to: url, options: .atomic) } catch {
            throw PackagesIndexError(location: SourceLocation(path: url.path),
                                     kind: .unwritable(reason: Digest.describe(error)))
        }
    }
}

/// A `Packages` index that cannot be read, parsed or written; names the file and line.
public struct PackagesIndexError: UserFacingError, Hashable {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// The file could not be read.
        case unreadable(reason: String)
        /// The file could not be written.
        case unwritable(reason: String)
        /// The file is not UTF-8 text.
        case notUTF8
        /// The file has no blocks at all.
        case empty
        /// A line is not `KEY: value`.
        case malformedLine(String)
        /// A key occurs twice in one block.
        case duplicateKey(String, firstLine: Int)
        /// A package block has no `CPV`.
        case missingCPV
    }

    /// The file and line.
    public var location: SourceLocation
    /// What is wrong.
    public var kind: Kind

    public var problem: String {
        let what = switch kind {
        case .unreadable(let reason): "cannot read the Packages index: \(reason)"
        case .unwritable(let reason): "cannot write the Packages index: \(reason)"
        case .notUTF8: "the Packages index is not UTF-8 text"
        case .empty: "the Packages index is empty (not even a header block)"
        case .malformedLine(let line): "expected `KEY: value`, found \"\(line.prefix(80))\""
        case let .duplicateKey(key, first): "key \(key) appears twice in one block (first on line \(first))"
        case .missingCPV: "the package block starting here has no CPV"
        }
        return "\(location): \(what)"
    }

    public var fix: String {
        switch kind {
        case .unreadable, .unwritable: "check that the path exists and farmctl's user may read and write it"
        default: "regenerate the index from the binpkgs: run `emaint binhost --fix` with PKGDIR set to its directory"
        }
    }
}
