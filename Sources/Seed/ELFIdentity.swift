import Foundation

/// What an ELF file's header says about the machine it runs on, and its program interpreter (`PT_INTERP`).
public struct ELFIdentity: Sendable, Hashable, CustomStringConvertible {
    /// 32 or 64.
    public var bits: Int
    /// `e_machine`: 3 is i386, 62 is x86-64.
    public var machine: Int
    /// The interpreter path a dynamic executable names (`/lib/ld-linux.so.2`), nil for a static one.
    public var interpreter: String?

    public static let i386 = 3
    public static let x86_64 = 62

    public var description: String {
        let name = switch machine {
        case Self.i386: "Intel 80386"
        case Self.x86_64: "x86-64"
        case 40: "ARM"
        case 183: "AArch64"
        default: "machine \(machine)"
        }
        return "\(bits)-bit \(name)"
    }

    /// Reads the identity of the file at `path`; nil when it is not an ELF file. Throws only when it cannot be read.
    public static func read(_ path: String) throws -> ELFIdentity? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let header = [UInt8](try handle.read(upToCount: 64) ?? Data())
        guard header.count >= 52, header.starts(with: [0x7f, 0x45, 0x4c, 0x46]), [1, 2].contains(header[4]), header[5] == 1
        else { return nil }  // little-endian only: every x86 ELF is
        let bits = header[4] == 1 ? 32 : 64
        guard bits == 32 || header.count >= 64 else { return nil }
        func integer(_ offset: Int, _ size: Int, in bytes: [UInt8]) -> Int {
            (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        var identity = ELFIdentity(bits: bits, machine: integer(18, 2, in: header), interpreter: nil)
        let (phoff, phentsize, phnum) = bits == 32
            ? (integer(28, 4, in: header), integer(42, 2, in: header), integer(44, 2, in: header))
            : (integer(32, 8, in: header), integer(54, 2, in: header), integer(56, 2, in: header))
        guard phnum > 0, phnum < 256, phentsize >= (bits == 32 ? 32 : 56), phoff > 0, phoff < 1 << 30 else { return identity }
        try handle.seek(toOffset: UInt64(phoff))
        let table = [UInt8](try handle.read(upToCount: phnum * phentsize) ?? Data())
        for index in 0..<phnum where (index + 1) * phentsize <= table.count {
            let entry = Array(table[(index * phentsize)..<((index + 1) * phentsize)])
            guard integer(0, 4, in: entry) == 3 else { continue }  // PT_INTERP
            let (offset, size) = bits == 32 ? (integer(4, 4, in: entry), integer(16, 4, in: entry))
                                            : (integer(8, 8, in: entry), integer(32, 8, in: entry))
            guard size > 1, size < 4096 else { break }
            try handle.seek(toOffset: UInt64(offset))
            let bytes = [UInt8](try handle.read(upToCount: size) ?? Data()).prefix { $0 != 0 }
            identity.interpreter = String(decoding: bytes, as: UTF8.self)
            break
        }
        return identity
    }
}
