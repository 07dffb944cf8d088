import CPU
import FarmModel
import Foundation

/// A problem running an audit (an unreadable root or file), with its fix.
public typealias AuditError = Problem

/// Instructions of one feature in one function: how many, and the first one with its place.
public struct FeatureUse: Codable, Sendable, Hashable {
    /// The function (`name`, or `0xADDR` where no symbol names it) holding the instructions.
    public var function: String
    /// The feature they need (as `/proc/cpuinfo` names it: `sse2`, `3dnow`).
    public var feature: String
    /// How many such instructions the function holds.
    public var count: Int
    /// The first: `function+0xOFFSET (0xADDRESS): mnemonic operands`.
    public var first: String
}

/// What the audit found in one ELF file.
public struct FileFindings: Codable, Sendable, Hashable {
    /// The file's path inside the root (`/usr/bin/fhsum`).
    public var path: String
    /// The package whose CONTENTS lists the file (`app-misc/fhsum-1.0`), if any.
    public var package: String?
    /// Instructions the class's CPU lacks, outside run-time-selected code.
    public var violations: [FeatureUse]
    /// Instructions the class's CPU lacks in implementations an IFUNC resolver picks by CPUID at run time.
    public var runtimeSelected: [FeatureUse]
    /// True when the class lists the file as allowed (its violations do not fail the audit).
    public var allowed: Bool
}

/// Decodes one ELF file's code and sorts the instructions a CPU lacks into violations and run-time-selected code.
enum FileAudit {
    /// Audits `image` against the features the class's CPU has; nil when nothing it lacks was found.
    static func audit(_ image: ELFImage, cpuHas features: Set<ISAFeature>, path: String) throws(AuditError) -> (violations: [FeatureUse], runtimeSelected: [FeatureUse]) {
        guard image.isX86 else { return ([], []) }
        let disassembler = try Disassembler(is64Bit: image.is64Bit)
        let functions = FunctionMap(image)
        let variants = implementations(image, functions: functions, disassembler: disassembler)
        var violations: [String: (count: Int, first: String, function: String, feature: String)] = [:]
        var selected = violations
        for range in image.code {
            for use in disassembler.featureUses([UInt8](image.codeBytes(range)), address: range.address)
            where !features.contains(use.feature) {
                let owner = functions.owner(of: use.address)
                let isSelected = owner.map { variants.contains($0.start) } ?? false
                let name = owner?.name ?? "\(range.name)"
                let offset = use.address - (owner?.start ?? range.address)
                let key = "\(name)\0\(use.feature)"
                let first = "\(name)+0x\(String(offset, radix: 16)) (0x\(String(use.address, radix: 16))): \(use.mnemonic) \(use.operands)"
                if isSelected {
                    selected[key, default: (0, first, name, use.feature.rawValue)].count += 1
                } else {
                    violations[key, default: (0, first, name, use.feature.rawValue)].count += 1
                }
            }
        }
        func sorted(_ map: [String: (count: Int, first: String, function: String, feature: String)]) -> [FeatureUse] {
            map.values.map { FeatureUse(function: $0.function, feature: $0.feature, count: $0.count, first: $0.first) }
                .sorted { ($0.function, $0.feature) < ($1.function, $1.feature) }
        }
        return (sorted(violations), sorted(selected))
    }

    /// Start addresses of the implementations IFUNC resolvers may return: what each resolver loads with `lea`/`mov`
    /// that is the start of a function (a symbol or an `.eh_frame` entry). i386 PIC code addresses them from the GOT.
    static func implementations(_ image: ELFImage, functions: FunctionMap, disassembler: Disassembler) -> Set<UInt64> {
        var starts = Set<UInt64>()
        for resolver in image.resolvers {
            guard let offset = image.offset(ofAddress: resolver) else { continue }
            let end = functions.end(of: resolver) ?? resolver &+ 512
            let length = min(Int(clamping: end > resolver ? end - resolver : 0), 4096, image.bytes.count - offset)
            guard length > 0 else { continue }
            let code = [UInt8](image.bytes[offset ..< offset + length])
            for loaded in disassembler.loadedAddresses(code, address: resolver) {
                let target = loaded.isGOTRelative ? image.globalOffsetTable.map { ($0 &+ loaded.value) & (image.is64Bit ? .max : 0xffff_ffff) } : loaded.value
                if let target, functions.isStart(target), target != resolver { starts.insert(target) }
            }
        }
        return starts
    }
}

/// Function extents of a file: symbols where present, `.eh_frame` entries between them.
struct FunctionMap {
    struct Function { var start: UInt64; var end: UInt64?; var name: String }
    private var starts: [UInt64] = []
    private var byStart: [UInt64: Function] = [:]

    init(_ image: ELFImage) {
        for symbol in image.functions where symbol.address != 0 {
            if let existing = byStart[symbol.address], !existing.name.hasPrefix("0x") { continue }
            byStart[symbol.address] = Function(start: symbol.address, end: symbol.size > 0 ? symbol.address + symbol.size : nil, name: symbol.name)
        }
        for start in image.frameStarts where byStart[start] == nil {
            byStart[start] = Function(start: start, end: nil, name: "0x" + String(start, radix: 16))
        }
        starts = byStart.keys.sorted()
    }

    func isStart(_ address: UInt64) -> Bool { byStart[address] != nil }

    /// Where the function starting at `start` ends: its symbol's size, else the next known start.
    func end(of start: UInt64) -> UInt64? {
        if let end = byStart[start]?.end { return end }
        let index = upperBound(start)
        return index < starts.count ? starts[index] : nil
    }

    /// The function holding `address`: the nearest start at or below it whose extent (if known) covers it.
    func owner(of address: UInt64) -> Function? {
        var index = upperBound(address) - 1
        while index >= 0 {
            let function = byStart[starts[index]]!
            if let end = function.end, address >= end {
                index -= 1      // a sized symbol that ends before: look for an enclosing one (or an FDE) further down
                if index >= 0, byStart[starts[index]]!.end.map({ address < $0 }) ?? false { return byStart[starts[index]] }
                return nil
            }
            return function
        }
        return nil
    }

    private func upperBound(_ address: UInt64) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= address { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
