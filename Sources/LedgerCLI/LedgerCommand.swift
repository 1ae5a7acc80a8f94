import ArgumentParser
import Foundation
import LedgerKit
import Synchronization

@main
struct LedgerCommand: ParsableCommand {
    /// The release, printed by `ledger --version`.
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "An embedded billing ledger over one SQLite file.",
        version: version,
        subcommands: [
            CustomersCommand.self, MetersCommand.self, EventsCommand.self, ProductsCommand.self,
            PricesCommand.self, SubscriptionsCommand.self, InvoiceItemsCommand.self, InvoicesCommand.self,
            BillCommand.self, GrantsCommand.self, AllowancesCommand.self, TopUpsCommand.self,
            CreditTransactionsCommand.self,
            BalanceCommand.self,
            AlertsCommand.self, FeedCommand.self, ExportCommand.self, ReconcileCommand.self,
            VerifyCommand.self, DemoCommand.self, CompletionsCommand.self,
        ]
    )

    @Option(name: .long, help: "The ledger file, or a postgres:// URL (default: $LEDGER_DB, then ./ledger.sqlite).")
    var db: String?

    // Every option whose value may be a number (an amount, a quantity, a meter value, a count, an
    // instant in Unix seconds) is parsed `.unconditional`: by default swift-argument-parser takes
    // `-8` for a flag and refuses `--value -8` as bad usage, although SPEC §1 allows negative meter
    // values. The command judges the value instead, so `--quantity -1` is `invalid_quantity` (65).
    @Option(
        name: .long, parsing: .unconditional,
        help: "Run as if now were this instant (Unix seconds or ISO 8601; default: $LEDGER_NOW, then the clock).")
    var now: String?

    @Flag(name: .long, help: "Print Stripe-shaped JSON instead of tables.")
    var json = false

    @Option(name: .long, help: "Make a write safe to repeat: the same key and request run once.")
    var idempotencyKey: String?

    @Flag(
        name: .long,
        help: "Let a write run at an instant before one the file has already processed (rewrites history).")
    var allowClockRegression = false

    /// ArgumentParser's `main()`, except that the raw arguments are checked for text that is not
    /// UTF-8 first (`RawArguments`), bad usage is one line with a code like every error (exit 64),
    /// and a request a command's `validate()` refused by its shape (see `Refusal`) is reported,
    /// as the ledger reports any refusal, before it runs.
    static func main() {
        RawArguments.refuseInvalidText()
        do {
            var command = try parseAsRoot()
            // Parsing yields another command than the one refused when it is `--help` (ArgumentParser's help).
            if let refusal = Refusal.take(), refusal.command == ObjectIdentifier(type(of: command)) {
                Context.fail(refusal.error, json: refusal.json)
            }
            try command.run()
        } catch {
            // `--help`, `help` and `--version` exit 0 with ArgumentParser's text, unchanged.
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            // ArgumentParser's own text is several lines (the message, the option's help, the
            // usage); the ledger prints one, as for any refused request (SPEC §3).
            let message = message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
            Context.fail(
                LedgerError(.invalidUsage, message.isEmpty ? "the command line cannot be read" : message),
                json: RawArguments.asksForJSON, status: 64)
        }
    }
}

/// The command line as the process received it, before ArgumentParser reads it.
enum RawArguments {
    /// Refuses an argument that is not valid UTF-8 (`invalid_text`, exit 65) before anything is
    /// parsed. Swift decodes the process's arguments with replacement characters, so two
    /// different byte strings would be one name, ID or event identifier; the raw bytes are checked
    /// instead. (An argument cannot hold a NUL: the C strings of `argv` end at it.)
    static func refuseInvalidText() {
        let argv = CommandLine.unsafeArgv
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = argv[index] else { continue }
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            guard String(validating: bytes, as: UTF8.self) == nil else { continue }
            let option = option(of: index)
            let what = option.map { "the value of \($0)" } ?? "argument \(index)"
            Context.fail(
                LedgerError(
                    .invalidText, "\(what) is not valid UTF-8",
                    param: option.map { String($0.dropFirst(2)).replacingOccurrences(of: "-", with: "_") }),
                json: asksForJSON)
        }
    }

    /// The long option whose value is argument `index` (`--name=…`, or `--name` before it).
    private static func option(of index: Int) -> String? {
        let arguments = CommandLine.arguments
        let argument = arguments[index]
        if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") { return String(argument[..<eq]) }
        guard index > 1, arguments[index - 1].hasPrefix("--"), !arguments[index - 1].contains("=") else { return nil }
        return arguments[index - 1]
    }

    /// Whether `--json` is among the global options: parsing failed, so the flag is looked for
    /// in the arguments themselves (before a `--` that ends the options).
    static var asksForJSON: Bool {
        CommandLine.arguments.dropFirst().prefix { $0 != "--" }.contains("--json")
    }
}

