import CCapstone
import CPU

/// One decoded instruction that needs a feature beyond the x86 base.
struct DecodedUse {
    var address: UInt64
    var mnemonic: String
    var operands: String
    var feature: ISAFeature
}

/// An address a `lea`/`mov` in an IFUNC resolver loads: a candidate implementation it may return.
struct LoadedAddress {
    /// The effective address for `[rip + disp]` and absolute forms; for `[reg + disp]` the displacement (the register
    /// holds the GOT on i386 PIC code).
    var value: UInt64
    var isGOTRelative: Bool
}

/// Capstone (x86, 32- or 64-bit mode, with instruction detail). Not thread-safe: one per file audit.
final class Disassembler {
    private var handle: csh = 0
    private var instruction: UnsafeMutablePointer<cs_insn>
    private var groupNames: [UInt8: String] = [:]
    let is64Bit: Bool

    init(is64Bit: Bool) throws(AuditError) {
        self.is64Bit = is64Bit
        guard cs_open(CS_ARCH_X86, is64Bit ? CS_MODE_64 : CS_MODE_32, &handle) == CS_ERR_OK else {
            throw AuditError(problem: "Capstone could not open an x86 decoder", fix: "reinstall libcapstone4 (apt-get install --reinstall libcapstone4)")
        }
        cs_option(handle, CS_OPT_DETAIL, Int(CS_OPT_ON.rawValue))
        instruction = cs_malloc(handle)
    }

    deinit {
        cs_free(instruction, 1)
        cs_close(&handle)
    }

    /// Decodes `code` (at `address`) linearly, calling `body` for each instruction; an undecodable byte is skipped.
    func forEach(_ code: [UInt8], address start: UInt64, _ body: (UnsafeMutablePointer<cs_insn>) -> Bool) {
        code.withUnsafeBufferPointer { buffer in
            guard buffer.baseAddress != nil else { return }
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            var left = buffer.count
            var address = start
            while left > 0 {
                if cs_disasm_iter(handle, &pointer, &left, &address, instruction) {
                    if !body(instruction) { return }
                } else {
                    pointer = pointer! + 1; left -= 1; address += 1
                }
            }
        }
    }

    /// Every instruction in `code` that needs a feature beyond the base.
    func featureUses(_ code: [UInt8], address: UInt64) -> [DecodedUse] {
        var uses: [DecodedUse] = []
        forEach(code, address: address) { insn in
            let detail = insn.pointee.detail!.pointee
            var groups: [String] = []
            withUnsafeBytes(of: detail.groups) { raw in
                for index in 0 ..< Int(detail.groups_count) { groups.append(groupName(raw[index])) }
            }
            let mnemonic = Self.text(insn.pointee.mnemonic)
            if let feature = InstructionFeatures.feature(mnemonic: mnemonic, groups: groups) {
                uses.append(DecodedUse(address: insn.pointee.address, mnemonic: mnemonic, operands: Self.text(insn.pointee.op_str), feature: feature))
            }
            return true
        }
        return uses
    }

    /// The addresses a resolver's code loads with `lea` or `mov reg, imm` (every branch: a resolver has several `ret`s).
    func loadedAddresses(_ code: [UInt8], address: UInt64) -> [LoadedAddress] {
        var loaded: [LoadedAddress] = []
        forEach(code, address: address) { insn in
            let mnemonic = Self.text(insn.pointee.mnemonic)
            let x86 = insn.pointee.detail!.pointee.x86
            withUnsafeBytes(of: x86.operands) { raw in
                let operands = raw.bindMemory(to: cs_x86_op.self)
                guard x86.op_count == 2 else { return }
                let source = operands[1]
                if mnemonic == "lea", source.type == X86_OP_MEM {
                    let memory = source.mem
                    if memory.base == X86_REG_RIP {
                        let next = insn.pointee.address + UInt64(insn.pointee.size)
                        loaded.append(LoadedAddress(value: UInt64(bitPattern: Int64(bitPattern: next) &+ memory.disp), isGOTRelative: false))
                    } else if memory.base == X86_REG_INVALID {
                        loaded.append(LoadedAddress(value: UInt64(bitPattern: memory.disp) & (is64Bit ? .max : 0xffff_ffff), isGOTRelative: false))
                    } else if memory.index == X86_REG_INVALID {
                        loaded.append(LoadedAddress(value: UInt64(bitPattern: memory.disp), isGOTRelative: true))
                    }
                } else if mnemonic == "mov", source.type == X86_OP_IMM, source.imm > 0x1000 {
                    loaded.append(LoadedAddress(value: UInt64(bitPattern: source.imm), isGOTRelative: false))
                }
            }
            return true
        }
        return loaded
    }

    private func groupName(_ group: UInt8) -> String {
        if let name = groupNames[group] { return name }
        let name = cs_group_name(handle, UInt32(group)).map { String(cString: $0) } ?? ""
        groupNames[group] = name
        return name
    }

    private static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
