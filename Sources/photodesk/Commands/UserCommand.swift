import ArgumentParser
import Catalog
import Desk
import Foundation

/// `photodesk user ...`: the people who may edit in the browser or through the API.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the editors and admins who may sign in to the gallery, and their API tokens.",
        discussion: """
            Readers need no account. Editors change captions, article links and publication; admins
            also manage users and issue API tokens. Passwords are read from standard input and kept
            as bcrypt hashes; changing one ends the user's sessions.

            Examples:
              photodesk user add lan --role editor          then type the password
              printf '%s\\n' "$PASSWORD" | photodesk user add lan --role admin
              photodesk user token lan --label "CMS import" prints a bearer token for the API (once)
              photodesk user tokens lan                     the user's tokens: id, label, expiry
              photodesk user revoke tok_AbCdEf012345        that token stops working at once
              photodesk user list
            """,
        subcommands: [Add.self, List.self, Remove.self, Password.self, Token.self, Tokens.self, Revoke.self])

    /// Reads a password: without echo from a terminal, else the first line of standard input.
    static func readPassword(prompt: String) throws -> String {
        let password: String?
        if isatty(STDIN_FILENO) == 1 {
            password = getpass(prompt).map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else {
            throw CommandError(
                "no password on standard input (type it, or pipe it in: printf '%s\\n' \"$PASSWORD\" | ...)",
                kind: .unauthenticated)
        }
        if let problem = Credentials.passwordProblem(password) {
            throw CommandError("refused: \(problem)", kind: .forbidden)
        }
        return password
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from standard input.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument(help: "The name to sign in with (letters, digits, . _ -).") var name: String
        @Option(help: "editor (captions, articles, publication) or admin (also users and tokens).") var role: Role =
            .editor

        func validate() throws {
            guard Account.isValidName(name) else {
                throw ValidationError("a name is 1 to 64 letters, digits, dots, dashes or underscores")
            }
        }

        func run() async throws {
            let accounts = try await libraryOptions.openDesk(create: true).accounts
            let password = try UserCommand.readPassword(prompt: "Password for \(name): ")
            do {
                try await accounts.add(name, role: role, passwordHash: Credentials.hashPassword(password))
            } catch let error as DeskError where error.code == .exists {
                throw CommandError(
                    "\(error.message) (photodesk user password \(name) changes the password)", kind: .conflict)
            }
            Output.line("Added \(name) (\(role.rawValue)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Flag(help: "Print JSON.") var json = false

        struct User: Encodable {
            var name: String
            var role: String
            var createdAt: Date
            var tokens: Int
        }

        func run() async throws {
            let accounts = try await libraryOptions.openDesk(create: false).accounts
            var users: [User] = []
            for account in try await accounts.all() {
                let tokens = try await accounts.tokens(of: account.name, liveOnly: true).count
                users.append(
                    User(name: account.name, role: account.role.rawValue, createdAt: account.createdAt, tokens: tokens))
            }
            if json {
                Output.line(JSONOutput.pretty(["users": users]))
                return
            }
            if users.isEmpty { Output.line("No users yet: photodesk user add NAME --role admin") }
            for user in users {
                Output.line("\(user.name)\t\(user.role)\t\(user.tokens) API token\(user.tokens == 1 ? "" : "s")")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user, ending their sessions and revoking their tokens.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String

        func run() async throws {
            try await libraryOptions.openDesk(create: false).accounts.remove(name)
            Output.line("Removed \(name).")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's password (read from standard input); their sessions end.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String
        @Option(help: "Change the role too (editor or admin).") var role: Role?

        func run() async throws {
            let accounts = try await libraryOptions.openDesk(create: false).accounts
            _ = try await accounts.existing(name)
            let hash = Credentials.hashPassword(try UserCommand.readPassword(prompt: "New password for \(name): "))
            try await accounts.setPassword(name, passwordHash: hash, role: role)
            Output.line("Changed the password of \(name); their sessions have ended.")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API bearer token for a user (printed once; only its hash is kept).")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String
        @Option(help: "What the token is for.") var label = "issued on the command line"
        @Option(help: "Days until it expires (1 to 3650).") var days = Credentials.tokenLifetimeDays

        func validate() throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days must be 1 to 3650") }
        }

        func run() async throws {
            let accounts = try await libraryOptions.openDesk(create: false).accounts
            let issued = try await accounts.issueToken(for: name, label: label, days: days)
            Output.line(issued.secret)
            Output.error(
                "Token \(issued.token.id) for \(name), expires \(ISO8601DateFormatter().string(from: issued.token.expiresAt)); it is shown once."
            )
        }
    }

    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's API tokens (never the secrets).")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false

        struct Item: Encodable {
            var id: String
            var label: String
            var createdAt: Date
            var expiresAt: Date
            var expired: Bool
        }

        func run() async throws {
            let now = Date()
            let items = try await libraryOptions.openDesk(create: false).accounts.tokens(of: name).map {
                Item(
                    id: $0.id, label: $0.label, createdAt: $0.createdAt, expiresAt: $0.expiresAt,
                    expired: $0.expiresAt <= now)
            }
            if json {
                Output.line(JSONOutput.pretty(["tokens": items]))
                return
            }
            let formatter = ISO8601DateFormatter()
            for item in items {
                Output.line(
                    "\(item.id)\t\(item.expired ? "expired" : "expires") \(formatter.string(from: item.expiresAt))\t\(item.label)"
                )
            }
            if items.isEmpty { Output.line("\(name) has no API tokens.") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API token by its id (from photodesk user tokens NAME): it stops working at once.")
        @OptionGroup var libraryOptions: LibraryOptions
        @Argument(help: "The token's id (tok_...), not its secret.") var id: String

        func run() async throws {
            do { try await libraryOptions.openDesk(create: false).accounts.revokeToken(id: id) } catch let error
                as DeskError where error.code == .notFound
            {
                throw CommandError("no token \(id) (photodesk user tokens NAME lists them)", kind: .notFound)
            }
            Output.line("Revoked \(id).")
        }
    }
}

extension Role: ExpressibleByArgument {}
