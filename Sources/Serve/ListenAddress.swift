import FarmModel

/// `--listen HOST:PORT` (IPv4 address or name; port 0 picks a free one).
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    /// Parses `text`, or throws naming it and the form it must have.
    public static func parse(_ text: String) throws -> ListenAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon != text.startIndex, !text[..<colon].contains(":") else {
            throw Problem(problem: "--listen \(text): expected HOST:PORT with a port from 0 to 65535",
                          fix: "e.g. --listen 127.0.0.1:8474 (the default, loopback only), or name another address to serve beyond this host")
        }
        return ListenAddress(host: String(text[..<colon]), port: port)
    }
}
