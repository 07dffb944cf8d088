import Foundation

/// The parts of an x86 ELF file an instruction audit needs: code ranges, symbols, IFUNC resolvers.
///
/// Reads 32- and 64-bit little-endian files (executables, shared objects, kernel modules and object files);
/// anything else is `nil` from `init`, so a walker can skip non-ELF files cheaply.
public struct ELFImage: Sendable {
    /// A stretch of machine code: where it lies in the file and the address it runs at.
    public struct CodeRange: Sendable, Equatable {
        /// The section's name (`.text`), or `segment N` for a stripped file without section headers.
        public var name: String
        public var fileOffset: Int
        public var size: Int
        public var address: UInt64
    }

    /// A function symbol: `[address, address + size)`.
    public struct Symbol: Sendable, Equatable {
        public var name: String
        public var address: UInt64
        public var size: UInt64
        /// `STT_GNU_IFUNC`: the symbol's address is a resolver that picks an implementation at run time.
        public var isIFunc: Bool
    }

    /// True for ELFCLASS64.
    public let is64Bit: Bool
    /// `e_machine`: 3 (i386) or 62 (x86-64); other machines are not decoded.
    public let machine: UInt16
    /// `e_type`: 1 relocatable (a `.o` or `.ko`), 2 executable, 3 shared object or PIE.
    public let type: UInt16
    /// Every executable section (or segment).
    public private(set) var code: [CodeRange] = []
    /// Function symbols from `.symtab` and `.dynsym`, sorted by address.
    public private(set) var functions: [Symbol] = []
    /// Addresses of IFUNC resolvers: `STT_GNU_IFUNC` symbols and the targets of IRELATIVE relocations.
    public private(set) var resolvers: Set<UInt64> = []
    /// Function starts from `.eh_frame` (present in stripped files too).
    public private(set) var frameStarts: [UInt64] = []
    /// The address of `.got.plt` (i386's `_GLOBAL_OFFSET_TABLE_`, the base of GOT-relative `lea`s), if any.
    public private(set) var globalOffsetTable: UInt64?
    let bytes: Data

    /// True when the machine is one the audit decodes.
    public var isX86: Bool { machine == 3 || machine == 62 }

    /// Parses `data`; nil when it is not a little-endian ELF file.
    public init?(_ data: Data) {
        guard data.count >= 52, data.starts(with: [0x7f, 0x45, 0x4c, 0x46]), data[data.startIndex + 5] == 1 else { return nil }
        let bytes = data.startIndex == 0 ? data : Data(data)
        self.bytes = bytes
        is64Bit = bytes[4] == 2
        guard bytes[4] == 1 || is64Bit, !is64Bit || bytes.count >= 64 else { return nil }
        type = bytes.u16(16)
        machine = bytes.u16(18)
        parseSections()
        if code.isEmpty { parseSegments() }
        functions.sort { ($0.address, $0.size) < ($1.address, $1.size) }
        frameStarts.sort()
    }

    /// Reads the file at `path`, memory-mapped; nil when it is not ELF.
    public init?(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        self.init(data)
    }

    /// The machine code at `range`.
    func codeBytes(_ range: CodeRange) -> Data { bytes.subdata(in: range.fileOffset ..< range.fileOffset + range.size) }

    /// The file offset of virtual address `address`, if a code range or section holds it.
    func offset(ofAddress address: UInt64) -> Int? {
        for section in sections where section.address != 0 && address >= section.address && address - section.address < section.size
            && section.type != 8 /* SHT_NOBITS */ {
            return clamped(section.offset) + clamped(address - section.address)
        }
        for range in code where address >= range.address && address - range.address < UInt64(range.size) {
            return range.fileOffset + clamped(address - range.address)
        }
        return nil
    }

    // MARK: - Sections

    struct Section {
        var name: String, type: UInt32, flags: UInt64, address: UInt64, offset: UInt64, size: UInt64, link: UInt32, entrySize: UInt64
    }
    private var sections: [Section] = []

