/// One `processor` block of `/proc/cpuinfo`: its fields, as the kernel wrote them, keys lowercased.
public struct ProcessorBlock: Sendable, Equatable {
    /// The 1-based line where the block starts.
    public var line: Int
    /// Fields by lowercased key (`vendor_id`, `cpu family`, `model name`, `flags`, …).
    public var fields: [String: String]

    /// The value of `key`, if present.
    public subscript(key: String) -> String? { fields[key] }
    /// The block's feature flags, or nil when the block has no flags line (a truncated dump).
    public var flags: [Substring]? { (fields["flags"] ?? fields["features"]).map { $0.split(separator: " ") } }
}

/// A parsed `/proc/cpuinfo`: the processor blocks and what the parser had to skip.
public struct CPUInfo: Sendable, Equatable {
    /// The processor blocks, in order.
    public var processors: [ProcessorBlock]
    /// Lines that were neither `key : value` nor a continuation of a flags line (notes pasted into the dump).
    public var ignoredLines: [Int]

    /// Parses the text of a `/proc/cpuinfo`. `source` names it in errors.
    ///
    /// Tolerates what dumps go through: several blocks with or without blank lines between them, old kernel
    /// formats, flags lines wrapped by mail clients (a line without `key : value` continues the flags),
    /// notes pasted in between (ignored), CRLF line ends and truncation.
    public init(parsing text: String, source: String) throws(CPUInfoError) {
        var blocks: [ProcessorBlock] = []
        var current: ProcessorBlock?
        var lastKey: String?
        var ignored: [Int] = []
        var sawField = false
        func close() {
            if let block = current, !block.fields.isEmpty { blocks.append(block) }
            current = nil
            lastKey = nil
        }
        for (number, line) in Self.unmangledLines(text) {
            if line.isEmpty { close(); continue }
            if let (key, value) = Self.field(line) {
                sawField = true
                if let architecture = Self.foreignArchitecture(key: key, value: value) {
                    throw .unsupported(source, architecture: architecture, line: number)
                }
                if key == "processor" || current?.fields[key] != nil { close() }
                if current == nil { current = ProcessorBlock(line: number, fields: [:]) }
                current?.fields[key] = value
                lastKey = key
            } else if let key = lastKey, Self.flagKeys.contains(key), Self.looksLikeFlags(line) {
                current?.fields[key, default: ""] += " " + line
            } else {
                ignored.append(number)
            }
        }
        close()
        guard sawField else { throw .empty(source) }
        guard blocks.contains(where: { $0["vendor_id"] != nil || $0["cpu family"] != nil }) else { throw .noIdentity(source) }
        processors = blocks
        ignoredLines = ignored
    }

    static let flagKeys: Set<String> = ["flags", "features"]

    /// The dump's lines (trimmed, with their 1-based numbers) after undoing what mail does to text:
    /// `> ` quoting, quoted-printable soft breaks (`=` at the end of a line) and keys split from their
    /// `: value` by a line break.
    static func unmangledLines(_ text: String) -> [(Int, String)] {
        var lines: [(Int, String)] = []
        var pendingSoftBreak = false
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = Substring(raw)
            while let first = line.first, first == ">" { line = line.dropFirst().drop { $0 == " " } }
            var trimmed = line.trimmingCharacters(in: .whitespaces)
            let softBreak = trimmed.hasSuffix("=")
            if softBreak { trimmed = String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces) }
            if pendingSoftBreak || (trimmed.hasPrefix(":") && !(lines.last?.1.contains(":") ?? true)), let last = lines.popLast() {
                lines.append((last.0, last.1 + (trimmed.hasPrefix(":") ? "" : " ") + trimmed))
            } else {
                lines.append((index + 1, trimmed))
            }
            pendingSoftBreak = softBreak
        }
        return lines
    }

    /// `key : value` with the key lowercased and its inner whitespace collapsed, or nil for other lines.
    static func field(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon].split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
        guard !key.isEmpty, key.count <= 40,
              key.allSatisfy({ $0.isLetter || $0.isNumber || " _-()/.".contains($0) }) else { return nil }
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return (key, value)
    }

    /// A continuation of a wrapped flags line: lowercase flag-like words, most of them known flags.
    static func looksLikeFlags(_ line: String) -> Bool {
        let words = line.split(separator: " ")
        guard words.allSatisfy({ $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "." } }) else { return false }
        let known = words.filter { KnownFlags.all.contains(String($0)) }.count
        return known * 2 >= words.count
    }

    /// The architecture a field reveals when it is not x86 (ARM, POWER, RISC-V, s390, SPARC, MIPS, Alpha).
    static func foreignArchitecture(key: String, value: String) -> String? {
        switch key {
        case "cpu implementer", "cpu architecture": return "ARM"
        case "isa" where value.hasPrefix("rv"): return "RISC-V"
        case "cpu" where value.uppercased().contains("POWER") || value.contains("PowerPC") || value.hasPrefix("PPC"): return "PowerPC"
        case "vendor_id" where value.contains("S390"): return "s390"
        case "cpu" where value.hasPrefix("TI UltraSparc") || value.hasPrefix("Sun"): return "SPARC"
        case "cpu model" where value.contains("MIPS") || value.contains("Loongson"): return "MIPS"
        case "cpu" where value == "Alpha": return "Alpha"
        default: return nil
        }
    }
}
