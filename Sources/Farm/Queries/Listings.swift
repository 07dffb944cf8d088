import FarmModel
import Foundation

/// A build as `query builds --json` and `serve`'s `/api/builds` give it.
public struct BuildListing: Encodable, Sendable {
    public var id: Int64?
    public var `class`: String
    public var cpv: String
    public var worker: String
    public var status: String
    public var started: Date
    public var finished: Date?
    public var exitStatus: Int?
    public var signal: Int?
    public var logPath: String
    public var binpkgPath: String?
    public var binpkgSize: Int64?
    public var sha256: String?
    public var chost: String?
    public var cflags: String?
    public var use: String?

    public init(_ record: BuildRecord) {
        id = record.id
        `class` = record.class
        cpv = record.cpv
        worker = record.worker
        status = record.status.rawValue
        started = record.started
        finished = record.finished
        exitStatus = record.exitStatus
        signal = record.signal
        logPath = record.logPath
        binpkgPath = record.binpkgPath
        binpkgSize = record.binpkgSize
        sha256 = record.binpkgSHA256
        chost = record.chost
        cflags = record.cflags
        use = record.use
    }
}

extension FarmStatus: Encodable {
    enum CodingKeys: String, CodingKey { case running, holder, progress, last }

    /// As `farmctl status --json` and `serve`'s `/api/status` give it: running, the lock holder, progress, last run.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(active != nil, forKey: .running)
        try container.encodeIfPresent(active, forKey: .holder)
        try container.encodeIfPresent(progress, forKey: .progress)
        try container.encodeIfPresent(last, forKey: .last)
    }
}