    /// A file offset or size from the file's headers, clamped to the file's length: the sums of two such values
    /// cannot overflow, and anything past the end fails the range checks that follow.
    func clamped(_ value: UInt64) -> Int { value > UInt64(bytes.count) ? bytes.count + 1 : Int(value) }

    /// True when `size` bytes at `offset` lie inside the file (no overflow whatever the header says).
    func fits(_ offset: UInt64, _ size: UInt64) -> Bool {
        size <= UInt64(bytes.count) && offset <= UInt64(bytes.count) - size
    }

    private mutating func parseSections() {
        let shoff = clamped(is64Bit ? bytes.u64(0x28) : UInt64(bytes.u32(0x20)))
        let shentsize = Int(bytes.u16(is64Bit ? 0x3a : 0x2e))
        let shnum = Int(bytes.u16(is64Bit ? 0x3c : 0x30))
        let shstrndx = Int(bytes.u16(is64Bit ? 0x3e : 0x32))
        guard shoff > 0, shnum > 0, shentsize >= (is64Bit ? 64 : 40), shoff + shnum * shentsize <= bytes.count else { return }
        var raw: [Section] = []
        for index in 0 ..< shnum {
            let at = shoff + index * shentsize
            if is64Bit {
                raw.append(Section(name: "", type: bytes.u32(at + 4), flags: bytes.u64(at + 8), address: bytes.u64(at + 16),
                                   offset: bytes.u64(at + 24), size: bytes.u64(at + 32), link: bytes.u32(at + 40), entrySize: bytes.u64(at + 56)))
            } else {
                raw.append(Section(name: "", type: bytes.u32(at + 4), flags: UInt64(bytes.u32(at + 8)), address: UInt64(bytes.u32(at + 12)),
                                   offset: UInt64(bytes.u32(at + 16)), size: UInt64(bytes.u32(at + 20)), link: bytes.u32(at + 24),
                                   entrySize: UInt64(bytes.u32(at + 36))))
            }
        }
        let nameIndex = (0 ..< shnum).map { bytes.u32(shoff + $0 * shentsize) }
        if shstrndx < raw.count {
            let names = clamped(raw[shstrndx].offset)
            for index in raw.indices { raw[index].name = bytes.cString(at: names + Int(nameIndex[index])) ?? "" }
        }
        sections = raw
        for (index, section) in raw.enumerated() {
            let inFile = section.type != 8 && fits(section.offset, section.size)
            if section.flags & 0x4 != 0 /* SHF_EXECINSTR */, section.size > 0, inFile {
                // Relocatable files have no addresses: give each code section its own range so offsets stay apart.
                let address = type == 1 ? section.offset : section.address
                code.append(CodeRange(name: section.name.isEmpty ? "section \(index)" : section.name,
                                      fileOffset: clamped(section.offset), size: clamped(section.size), address: address))
            }
            if (section.type == 2 || section.type == 11), inFile, Int(section.link) < raw.count { readSymbols(section, strings: raw[Int(section.link)]) }
            if section.type == 9 || section.type == 4, inFile { readIRelative(section, rela: section.type == 4) }
            if section.name == ".got.plt" { globalOffsetTable = section.address }
            if section.name == ".eh_frame", inFile {
                frameStarts = EHFrame.functionStarts(in: bytes, offset: clamped(section.offset), size: clamped(section.size),
                                                     address: section.address, is64Bit: is64Bit)
            }
        }
        if globalOffsetTable == nil, let got = raw.first(where: { $0.name == ".got" }) { globalOffsetTable = got.address }
    }

