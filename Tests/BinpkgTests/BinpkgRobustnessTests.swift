import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("Damaged and hostile binpkgs give BinpkgError, never a crash")
struct BinpkgRobustnessTests {
    /// Where the last member's padded data ends in the real gpkg (Manifest at 14848, 2364 bytes): cutting
    /// later loses only the tar's end blocks, which Portage's tarfile does not need either.
    static let gpkgMembersEnd = 17408

    /// Reads `data` in memory and exercises every pass; returns the read error, or the verification.
    func exercise(_ data: Data, limits: BinpkgLimits = BinpkgLimits()) -> Result<BinpkgVerification, BinpkgError> {
        Result { () throws(BinpkgError) in
            let package = try BinaryPackage(data: data, path: "input", limits: limits)
            _ = try? package.imageEntries()
            return package.verify()
        }
    }

    @Test("every prefix is refused or fails verification", arguments: ImageSample.all)
    func truncated(sample: ImageSample) throws {
        // Given prefixes of a real binpkg at ~150 lengths
        let data = try Data(contentsOf: sample.url)
        let step = max(1, data.count / 150)
        for length in Array(stride(from: 0, to: data.count, by: step)) + [data.count - 1] {
            // When each is read, listed and verified
            let result = exercise(data.prefix(length))

            // Then it throws a BinpkgError, or (a gpkg cut after its metadata) reads but does not verify
            if case .success(let verification) = result, length < Self.gpkgMembersEnd {
                #expect(sample.format == .gpkg && !verification.isOK, "\(sample.file) cut at \(length) verified")
            }
        }
    }

    @Test("random bytes, with and without a STOP or a gpkg-1 header, are refused")
    func garbage() throws {
        // Given deterministic pseudo-random buffers, some ending in STOP, some starting with a real gpkg header
        var generator = SplitMix64(seed: 0x5eed)
        let header = try Data(contentsOf: ImageSample.gpkg.url).prefix(1024)
        for round in 0..<300 {
            var data = Data((0..<Int.random(in: 0...4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            if round % 3 == 1 { data += Data("STOP".utf8) }
            if round % 3 == 2 { data = header + data }

            // When read, then it is refused with a typed error
            guard case .failure(let error) = exercise(data) else { Issue.record("round \(round) was read"); continue }
            #expect(error.problem.hasPrefix("input: "))
        }
    }

    @Test("flipped bytes in Manifest-covered members are always caught")
    func flippedBytes() throws {
        // Given the real gpkg and the data ranges of the members its Manifest covers (offsets from Python's tarfile)
        let data = try Data(contentsOf: ImageSample.gpkg.url)
        let covered = [1024..<10000, 10752..<11585, 12288..<12568, 13312..<14145]
        for offset in stride(from: 0, to: data.count, by: 17) {
            // When one byte is inverted and the copy read and verified
            var damaged = data
            damaged[offset] ^= 0xff
            let result = exercise(damaged)

            // Then damage to a covered member throws or fails verification; elsewhere it never crashes
            if covered.contains(where: { $0.contains(offset) }), case .success(let verification) = result {
                #expect(!verification.isOK, "flipping byte \(offset) went unnoticed")
            }
        }
    }

    @Test("a member announcing 8 GiB is read as truncated, without allocating it")
    func hugeMemberSize() throws {
        // Given the real gpkg with image.tar.xz's header (at 11776) claiming 0o77777777777 bytes, checksum fixed
        var data = try Data(contentsOf: ImageSample.gpkg.url)
        data.replaceSubrange((11776 + 124)..<(11776 + 136), with: Array("77777777777\0".utf8))
        data.replaceSubrange((11776 + 148)..<(11776 + 156), with: Array(repeating: UInt8(ascii: " "), count: 8))
        let sum = data[11776..<(11776 + 512)].reduce(0) { $0 + Int($1) }
        data.replaceSubrange((11776 + 148)..<(11776 + 156), with: Array(String(format: "%06o\0 ", sum).utf8))

        // When it is read, listed and verified
        let package = try BinaryPackage(data: data, path: "huge")
        let listing = Result { () throws(BinpkgError) in try package.imageEntries() }

        // Then the metadata is there, the image is truncated, and verification names it
        #expect(package.metadata.pf == "onepassword-cli-0")
        guard case .truncated(let member, _)? = listing.error?.kind else { Issue.record("got \(listing)"); return }
        #expect(member == "image.tar.xz")
        #expect(package.verify().problems.contains { $0.member == "image.tar.xz" })
    }

    @Test("limits stop oversized metadata, containers and images", arguments: ["metadataBytes", "metadataEntries",
                                                                           "containerMembers", "xpakMetadata", "imageEntries",
                                                                           "imageBytes"])
    func limits(limit: String) throws {
        // Given a limit set below what a real package needs
        var limits = BinpkgLimits()
        var sample = ImageSample.gpkg
        switch limit {
        case "metadataBytes": limits.metadataBytes = 4096  // environment.bz2 alone is 7334 bytes
        case "metadataEntries": limits.metadataEntries = 10
        case "containerMembers": limits.containerMembers = 3
        case "xpakMetadata": limits.metadataBytes = 4096; sample = ImageSample.named("udev-217-r6-2.xpak")
        case "imageEntries": limits.imageEntries = 5; sample = ImageSample.named("bzip2-1.0.8-r4-2.xpak")
        default: limits.imageBytes = 60_000; sample = ImageSample.named("mime-types-2.1.53-1.xpak")  // mime.types: 69857 bytes
        }

        // When the package is read and listed
        let result = Result { () throws(BinpkgError) in try BinaryPackage(contentsOf: sample.url, limits: limits).imageEntries() }

        // Then it stops with tooLarge (for the XPAK trailer: the trailer's own tooLarge)
        switch result.error?.kind {
        case .tooLarge?: break
        case .badTrailer(let trailer)? where limit == "xpakMetadata": #expect(trailer.kind == .tooLarge(size: 8449, limit: 4096))
        default: Issue.record("\(limit): got \(result)")
        }
    }
}

/// A small deterministic generator, so a failing round can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
