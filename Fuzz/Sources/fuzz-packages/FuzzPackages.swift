import Binpkg

/// One input: the bytes as UTF-8 text (invalid bytes replaced), parsed as a Packages index; an index that parses
/// must come back field for field after `serialized` and a second parse.
///
/// Block line numbers are not compared: they say where a block starts in its own file, and serializing writes
/// exactly one blank line between blocks where the input may have had several.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackages(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let index: PackagesIndex
    do { index = try PackagesIndex(parsing: text, path: "fuzz") } catch {
        check(!error.problem.isEmpty && !error.fix.isEmpty, "an error without a problem or a fix: \(error)")
        return 0
    }
    let serialized = index.serialized
    let again: PackagesIndex
    do { again = try PackagesIndex(parsing: serialized, path: "serialized") } catch {
        fatalError("property violated: the serialized index does not parse: \(error.problem)\n\(serialized.debugDescription)")
    }
    check(again.header.fields == index.header.fields, "header \(index.header.fields) came back as \(again.header.fields)")
    check(again.packages.map(\.fields) == index.packages.map(\.fields),
          "packages \(index.packages.map(\.fields)) came back as \(again.packages.map(\.fields))")
    check(again.serialized.utf8.elementsEqual(serialized.utf8), "serializing twice gives different text")
    return 0
}

/// Crashes with `message` when `condition` is false, so libFuzzer saves the input.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("property violated: \(message())") }
}
