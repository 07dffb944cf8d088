import Binpkg
import CPU
import Digests
import FarmConfig
import FarmModel
import Foundation
import Store

/// No class of the farm is safe for a CPU: says which class lacks what.
public struct NoClassFits: UserFacingError {
    /// The classification that found nothing.
    public var classification: Classification
    /// Where the cpuinfo came from.
    public var source: String

    public var problem: String {
        let reasons = classification.verdicts.map { "\($0.name): \($0.summary)" }.joined(separator: "; ")
        return "no node class can run on the CPU in \(source) (\(classification.cpu.modelName ?? "unnamed CPU")): \(reasons)"
    }

    public var fix: String {
        "add a class whose -march this CPU runs (GCC's -march=native for it: \(classification.native?.name ?? "unknown")), or lower an existing class's -march"
    }
}

/// A recorded node with the class today's profiles give it.
public struct NodeListing: Sendable, Encodable {
    public var name: String
    public var mac: String
    /// The class recorded when the node was added or last re-added.
    public var `class`: String
    /// The class the current profiles choose for the stored cpuinfo (nil: none fits any more).
    public var currentClass: String?
    public var march: String?
    public var modelName: String?
    public var cpuinfoSHA256: String
    public var added: Date
    public var classified: Date
}

extension Farm {
    /// Classifies `/proc/cpuinfo` text against every class of the farm.
    public func classify(cpuinfo text: String, source: String) throws -> Classification {
        let cpu = try CPUDescription(parsing: text, source: source)
        return Classification(cpu, classes: try profiles(named: []).map(\.requirements))
    }

    /// Classifies a node and records it (name, MAC, class, cpuinfo digest); re-adding reclassifies.
    /// Throws `NoClassFits` (and records nothing) when no class is safe for its CPU.
    public func addNode(name: String, mac: String, cpuinfo text: String, source: String) throws -> (Classification, NodeChange) {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw FarmError(problem: "node name `\(name)` is not a host name", fix: "use letters, digits, `-`, `_` and `.`, e.g. node07")
        }
        let normalizedMAC = try Self.normalizedMAC(mac)
        let classification = try classify(cpuinfo: text, source: source)
        guard let chosen = classification.chosen else { throw NoClassFits(classification: classification, source: source) }
        let change = try openStore().recordNode(
            name: name, mac: normalizedMAC, class: chosen, march: classification.native?.name,
            modelName: classification.cpu.modelName, cpuinfo: text, cpuinfoSHA256: try Digest.hex(.sha256, of: Data(text.utf8)))
        return (classification, change)
    }

    /// Every recorded node, with the class the current profiles give its stored cpuinfo.
    public func nodes() throws -> [NodeListing] {
        guard FileManager.default.fileExists(atPath: settings.database.path) else { return [] }
        let classes = try profiles(named: []).map(\.requirements)
        return try existingStore().nodes().map { node in
            let current = (try? CPUDescription(parsing: node.cpuinfo, source: node.name)).flatMap { Classification($0, classes: classes).chosen }
            return NodeListing(name: node.name, mac: node.mac, class: node.class, currentClass: current, march: node.march,
                               modelName: node.modelName, cpuinfoSHA256: node.cpuinfoSHA256, added: node.added, classified: node.classified)
        }
    }

    /// `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` or `aa:bb:…` → `aa:bb:cc:dd:ee:ff`.
    static func normalizedMAC(_ mac: String) throws -> String {
        let hex = mac.lowercased().filter { !":-.".contains($0) }
        guard hex.count == 12, hex.allSatisfy(\.isHexDigit) else {
            throw FarmError(problem: "`\(mac)` is not a MAC address", fix: "write six hex bytes, e.g. --mac 00:16:3e:12:34:56")
        }
        var pairs: [String] = []
        var rest = Substring(hex)
        while !rest.isEmpty { pairs.append(String(rest.prefix(2))); rest = rest.dropFirst(2) }
        return pairs.joined(separator: ":")
    }
}