/// A request refused by its shape in a command's `validate()`: two flags that exclude each other,
/// half of a pair, a flag required unless another is given.
///
/// ArgumentParser reports an error thrown from `validate()` as bad usage (exit 64, `Error: …` and
/// the usage), and before its own checks of unknown options. These refusals have always been
/// requests the ledger refuses (SPEC §3: `error: <code>: <message>` or the JSON error, exit 65),
/// and tests and scripts rely on that. So `validate()` keeps its refusal here instead of throwing,
/// and `LedgerCommand.main()` reports it once parsing is complete: an unknown option is still bad
/// usage (64), `--help` and `--version` still win, and nothing runs.
enum Refusal {
    typealias Pending = (command: ObjectIdentifier, error: LedgerError, json: Bool)

    private static let pending = Mutex<Pending?>(nil)

    /// Runs the shape checks of `command`'s `validate()`, keeping the refusal they throw.
    static func check(
        _ command: any ParsableCommand.Type, _ root: LedgerCommand, _ checks: () throws -> Void
    ) rethrows {
        do {
            try checks()
        } catch let error as LedgerError {
            pending.withLock { pending in
                if pending == nil { pending = (ObjectIdentifier(command), error, root.json) }
            }
        }
    }

    /// The refusal `check` kept, if any.
    static func take() -> Pending? {
        pending.withLock { pending in
            defer { pending = nil }
            return pending
        }
    }
}

/// Exit statuses of SPEC §3.
enum Exit {
    static let rejected: Int32 = 65
    static let inputMissing: Int32 = 66
    static let storage: Int32 = 74
    static let busy: Int32 = 75
    static let differences: Int32 = 1
}

/// What every command needs: the globals, the ledger, and the output mode.
struct Context {
    let root: LedgerCommand

    var json: Bool { root.json }

    /// A test clock (`--now` or `LEDGER_NOW`) moves to this instant when it is later: `bill
    /// --until T` under a test clock advances the clock to T.
    var advanceTestClockTo: Int64?

    init(root: LedgerCommand, advanceTestClockTo: Int64? = nil) {
        self.root = root
        self.advanceTestClockTo = advanceTestClockTo
    }

    var path: String {
        root.db ?? ProcessInfo.processInfo.environment["LEDGER_DB"] ?? "ledger.sqlite"
    }

    /// The test clock's instant, when `--now` or `LEDGER_NOW` gives one.
    func testClock() throws -> Int64? {
        guard let text = root.now ?? ProcessInfo.processInfo.environment["LEDGER_NOW"] else { return nil }
        let fixed = try Instant.parse(text, param: "now")
        return max(fixed, advanceTestClockTo ?? fixed)
    }

    func clock() throws -> @Sendable () -> Int64 {
        if let fixed = try testClock() { return { fixed } }
        return Ledger.systemClock
    }

    /// Opens the ledger, runs `body`, prints what it returns, and maps errors to exit codes.
    /// A file that did not exist before and the command failed is removed again, so a rejected
    /// request leaves the file system as it found it.
    func run(_ body: (Ledger) throws -> Output) throws {
        try run(creating: true, body)
    }

    /// As `run`, for a command that only reads: a file that does not exist is refused
    /// (`database_missing`, exit 66) and none is created.
    func read(_ body: (Ledger) throws -> Output) throws {
        try run(creating: false, body)
    }

    private func run(creating: Bool, _ body: (Ledger) throws -> Output) throws {
        let path = self.path
        do {
            if path.isEmpty {
                // Bad usage (64): SQLite would take an empty name for a temporary database.
                fail(
                    LedgerError.invalidRequest("--db (or LEDGER_DB) is empty: name the ledger file", param: "db"),
                    status: 64)
            }
            if Ledger.isPostgresURL(path) {
                // A PostgreSQL database (README, "PostgreSQL"): nothing to create on disk.
                guard let url = URL(string: path) else {
                    throw LedgerError.invalidRequest("--db '\(path)' is not a valid URL", param: "db")
                }
                let (text, status) = try respond(
                    {
                        try Ledger(postgres: url, clock: clock(), allowClockRegression: root.allowClockRegression)
                    }, body)
                guard let text else {
                    if status != 0 { Foundation.exit(status) }
                    return
                }
                Output(json: .null, human: "", status: status).print(text: text)
                return
            }
            try Self.checkPlace(path)
            let existed = FileManager.default.fileExists(atPath: path)
            if !creating && !existed {
                throw LedgerError(
                    .databaseMissing, "no ledger file at '\(path)'; only a write creates one", param: "db")
            }
            // The ledger is closed (its WAL checkpointed) before anything prints or exits.
            let (text, status) =
                existed
                ? try respond(path, readOnly: !creating && access(path, W_OK) != 0, body)
                : try create(path, body)
            guard let text else {
                if status != 0 { Foundation.exit(status) }
                return
            }
            Output(json: .null, human: "", status: status).print(text: text)
        } catch let error as LedgerError {
            fail(error)
        }
    }

