import Binpkg
import Foundation

// Reads the full XPAK metadata (every key decoded) of each binpkg listed in PKGDIR/files.txt, in order,
// and prints one line in the format of read_xpak.py: `swift files=… keys=… seconds=… files_per_s=…`.
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: binpkg-bench PKGDIR\n".utf8))
    exit(2)
}
let pkgdir = URL(fileURLWithPath: arguments[1])
let list = try String(contentsOf: pkgdir.appendingPathComponent("files.txt"), encoding: .utf8)
let urls = list.split(separator: "\n").map { pkgdir.appendingPathComponent(String($0)) }

let clock = ContinuousClock()
let start = clock.now
var keys = 0
for url in urls {
    let xpak = try XPAK(contentsOf: url)
    keys += xpak.values.count
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("swift files=\(urls.count) keys=\(keys) seconds=\(String(format: "%.4f", seconds)) "
    + "files_per_s=\(Int((Double(urls.count) / seconds).rounded()))")
