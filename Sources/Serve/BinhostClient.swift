import FarmModel

/// What a Portage client needs to use a class's binhost: its `binrepos.conf` entry.
enum BinhostClient {
    /// The `binrepos.conf` entry for `base` (`http://HOST/binhost/CLASS`); a signed class's asks for verification
    /// and says how to trust the farm's key (`fingerprint`).
    static func binreposConf(class nodeClass: ClassName, base: String, signedBy fingerprint: String?) -> String {
        var text = ""
        if let fingerprint {
            text += """
                # The farm signs these binpkgs. Trust its key once (as root), then Portage checks every binpkg:
                #   curl -fsS \(base)/signing-key.asc | gpg --homedir /etc/portage/gnupg --import
                #   echo \(fingerprint):6: | gpg --homedir /etc/portage/gnupg --import-ownertrust

                """
        }
        text += "[farmctl-\(nodeClass)]\npriority = 10\nsync-uri = \(base)\n"
        if fingerprint != nil { text += "verify-signature = true\n" }
        return text
    }
}
