import ArgumentParser
import Catalog
import Foundation
import Gallery

/// `photodesk user ...`: the people who may edit in the browser or through the API.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the editors and admins who may sign in to the gallery.",
        discussion: """
            Readers need no account. Editors change captions and article links; admins also manage
            users and issue API tokens. Passwords are read from standard input and kept as bcrypt hashes.

            Examples:
              photodesk user add lan --role editor          then type the password
              printf '%s\\n' "$PASSWORD" | photodesk user add lan --role admin
              photodesk user token lan --label "CMS import" prints a bearer token for the API
              photodesk user list
            """,
        subcommands: [Add.self, List.self, Remove.self, Password.self, Token.self])

    /// Reads a password: without echo from a terminal, else the first line of standard input.
    static func readPassword(prompt: String) throws -> String {
        let password: String?
        if isatty(STDIN_FILENO) == 1 {
            password = getpass(prompt).map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else {
            throw CommandError("no password on standard input (type it, or pipe it in: printf '%s\\n' \"$PASSWORD\" | ...)")
        }
        if let problem = Credentials.passwordProblem(password) { throw CommandError("refused: \(problem)") }
        return password
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from standard input.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument(help: "The name to sign in with (letters, digits, . _ -).") var name: String
        @Option(help: "editor (captions and article links) or admin (also users and tokens).") var role: Role = .editor

        func validate() throws {
            guard AccountRecord.isValidName(name) else {
                throw ValidationError("a name is 1 to 64 letters, digits, dots, dashes or underscores")
            }
        }

        func run() throws {
            let catalog = try libraryOptions.openCatalog(create: true)
            let password = try UserCommand.readPassword(prompt: "Password for \(name): ")
            do {
                try catalog.addAccount(
                    AccountRecord(name: name, role: role, passwordHash: Credentials.hashPassword(password)))
            } catch let error as CatalogError where error.code == .exists {
                throw CommandError("\(error.message) (photodesk user password \(name) changes the password)")
            }
            Output.line("Added \(name) (\(role.rawValue)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let catalog = try libraryOptions.openCatalog(create: false)
            let users = try catalog.accounts()
            if json {
                struct User: Encodable {
                    var name: String
                    var role: String
                    var createdAt: Date
                    var tokens: Int
                }
                Output.line(
                    JSONOutput.pretty([
                        "users": try users.map {
                            User(name: $0.name, role: $0.role.rawValue, createdAt: $0.createdAt, tokens: try catalog.tokens(of: $0.name).count)
                        }
                    ]))
                return
            }
            if users.isEmpty { Output.line("No users yet: photodesk user add NAME --role admin") }
            for user in users {
                let tokens = try catalog.tokens(of: user.name).count
                Output.line("\(user.name)\t\(user.role.rawValue)\t\(tokens) API token\(tokens == 1 ? "" : "s")")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user, ending their sessions and revoking their tokens.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String

        func run() throws {
            let catalog = try libraryOptions.openCatalog(create: false)
            guard try catalog.removeAccount(named: name) else { throw CommandError("no user named \(name)") }
            Output.line("Removed \(name).")
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's password (read from standard input).")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String
        @Option(help: "Change the role too (editor or admin).") var role: Role?

        func run() throws {
            let catalog = try libraryOptions.openCatalog(create: false)
            guard var account = try catalog.account(named: name) else { throw CommandError("no user named \(name)") }
            account.passwordHash = Credentials.hashPassword(try UserCommand.readPassword(prompt: "New password for \(name): "))
            if let role { account.role = role }
            try catalog.updateAccount(account)
            Output.line("Changed the password of \(name).")
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API bearer token for a user (printed once; only its hash is kept).")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String
        @Option(help: "What the token is for.") var label = "issued on the command line"

        func run() throws {
            let catalog = try libraryOptions.openCatalog(create: false)
            guard try catalog.account(named: name) != nil else { throw CommandError("no user named \(name)") }
            Output.line(try Credentials.issueToken(for: name, label: label, in: catalog))
        }
    }
}

extension Role: ExpressibleByArgument {}
