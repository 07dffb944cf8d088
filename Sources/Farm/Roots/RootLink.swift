import Foundation

/// `<roots>/<CLASS>/current`: the generation nodes boot, switched with one rename(2).
enum RootLink {
    /// The generation `current` points at, if any.
    static func current(in rootsDirectory: String) -> Int? {
        let link = (rootsDirectory as NSString).appendingPathComponent("current")
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: link)).flatMap { Int($0) }
    }

    /// Points `current` at generation `number` with one atomic rename of a new symlink.
    static func switchCurrent(in rootsDirectory: String, to number: Int) throws {
        let link = (rootsDirectory as NSString).appendingPathComponent("current")
        let temporary = link + ".new-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: String(number))
        guard rename(temporary, link) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw FarmError(problem: "cannot switch \(link) to generation \(number): \(reason)",
                            fix: "check that \(rootsDirectory) is writable")
        }
        // The rename is durable only once the directory is on disk.
        let directory = open(rootsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
    }
}
