import Binpkg
import FarmModel
import Testing

@Suite struct BinpkgInstancesTests {
    @Test func instancesAreNumberedOnlyByAPlainPositiveNumber() throws {
        // Given the files of one package directory in a multi-instance PKGDIR
        let cpv = try #require(CPV("app-arch/bzip2-1.0.8-r4"))
        let names = ["bzip2-1.0.8-r4-10.xpak", "bzip2-1.0.8-r4-2.gpkg.tar", "bzip2-1.0.8-r4-02.xpak", "bzip2-1.0.8-r4-0.xpak",
                     "bzip2-1.0.8-r4.tbz2", "bzip2-1.0.8-r5-1.xpak", "bzip2-1.0.8-r4-3.xpak.partial"]

        // When they are parsed as instances of that version
        let instances = BinpkgInstances.parse(names, cpv: cpv)

        // Then only the well-formed instances count, oldest first
        #expect(instances.map(\.id) == [2, 10])
        #expect(instances.map(\.name) == ["bzip2-1.0.8-r4-2.gpkg.tar", "bzip2-1.0.8-r4-10.xpak"])
    }

    @Test(arguments: [
        ("app-arch/bzip2/bzip2-1.0.8-r4-2.xpak", "app-arch/bzip2-1.0.8-r4"),
        ("app-arch/bzip2-1.0.8-r4.tbz2", "app-arch/bzip2-1.0.8-r4"),
        ("sys-libs/glibc/glibc-2.38-r10-1.gpkg.tar", "sys-libs/glibc-2.38-r10"),
    ])
    func aPathNamesItsPackageVersion(path: String, expected: String) {
        #expect(BinpkgInstances.cpv(ofPath: path)?.description == expected)
    }
}
