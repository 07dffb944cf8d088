import Foundation
import Workers

// Times one remote `true` N times, interleaved: (a) SSHTransport on one reused session, (b) `ssh` without
// ControlMaster, (c) `ssh` through an already running ControlMaster. Then connect + host key + auth, 10 times.
// Prints a markdown table of median, p95 and mean in milliseconds.

func option(_ name: String, _ fallback: String? = nil) -> String {
    let arguments = CommandLine.arguments
    if let index = arguments.firstIndex(of: name), index + 1 < arguments.count { return arguments[index + 1] }
    guard let fallback else { fatalError("missing \(name)") }
    return fallback
}

let host = option("--host"), port = Int(option("--port"))!, identity = option("--identity")
let knownHosts = option("--known-hosts"), controlPath = option("--control-path"), count = Int(option("-n", "200"))!
let target = SSHTarget(host: host, port: port, identity: identity, knownHosts: knownHosts)

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// Runs a program to completion with stdio on /dev/null (posix_spawn + waitpid); returns its exit status.
func spawn(_ arguments: [String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: Int32 = 0
    guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

let ssh = ["/usr/bin/ssh", "-F", "/dev/null", "-i", identity, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=\(knownHosts)",
           "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-p", String(port)]
let plain = ssh + ["-o", "ControlMaster=no", "-o", "ControlPath=none", "root@\(host)", "true"]
let multiplexed = ssh + ["-o", "ControlMaster=auto", "-o", "ControlPersist=60", "-o", "ControlPath=\(controlPath)", "root@\(host)", "true"]

let transport = SSHTransport(target: target)
try await transport.connect()
for _ in 0..<5 {  // warm-up, unmeasured
    _ = try await transport.run(Command("true"))
    _ = spawn(plain)
    _ = spawn(multiplexed)
}

var samples: [String: [Double]] = [:]
let clock = ContinuousClock()
for _ in 0..<count {
    let start = clock.now
    let result = try await transport.run(Command("true"))
    samples["a", default: []].append(milliseconds(clock.now - start))
    precondition(result.termination.succeeded, "SSHTransport: \(result.termination)")
    for (key, command) in [("b", plain), ("c", multiplexed)] {
        let start = clock.now
        let status = spawn(command)
        samples[key, default: []].append(milliseconds(clock.now - start))
        precondition(status == 0, "\(key): ssh exited with \(status)")
    }
}
transport.close()

for _ in 0..<10 {
    let fresh = SSHTransport(target: target)
    let start = clock.now
    try await fresh.connect()
    samples["connect", default: []].append(milliseconds(clock.now - start))
    fresh.close()
}

func row(_ label: String, _ values: [Double]) -> String {
    let sorted = values.sorted()
    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    let p95 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
    let mean = values.reduce(0, +) / Double(values.count)
    return String(format: "| %@ | %d | %.2f | %.2f | %.2f |", label, values.count, median, p95, mean)
}

print("| what (one remote `true`, loopback) | n | median ms | p95 ms | mean ms |")
print("| --- | ---: | ---: | ---: | ---: |")
print(row("(a) farmctl SSHTransport, reused session", samples["a"]!))
print(row("(b) ssh, no ControlMaster", samples["b"]!))
print(row("(c) ssh, ControlMaster=auto + ControlPersist (master already up)", samples["c"]!))
print(row("SSHTransport connect + host key + auth (new session)", samples["connect"]!))
