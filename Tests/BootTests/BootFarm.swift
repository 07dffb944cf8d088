import FarmConfig
import Foundation
import TestSupport

/// A farm directory for boot tests: workers.conf with [pxe], class profiles, and root generations with kernels.
struct BootFarm {
    let directory: URL

    static let workersConf = """
        [farm]
        state = "var"

        [worker.local]
        host = "localhost"
        jobs = 1
        arches = ["x86"]
        workdir = "var/work/local"

        [pxe]
        server = "10.0.0.1"
        cluster_network = "10.0.0.0/24"
        writable_exports = ["/home"]
        """

    init(classes: [String: String] = ["PIII": "", "AthlonXP": ""]) throws {
        directory = try Fixtures.temporaryDirectory("boot-farm")
        try write("workers.conf", Self.workersConf)
        for (name, boot) in classes {
            try write("profiles/\(name)/class.toml", "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n" + boot)
            try write("profiles/\(name)/make.conf", "CFLAGS=\"-O2 -march=i686\"\n")
            try write("profiles/\(name)/packages", "sys-apps/openrc\n")
        }
    }

    var settings: FarmSettings { get throws { try FarmSettings.load(from: url("workers.conf")) } }
    var profiles: [ClassProfile] { get throws { try ClassCatalog(directory: url("profiles")).loadAll() } }
    var tftp: URL { url("var/tftp") }

    func url(_ relative: String) -> URL { directory.appendingPathComponent(relative).standardizedFileURL }

    func write(_ relative: String, _ text: String) throws {
        try FileManager.default.createDirectory(at: url(relative).deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url(relative), atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOf: url(relative), encoding: .utf8) }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url(relative).path) }

    /// Generation `number` of `name` holding `files` (path inside the root → contents), made `current`.
    func publish(_ name: String, generation number: Int, files: [String: String]) throws {
        for (path, text) in files { try write("var/roots/\(name)/\(number)/\(path)", text) }
        try link("var/roots/\(name)/current", to: String(number))
    }

    /// Replaces `relative` with a symlink to `target`.
    func link(_ relative: String, to target: String) throws {
        try? FileManager.default.removeItem(at: url(relative))
        try FileManager.default.createDirectory(at: url(relative).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url(relative).path, withDestinationPath: target)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
