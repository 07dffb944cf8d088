import FarmModel

/// A problem in a configuration file, naming the file and line.
public struct ConfigError: UserFacingError, Equatable {
    /// What kind of problem, for callers that react to some of them.
    public enum Kind: String, Sendable {
        case fileNotFound, syntax, unsupported, duplicate, unknownKey, wrongType, missingKey, invalidValue, unknownClass
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong, without the location.
    public var message: String
    public var fix: String

    /// Creates an error at `location`.
    public init(_ kind: Kind, at location: SourceLocation, _ message: String, fix: String) {
        self.kind = kind
        self.location = location
        self.message = message
        self.fix = fix
    }

    public var problem: String { "\(location): \(message)" }
}

/// Suggests the candidate closest to `word` when it is a likely typo.
func didYouMean(_ word: String, among candidates: [String]) -> String? {
    // A word that is one part of exactly one `snake_case` candidate (`strict` for `strict_isa`).
    let parts = candidates.filter { $0.lowercased().split(separator: "_").count > 1 && $0.lowercased().split(separator: "_").contains(Substring(word.lowercased())) }
    if parts.count == 1 { return parts[0] }
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(1, min(3, best.0.count / 3)) ? best.0 : nil
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one edit each.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
        }
    }
    return d[a.count][b.count]
}