    /// Refuses a `--db` that cannot name a ledger file, before SQLite opens it: a directory, a
    /// device or another file that is not a regular file (SQLite would fail with a storage error,
    /// 74, after creating its journal beside it: `/dev/null-journal`), or a new file in a directory
    /// that does not exist.
    /// - Throws: `database_missing` (exit 66), as for a file a read cannot find.
    static func checkPlace(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT != S_IFREG else { return }
            let what = info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "a device or other special file"
            throw LedgerError(.databaseMissing, "'\(path)' is \(what), not a ledger file", param: "db")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(
                .databaseMissing, "no ledger file at '\(path)': the directory '\(directory)' does not exist",
                param: "db")
        }
    }

    /// The first write to a new file runs on a file of its own beside it, which is put in place
    /// (a hard link: atomic, and never over an existing file) only once the request succeeded.
    /// A refused first request leaves no file behind, and no other process ever sees a file that
    /// could still be removed. When another process created the ledger in the meantime, the
    /// request runs again on that file (its input is read again; what the first try printed on
    /// stderr is dropped).
    private func create(_ path: String, _ body: (Ledger) throws -> Output) throws -> (String?, Int32) {
        let url = URL(fileURLWithPath: path)
        let aside = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            .path
        defer { Self.remove(aside) }
        let result = try Diagnostics.held { try respond(aside, readOnly: false, body) }
        // Every connection is closed: the WAL was checkpointed into the file and removed.
        guard !FileManager.default.fileExists(atPath: aside + "-wal") else {
            throw LedgerError(.storage, "the new ledger file's log was not checkpointed; nothing was created")
        }
        if link(aside, path) == 0 {
            Diagnostics.release()
            return result
        }
        let reason = errno
        Diagnostics.discard()
        guard reason == EEXIST else {
            throw LedgerError(
                .storage, "cannot create the ledger file at '\(path)': \(String(cString: strerror(reason)))",
                param: "db")
        }
        return try respond(path, readOnly: false, body)
    }

    /// Opens the ledger, runs `body` (under the idempotency key when given), and returns what to
    /// print (nil when the command streamed its own output) and the exit status; the ledger is
    /// released on return.
    private func respond(_ path: String, readOnly: Bool, _ body: (Ledger) throws -> Output) throws -> (String?, Int32) {
        try respond(
            {
                try Ledger(
                    path: path, clock: clock(), allowClockRegression: root.allowClockRegression, readOnly: readOnly)
            }, body)
    }

    private func respond(_ open: () throws -> Ledger, _ body: (Ledger) throws -> Output) throws -> (String?, Int32) {
        let ledger = try open()
        guard let key = root.idempotencyKey else {
            let output = try body(ledger)
            if output.streamed { return (nil, output.status) }
            return (json ? output.json.render() : Self.human(output.human), output.status)
        }
        let (response, _) = try ledger.idempotent(key: key, request: Self.request()) {
            let output = try body(ledger)
            return StoredResponse(json: output.json.render(), human: output.human, status: output.status)
        }
        return (json ? response.json : Self.human(response.human), response.status)
    }

    /// Human output as printed: control characters of stored text escaped (README, "Decisions").
    static func human(_ text: String) -> String { Human.escapingControls(text, keepingLineBreaks: true) }

    /// What the CLI stores under an idempotency key: the response as first printed, both forms,
    /// so a repeat prints exactly what the first request printed (Stripe replays the response).
    struct StoredResponse: Codable {
        var json: String
        var human: String
        var status: Int32
    }

    /// What identifies a request for its idempotency key: the command and its arguments, without
    /// the global options that do not change what it asks (--db, --now, --json, the key itself).
    static func request() -> String {
        var parts: [String] = []
        var arguments = CommandLine.arguments.dropFirst()[...]
        while let argument = arguments.popFirst() {
            switch argument {
            case "--db", "--now", "--idempotency-key": _ = arguments.popFirst()
            case "--json", "--allow-clock-regression": continue
            default:
                if ["--db=", "--now=", "--idempotency-key="].contains(where: argument.hasPrefix) { continue }
                parts.append(argument)
            }
        }
        return parts.joined(separator: " ")
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    func fail(_ error: LedgerError, status: Int32? = nil) -> Never {
        Self.fail(error, json: json, status: status)
    }

    /// Prints `error` on stderr, one line (`error: <code>: <message>`, or the JSON error), and
    /// exits with `status`, or else the status of its kind (SPEC §3).
    static func fail(_ error: LedgerError, json: Bool, status: Int32? = nil) -> Never {
        let line: String
        if json {
            line = JSON.object([
                (
                    "error",
                    .object([
                        ("type", .string(error.kind == .rejected ? "invalid_request_error" : "api_error")),
                        ("code", .string(error.code.rawValue)), ("message", .string(error.message)),
                        ("param", .optional(error.param)),
                    ])
                )
            ]).render(pretty: false)
        } else {
            let message = FlagNames.naming(
                error.param, in: error.message, arguments: Array(CommandLine.arguments.dropFirst()))
            line = Human.escapingControls("error: \(error.code.rawValue): \(message)")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        if let status { Foundation.exit(status) }
        switch error.kind {
        case .rejected: Foundation.exit(Exit.rejected)
        case .storage: Foundation.exit(Exit.storage)
        case .busy: Foundation.exit(Exit.busy)
        case .inputMissing: Foundation.exit(Exit.inputMissing)
        }
    }
}
