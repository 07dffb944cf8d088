import Foundation

/// Paths inside a root directory resolved as the root's own programs would see them: an absolute link target
/// starts at the root, never at the host's `/`, and nothing resolves above the root.
public enum RootPath {
    /// The host path of `path` (absolute inside `root`) with every symlink followed inside the root; nil when a
    /// component is missing, the links loop, or a link leads above the root.
    public static func resolve(_ path: String, in root: String) -> String? {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        let fm = FileManager.default
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !resolved.isEmpty else { return nil }
                resolved.removeLast()
                continue
            }
            let host = root + "/" + (resolved + [component]).joined(separator: "/")
            guard let attributes = try? fm.attributesOfItem(atPath: host) else { return nil }
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                hops += 1
                guard hops <= 40, let target = try? fm.destinationOfSymbolicLink(atPath: host) else { return nil }
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
            } else {
                resolved.append(component)
            }
        }
        return root + "/" + resolved.joined(separator: "/")
    }
}