    private mutating func readSymbols(_ table: Section, strings: Section) {
        let size = is64Bit ? 24 : 16
        guard table.entrySize == UInt64(size) || table.entrySize == 0 else { return }
        let count = clamped(table.size) / size
        for index in 1 ..< max(count, 1) {
            let at = clamped(table.offset) + index * size
            let name: UInt32, info: UInt8, value: UInt64, length: UInt64, shndx: UInt16
            if is64Bit {
                name = bytes.u32(at); info = bytes[at + 4]; shndx = bytes.u16(at + 6); value = bytes.u64(at + 8); length = bytes.u64(at + 16)
            } else {
                name = bytes.u32(at); value = UInt64(bytes.u32(at + 4)); length = UInt64(bytes.u32(at + 8)); info = bytes[at + 12]; shndx = bytes.u16(at + 14)
            }
            let kind = info & 0xf
            guard kind == 2 /* FUNC */ || kind == 10 /* GNU_IFUNC */, shndx != 0 else { continue }
            var address = value
            if type == 1, Int(shndx) < sections.count { address = sections[Int(shndx)].offset &+ value }
            let text = bytes.cString(at: clamped(strings.offset) + Int(name)) ?? ""
            functions.append(Symbol(name: text, address: address, size: length, isIFunc: kind == 10))
            if kind == 10 { resolvers.insert(address) }
        }
    }

    /// IRELATIVE relocations (i386 42, x86-64 37) name resolvers: RELA carries the address, REL stores it in place.
    private mutating func readIRelative(_ table: Section, rela: Bool) {
        let size = rela ? (is64Bit ? 24 : 12) : (is64Bit ? 16 : 8)
        for index in 0 ..< clamped(table.size) / size {
            let at = clamped(table.offset) + index * size
            let offset = is64Bit ? bytes.u64(at) : UInt64(bytes.u32(at))
            let kind = is64Bit ? bytes.u32(at + 8) : UInt32(bytes[at + 4])
            guard kind == (is64Bit ? 37 : 42) else { continue }
            if rela {
                resolvers.insert(is64Bit ? bytes.u64(at + 16) : UInt64(bytes.u32(at + 8)))
            } else if let place = offsetForData(offset), place + (is64Bit ? 8 : 4) <= bytes.count {
                resolvers.insert(is64Bit ? bytes.u64(place) : UInt64(bytes.u32(place)))
            }
        }
    }

    private func offsetForData(_ address: UInt64) -> Int? {
        sections.first { $0.type != 8 && $0.address != 0 && address >= $0.address && address - $0.address < $0.size }
            .map { clamped($0.offset) + clamped(address - $0.address) }
    }

    // MARK: - Segments (files without section headers)

    private mutating func parseSegments() {
        let phoff = clamped(is64Bit ? bytes.u64(0x20) : UInt64(bytes.u32(0x1c)))
        let phentsize = Int(bytes.u16(is64Bit ? 0x36 : 0x2a))
        let phnum = Int(bytes.u16(is64Bit ? 0x38 : 0x2c))
        guard phoff > 0, phentsize >= (is64Bit ? 56 : 32), phoff + phnum * phentsize <= bytes.count else { return }
        for index in 0 ..< phnum {
            let at = phoff + index * phentsize
            let kind = bytes.u32(at)
            let flags = is64Bit ? bytes.u32(at + 4) : bytes.u32(at + 24)
            let offset = clamped(is64Bit ? bytes.u64(at + 8) : UInt64(bytes.u32(at + 4)))
            let address = is64Bit ? bytes.u64(at + 16) : UInt64(bytes.u32(at + 8))
            let size = clamped(is64Bit ? bytes.u64(at + 32) : UInt64(bytes.u32(at + 16)))
            guard kind == 1 /* PT_LOAD */, flags & 1 != 0 /* PF_X */, size > 0, offset + size <= bytes.count else { continue }
            code.append(CodeRange(name: "segment \(index)", fileOffset: offset, size: size, address: address))
        }
    }
}

extension Data {
    func u16(_ at: Int) -> UInt16 { at + 2 <= count ? UInt16(self[at]) | UInt16(self[at + 1]) << 8 : 0 }
    func u32(_ at: Int) -> UInt32 { at + 4 <= count ? UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 : 0 }
    func u64(_ at: Int) -> UInt64 { at + 8 <= count ? UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 : 0 }
    func cString(at start: Int) -> String? {
        guard start >= 0, start < count else { return nil }
        var end = start
        while end < count, self[end] != 0 { end += 1 }
        return String(decoding: self[start ..< end], as: UTF8.self)
    }
}
