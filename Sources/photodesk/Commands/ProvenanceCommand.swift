import ArgumentParser
import Desk
import Foundation

/// `photodesk provenance ...`
struct ProvenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provenance", abstract: "Content Credentials (C2PA): the desk's trust list.",
        discussion: """
            Ingest verifies each new photo's Content Credentials with the C2PA reference
            implementation (libc2pa_c.so, which `make setup` installs in .build/venv; or set
            PHOTODESK_C2PA_LIB), offline: a photo's credentials are none, valid (signed, intact,
            and the signer chains to a certificate on the trust list), untrusted (signed and
            intact, signer not on the list) or invalid (with the failing codes). `photodesk show`
            prints the verdict; `show --json` the details and the library's report.
            """,
        subcommands: [ProvenanceTrustCommand.self])
}

/// `photodesk provenance trust [FILE]`
struct ProvenanceTrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Set the certificates the desk trusts as signers' roots (PEM), or print the list.",
        discussion: """
            The list is kept in the catalog, so every node and worker judges with the same one.
            Photos ingested afterwards are judged against it; photos already in the catalog keep
            the verdict they had at their ingest.

            Examples:
              photodesk provenance trust agencies.pem
              photodesk provenance trust
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "A PEM file of CA certificates.") var file: String?

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: file != nil)
        guard let file else {
            guard let list = try await desk.trustList() else {
                Output.line("No trust list: every signed photo is 'untrusted' until one is set.")
                return
            }
            let count = list.value.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
            Output.line(
                "\(count) certificates, set by \(list.by) at \(ISO8601DateFormatter().string(from: list.at))")
            return
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandError("cannot read \(file)", kind: .notFound)
        }
        let count = try await desk.saveTrustList(String(decoding: data, as: UTF8.self), by: Editor.name)
        Output.line("The desk now trusts \(count) certificate\(count == 1 ? "" : "s") from \(file).")
    }
}
