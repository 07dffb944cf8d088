import Foundation

/// Function starts from `.eh_frame`: each FDE's `pc_begin`. Stripped binaries keep this section (unwinding
/// needs it), so it bounds functions where no symbol does.
enum EHFrame {
    static func functionStarts(in bytes: Data, offset: Int, size: Int, address: UInt64, is64Bit: Bool) -> [UInt64] {
        var starts: [UInt64] = []
        var encodings: [Int: UInt8] = [:]   // CIE offset → FDE pointer encoding
        var at = offset
        let end = min(offset + size, bytes.count)
        while at + 8 <= end {
            var length = Int(bytes.u32(at))
            var body = at + 4
            if length == 0 { break }
            if length == 0xffff_ffff {
                length = Int(truncatingIfNeeded: bytes.u64(body))
                body += 8
            }
            let next = body + length
            guard length > 0, next <= end else { break }
            let id = bytes.u32(body)
            if id == 0 {
                encodings[at] = cieEncoding(bytes, from: body + 4, to: next)
            } else {
                let cie = body - Int(id)
                let encoding = encodings[cie] ?? 0
                var cursor = body + 4
                if let value = read(bytes, at: &cursor, encoding: encoding, is64Bit: is64Bit,
                                    address: address + UInt64(body + 4 - offset)), value != 0 {
                    starts.append(value)
                }
            }
            at = next
        }
        return starts
    }

    /// The `R` augmentation's pointer encoding of a CIE (default: absolute).
    private static func cieEncoding(_ bytes: Data, from start: Int, to end: Int) -> UInt8 {
        var at = start
        let version = bytes[at]; at += 1
        guard let augmentation = bytes.cString(at: at) else { return 0 }
        at += augmentation.utf8.count + 1
        if augmentation.contains("eh") { at += 8 }
        _ = uleb(bytes, &at); _ = uleb(bytes, &at)   // code and data alignment
        if version == 1 { at += 1 } else { _ = uleb(bytes, &at) }
        guard augmentation.hasPrefix("z") else { return 0 }
        _ = uleb(bytes, &at)
        for letter in augmentation.dropFirst() where at < end {
            switch letter {
            case "R": return bytes[at]
            case "L": at += 1
            case "P":
                let encoding = bytes[at]; at += 1
                var cursor = at
                _ = read(bytes, at: &cursor, encoding: encoding, is64Bit: false, address: 0)
                at = cursor
            default: return 0
            }
        }
        return 0
    }

    private static func read(_ bytes: Data, at cursor: inout Int, encoding: UInt8, is64Bit: Bool, address: UInt64) -> UInt64? {
        guard encoding != 0xff else { return nil }
        var value: Int64
        switch encoding & 0x0f {
        case 0x00: value = is64Bit ? Int64(bitPattern: bytes.u64(cursor)) : Int64(bytes.u32(cursor)); cursor += is64Bit ? 8 : 4
        case 0x01: value = Int64(bitPattern: uleb(bytes, &cursor))
        case 0x02: value = Int64(bytes.u16(cursor)); cursor += 2
        case 0x03: value = Int64(bytes.u32(cursor)); cursor += 4
        case 0x04, 0x0c: value = Int64(bitPattern: bytes.u64(cursor)); cursor += 8
        case 0x0a: value = Int64(Int16(bitPattern: bytes.u16(cursor))); cursor += 2
        case 0x0b: value = Int64(Int32(bitPattern: bytes.u32(cursor))); cursor += 4
        default: return nil
        }
        if encoding & 0x70 == 0x10 { value &+= Int64(bitPattern: address) }   // pcrel: from the field's own address
        let result = UInt64(bitPattern: value)
        return is64Bit ? result : result & 0xffff_ffff
    }

    private static func uleb(_ bytes: Data, _ at: inout Int) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while at < bytes.count {
            let byte = bytes[at]; at += 1
            if shift < 64 { result |= UInt64(byte & 0x7f) << shift }
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        return result
    }
}
