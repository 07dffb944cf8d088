import Foundation

/// A digest over a directory tree (an overlay, a module's sources): paths, modes, link targets and contents.
public enum TreeDigest {
    /// SHA-256 over every entry's relative path, mode, link target and content (the empty digest for nil).
    public static func compute(_ overlay: String?) throws -> String {
        guard let overlay else { return try Digest.hex(.sha256, of: Data()) }
        let fm = FileManager.default
        var text = Data()
        let entries = (fm.enumerator(atPath: overlay)?.allObjects as? [String] ?? []).sorted()
        for relative in entries {
            let path = (overlay as NSString).appendingPathComponent(relative)
            let attributes = try fm.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            text.append(Data("\(relative)\0\(mode)\0".utf8))
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                text.append(Data(try fm.destinationOfSymbolicLink(atPath: path).utf8))
            } else if attributes[.type] as? FileAttributeType == .typeRegular {
                text.append(Data(try Digest.hex(.sha256, ofFile: URL(fileURLWithPath: path)).utf8))
            }
            text.append(0)
        }
        return try Digest.hex(.sha256, of: text)
    }
}
