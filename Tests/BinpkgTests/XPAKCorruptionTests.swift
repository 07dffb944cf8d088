import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("XPAK: damaged and hostile files throw typed errors")
struct XPAKCorruptionTests {
    static let small = BinpkgSample.named("udev-217-r6-2.xpak")

    /// Parses `data` written to a temp file; returns the XPAK or the typed error (any other error fails the test).
    func parse(_ data: Data, in directory: borrowing TemporaryDirectory, name: String = "cut.xpak",
               maximumSize: Int = XPAK.defaultMaximumSize) throws -> Result<XPAK, XPAKError> {
        let url = try directory.write(data, to: name)
        return Result { () throws(XPAKError) in try XPAK(contentsOf: url, maximumSize: maximumSize) }
    }

    @Test("a file cut short at every 97th byte is rejected", arguments: [small, BinpkgSample.named("json-c-0.9.tbz2")])
    func truncatedEnd(sample: BinpkgSample) throws {
        // Given prefixes of a real binpkg (the end, where the trailer lives, is missing)
        let directory = try TemporaryDirectory()
        let data = try Data(contentsOf: sample.url)
        for length in stride(from: 0, to: data.count, by: 97) {
            // When each is read
            let result = try parse(data.prefix(length), in: directory)

            // Then it throws: too short, or the final STOP is missing
            switch result {
            case .success: Issue.record("a \(length)-byte prefix of \(sample.file) parsed")
            case .failure(let error) where length < XPAK.minimumFileSize: #expect(error.kind == .tooShort(size: length))
            case .failure(let error): #expect(error.kind == .badMagic(expected: "STOP", offset: length - 4))
            }
        }
    }

    @Test("dropping the start parses exactly while the whole trailer is kept", arguments: [small])
    func truncatedStart(sample: BinpkgSample) throws {
        // Given suffixes of a real binpkg
        let directory = try TemporaryDirectory()
        let data = try Data(contentsOf: sample.url)
        let keepable = data.count - 8 - sample.trailerLength
        for dropped in Array(stride(from: 0, to: data.count, by: 89)) + [keepable, keepable + 1] {
            // When each is read
            let result = try parse(data.dropFirst(dropped), in: directory)

            // Then it parses while the payload alone was cut, and throws a typed error once the trailer is cut
            switch result {
            case .success(let xpak):
                #expect(dropped <= keepable, "dropping \(dropped) bytes should cut the trailer")
                #expect(xpak.value("PF") == sample.pf)
            case .failure(let error):
                #expect(dropped > keepable, "dropping \(dropped) bytes failed: \(error)")
            }
        }
    }

