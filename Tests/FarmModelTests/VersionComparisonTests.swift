import FarmModel
import Testing

@Suite struct VersionComparisonTests {
    /// Pairs where the first version is strictly older than the second (PMS algorithms 3.x).
    static let ascending: [(String, String)] = [
        ("1.0", "1.1"), ("1.9", "1.10"), ("9", "12"), ("1.0", "1.0.1"), ("1.0", "1.0a"),
        ("1.2a", "1.2b"), ("1.0a", "1.0.1"), ("1.01", "1.1"), ("1.0_alpha", "1.0_beta"),
        ("1.0_beta", "1.0_pre"), ("1.0_pre", "1.0_rc"), ("1.0_rc", "1.0"), ("1.0", "1.0_p"),
        ("1.0_rc1", "1.0_rc2"), ("1.0_rc", "1.0_rc1"), ("1.0_p1", "1.0_p2"), ("1.0_alpha_p", "1.0_beta"), ("1.0_pre1_alpha", "1.0_pre1"),
        ("1.0_pre1", "1.0_pre1_p"), ("1.0", "1.0-r1"), ("1.0-r9", "1.0-r10"), ("2.0_rc1", "2.0_rc1-r1"),
        ("9", "20240101000000000000"), ("1.0_p9", "1.0a"),
    ]

    @Test(arguments: ascending)
    func ordersOlderBeforeNewer(older: String, newer: String) {
        // Given two versions where PMS puts `older` first
        // When compared both ways
        // Then the result is antisymmetric
        #expect(CPV.compareVersions(older, newer) == -1, "\(older) < \(newer)")
        #expect(CPV.compareVersions(newer, older) == 1, "\(newer) > \(older)")
    }

    @Test(arguments: [("1.0", "1.0-r0"), ("1.0", "1.0"), ("1.00", "1.00"), ("1.0_p0", "1.0_p"), ("001", "1")])
    func treatsEquivalentSpellingsAsEqual(a: String, b: String) {
        // Given two spellings PMS considers equal
        // When compared
        // Then they compare equal
        #expect(CPV.compareVersions(a, b) == 0)
    }
}
