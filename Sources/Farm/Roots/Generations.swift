import FarmModel
import Foundation
import Store

/// One generation of a class as `farmctl roots list` shows it.
public struct GenerationListing: Sendable, Encodable {
    public var `class`: String
    public var number: Int
    /// assembling, published or failed (as recorded).
    public var status: String
    public var created: Date
    public var packages: Int
    /// True when `current` points at it.
    public var current: Bool
    /// True when its directory exists.
    public var onDisk: Bool
    public var pruned: Date?
    public var failure: String?
    /// The release of the kernel in the root (nil: the class has no `[kernel]`).
    public var kernel: String?
    /// `sha256:<hex>` of the seed stage the root started from (nil: no `[base] stage`).
    public var stage: String?
    /// The pre-publish ISA audit: `pass`, `warn: …`, `fail: …` (nil: not audited).
    public var isaAudit: String? = nil
}

/// What differs between two generations of a class.
public struct GenerationDiff: Sendable, Encodable {
    public var `class`: String
    public var from: Int
    public var to: Int
    /// Packages only in `to`, only in `from`, in both at other versions ("old → new"), and the same version rebuilt.
    public var added: [String] = []
    public var removed: [String] = []
    public var changed: [String] = []
    public var rebuilt: [String] = []
    /// The kernel (`release (kernel key, modules key)`) of each side, when the kernel or its modules differ.
    public var kernel: (from: String?, to: String?)?
    /// The seed stage's digest of each side, when the stage changed (nil: no stage on that side).
    public var stage: (from: String?, to: String?)?

    enum CodingKeys: String, CodingKey { case `class`, from, to, added, removed, changed, rebuilt, kernelFrom, kernelTo, stageFrom, stageTo }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(`class`, forKey: .class)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        for (key, list) in [(CodingKeys.added, added), (.removed, removed), (.changed, changed), (.rebuilt, rebuilt)] {
            try container.encode(list, forKey: key)
        }
        try container.encodeIfPresent(kernel?.from, forKey: .kernelFrom)
        try container.encodeIfPresent(kernel?.to, forKey: .kernelTo)
        if let stage {
            try container.encode(stage.from, forKey: .stageFrom)
            try container.encode(stage.to, forKey: .stageTo)
        }
    }
}

extension Farm {
    /// Every generation of the named class (all classes when nil), newest first per class.
    public func listGenerations(class name: String?) throws -> [GenerationListing] {
        let store = try existingStore()
        let classes = try name.map { [try profiles(named: [$0])[0].name] }
        return try store.generations(class: classes?.first).map { record in
            let roots = settings.rootsDirectory(for: ClassName(record.class)!).path
            return GenerationListing(class: record.class, number: record.number, status: record.status.rawValue, created: record.created,
                                     packages: try record.id.map { try store.packages(inGeneration: $0).count } ?? 0,
                                     current: RootLink.current(in: roots) == record.number,
                                     onDisk: FileManager.default.fileExists(atPath: record.path),
                                     pruned: record.pruned, failure: record.failure, kernel: record.kernelRelease,
                                     stage: record.stageDigest, isaAudit: record.isaAudit)
        }
    }

    /// Points `current` of a class back at generation `number` (default: the newest published one before
    /// `current` still on disk). Returns the generations it moved from and to.
    public func rollback(class name: String, to number: Int?) throws -> (from: Int?, to: Int) {
        let nodeClass = try profiles(named: [name])[0].name
        let store = try existingStore()
        let lock = try FarmLock.take(directory: settings.state.path, command: "roots-rollback")
        defer { withExtendedLifetime(lock) {} }
        let roots = settings.rootsDirectory(for: nodeClass).path
        let current = RootLink.current(in: roots)
        let usable = try store.generations(class: nodeClass).filter {
            $0.status == .published && FileManager.default.fileExists(atPath: $0.path)
        }
        let target: GenerationRecord?
        if let number {
            target = usable.first { $0.number == number }
        } else {
            target = usable.first { $0.number < (current ?? Int.max) }
        }
        guard let target else {
            let choices = usable.map { String($0.number) }.joined(separator: ", ")
            throw FarmError(problem: number.map { "class \(nodeClass) has no published generation \($0) on disk" }
                                ?? "class \(nodeClass) has no published generation older than \(current.map(String.init) ?? "none") on disk",
                            fix: choices.isEmpty ? "run `farmctl build \(nodeClass)`" : "name one of: \(choices) (see `farmctl roots list \(nodeClass)`)")
        }
        try RootLink.switchCurrent(in: roots, to: target.number)
        return (current, target.number)
    }

    /// The packages that differ between generations `a` and `b` of a class.
    public func diffGenerations(class name: String, _ a: Int, _ b: Int) throws -> GenerationDiff {
        let nodeClass = try profiles(named: [name])[0].name
        let store = try existingStore()
        func generation(_ number: Int) throws -> (record: GenerationRecord, packages: [String: (cpv: CPV, sha256: String)]) {
            guard let record = try store.generation(class: nodeClass, number: number), let id = record.id else {
                throw FarmError(problem: "class \(nodeClass) has no generation \(number)", fix: "see `farmctl roots list \(nodeClass)`")
            }
            return (record, Dictionary(try store.packages(inGeneration: id).compactMap { row in CPV(row.cpv).map { ($0.cp, ($0, row.sha256)) } },
                                       uniquingKeysWith: { first, _ in first }))
        }
        let (oldRecord, old) = try generation(a), (newRecord, new) = try generation(b)
        var diff = GenerationDiff(class: nodeClass.rawValue, from: a, to: b)
        if oldRecord.kernelKey != newRecord.kernelKey {
            func describe(_ record: GenerationRecord) -> String? {
                record.kernelRelease.map { "\($0) (\(record.kernelKey?.replacingOccurrences(of: " ", with: ", modules ") ?? ""))" }
            }
            diff.kernel = (describe(oldRecord), describe(newRecord))
        }
        if oldRecord.stageDigest != newRecord.stageDigest { diff.stage = (oldRecord.stageDigest, newRecord.stageDigest) }
        for (cp, item) in new.sorted(by: { $0.key < $1.key }) {
            guard let before = old[cp] else { diff.added.append(item.cpv.description); continue }
            if before.cpv != item.cpv { diff.changed.append("\(before.cpv) → \(item.cpv)") }
            else if before.sha256 != item.sha256 { diff.rebuilt.append(item.cpv.description) }
        }
        diff.removed = old.filter { new[$0.key] == nil }.map(\.value.cpv.description).sorted()
        return diff
    }

    /// Deletes the directories of a class's generations beyond the newest `keep_generations` published ones
    /// (never `current`, never one being assembled) and records them as pruned. Returns their numbers.
    @discardableResult
    func pruneGenerations(_ nodeClass: ClassName, store: FarmStore) throws -> [Int] {
        var pruned: [Int] = []
        for record in try prunable(nodeClass, store: store) {
            if FileManager.default.fileExists(atPath: record.path) { try FileManager.default.removeItem(atPath: record.path) }
            if let id = record.id { try store.recordGenerationPruned(id) }
            pruned.append(record.number)
        }
        return pruned.sorted()
    }
}