    @Test("flipping trailer bytes never crashes: damaged structure throws, damaged values parse differently")
    func flippedBytes() throws {
        // Given udev's binpkg in memory (trailer: 16-byte header, 489-byte index, 7936-byte data, 16-byte tail)
        let data = try Data(contentsOf: Self.small.url)
        let original = try XPAK(fileData: data, path: "udev")
        let trailerStart = data.count - 8 - Self.small.trailerLength
        let dataStart = trailerStart + 16 + 489, dataEnd = data.count - 16
        // Every structural byte, and every 31st value byte (lossy decoding is slow under the test harness).
        let offsets = Array(trailerStart..<dataStart) + Array(stride(from: dataStart, to: dataEnd, by: 31))
            + Array(dataEnd..<data.count)
        for offset in offsets {
            // When one byte is inverted
            var damaged = data
            damaged[offset] ^= 0xff
            let result = Result { () throws(XPAKError) in try XPAK(fileData: damaged, path: "udev") }

            // Then: magic strings and lengths are named, and a flipped value byte still parses, differently
            switch offset {
            case (data.count - 4)...:
                #expect(result.error?.kind == .badMagic(expected: "STOP", offset: data.count - 4))
            case (data.count - 16)..<(data.count - 8):
                #expect(result.error?.kind == .badMagic(expected: "XPAKSTOP", offset: data.count - 16))
            case trailerStart..<(trailerStart + 8):
                #expect(result.error?.kind == .badMagic(expected: "XPAKPACK", offset: trailerStart))
            case (trailerStart + 8)..<(trailerStart + 16), (data.count - 8)..<(data.count - 4):
                #expect(result.error != nil, "flipping length byte \(offset) should break the trailer")
            case dataStart..<dataEnd:
                let xpak = try result.get()
                #expect(xpak.keys == original.keys && xpak != original)
            default:
                // A flipped index byte changes a name or breaks an offset or length: never the same result.
                if case .success(let xpak) = result { #expect(xpak != original) }
            }
        }
    }

    @Test("a trailer length beyond the file is out of range, without allocating it")
    func hugeTrailerLength() throws {
        // Given udev's file with the trailer length set to 0xFFFFFFFF
        let directory = try TemporaryDirectory()
        var data = try Data(contentsOf: Self.small.url)
        data.replaceSubrange((data.count - 8)..<(data.count - 4), with: [0xff, 0xff, 0xff, 0xff])

        // When it is read
        let result = try parse(data, in: directory)

        // Then the length is reported as out of range
        guard case .failure(let error) = result, case .offsetOutOfRange(let detail) = error.kind else {
            Issue.record("expected offsetOutOfRange, got \(result)"); return
        }
        #expect(detail.contains("4294967295"))
        #expect(error.problem.contains("cut.xpak"))
    }

    @Test("a trailer larger than the caller's limit is refused before reading")
    func overLimit() throws {
        // Given udev (8449-byte trailer); when read with a 4 KiB limit; then it is refused as too large
        let directory = try TemporaryDirectory()
        let data = try Data(contentsOf: Self.small.url)
        let result = try parse(data, in: directory, maximumSize: 4096)
        #expect(result.error?.kind == .tooLarge(size: Self.small.trailerLength, limit: 4096))
    }

    @Test("index and data lengths that overrun the trailer are truncated, never read past")
    func hugeIndexLength() throws {
        // Given udev's file whose index length field says 0x7FFFFFFF
        let directory = try TemporaryDirectory()
        var data = try Data(contentsOf: Self.small.url)
        let start = data.count - 8 - Self.small.trailerLength
        data.replaceSubrange((start + 8)..<(start + 12), with: [0x7f, 0xff, 0xff, 0xff])

        // When it is read, then it is reported as truncated
        let result = try parse(data, in: directory)
        guard case .failure(let error) = result, case .truncated = error.kind else {
            Issue.record("expected truncated, got \(result)"); return
        }
    }

    @Test("index entries pointing at the same bytes over and over are refused")
    func overlappingValues() throws {
        // Given a hand-made trailer: 1000 index entries all pointing at the whole 1000-byte data block
        var index = [UInt8]()
        for number in 0..<1000 {
            let name = Array("K\(number)".utf8)
            index += HandMadeXPAK.be32(name.count) + name + HandMadeXPAK.be32(0) + HandMadeXPAK.be32(1000)
        }
        let segment = Array("XPAKPACK".utf8) + HandMadeXPAK.be32(index.count) + HandMadeXPAK.be32(1000) + index
            + [UInt8](repeating: 0x41, count: 1000) + Array("XPAKSTOP".utf8)
        let file = Data(segment + HandMadeXPAK.be32(segment.count) + Array("STOP".utf8))

        // When it is parsed, then it is out of range rather than a 1 MB allocation
        #expect(throws: XPAKError.self) { try XPAK(fileData: file, path: "hostile") }
        let error = try #require(Result { () throws(XPAKError) in try XPAK(fileData: file, path: "hostile") }.error)
        guard case .offsetOutOfRange(let detail) = error.kind else { Issue.record("got \(error)"); return }
        #expect(detail.contains("K1"))
    }

    @Test("missing files, directories and garbage give typed errors", arguments: ["missing", "directory", "fifo", "garbage", "empty"])
    func notABinpkg(kind: String) throws {
        // Given something that is not a binpkg; when read; then a typed error names the path
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent(kind)
        switch kind {
        case "directory": try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        case "garbage": try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: url)
        case "empty": try Data().write(to: url)
        case "fifo": try #require(mkfifo(url.path, 0o600) == 0)  // opening it for reading would block forever
        default: break
        }
        let error = try #require(Result { () throws(XPAKError) in try XPAK(contentsOf: url) }.error)
        switch kind {
        case "garbage": #expect(error.kind == .badMagic(expected: "STOP", offset: 4092))
        case "empty": #expect(error.kind == .tooShort(size: 0))
        default:
            guard case .unreadable = error.kind else { Issue.record("\(kind): got \(error)"); return }
        }
        #expect(error.problem.hasPrefix(url.path))
        #expect(!error.fix.isEmpty)
    }

    @Test("bytes between the data block and XPAKSTOP are refused", arguments: [0, 1, 9])
    func unexplainedBytes(padding: Int) throws {
        // Given a hand-made trailer with `padding` extra bytes after its data
        let file = HandMadeXPAK.file(entries: [("CATEGORY", Array("a\n".utf8))], padding: padding)

        // When parsed, then only the exact layout is accepted
        let result = Result { () throws(XPAKError) in try XPAK(fileData: file, path: "hand-made") }
        if padding == 0 {
            #expect(try result.get().values == ["CATEGORY": "a\n"])
        } else {
            guard case .offsetOutOfRange(let detail)? = result.error?.kind else { Issue.record("got \(result)"); return }
            #expect(detail.contains("\(padding) unexplained bytes"))
        }
    }

}

extension Result {
    var error: Failure? { if case .failure(let error) = self { error } else { nil } }
}
