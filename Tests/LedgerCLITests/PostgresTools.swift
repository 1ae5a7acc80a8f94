import Foundation

/// The PostgreSQL client programs (`psql`, `pg_dump`) the CLI suites run against the server of
/// `LEDGER_TEST_POSTGRES`, to copy fixtures and to read a schema's rows.
///
/// The programs are found in `$LEDGER_TEST_POSTGRES_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `$PATH`.
enum PostgresTools {
    static let bin: String? = locate()

    private static func locate() -> String? {
        let fm = FileManager.default
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_BIN"], !env.isEmpty { dirs.append(env) }
        let versions = (try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        dirs += versions.sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return dirs.first { fm.isExecutableFile(atPath: $0 + "/psql") && fm.isExecutableFile(atPath: $0 + "/pg_dump") }
    }

    /// Runs `tool` with `arguments`; its exit status and output.
    static func tool(_ tool: String, _ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        guard let bin else { return (-1, "", "no psql and pg_dump found (set LEDGER_TEST_POSTGRES_BIN)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/" + tool)
        process.arguments = arguments
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-pg-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        guard let err = try? FileHandle(forWritingTo: errURL) else { return (-1, "", "cannot write \(errURL.path)") }
        defer { try? err.close() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "", "cannot run \(tool): \(error)") }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }

    /// Runs one SQL statement with `psql` on `database` (default: the one of
    /// `LEDGER_TEST_POSTGRES`); its output, unaligned and without headers.
    static func sql(_ statement: String, database: String? = nil) -> (status: Int32, stdout: String, stderr: String) {
        tool("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", connection(database), "-c", statement])
    }

    // MARK: URLs

    /// The libpq URL of `database` (default: the one of `LEDGER_TEST_POSTGRES`) on the test server,
    /// without the ledger's own parameters.
    static func connection(_ database: String? = nil) -> String {
        var parts = URLComponents(string: CLIBackend.postgres ?? "") ?? URLComponents()
        parts.query = nil
        if let database { parts.path = "/" + database }
        return parts.string ?? ""
    }

    /// The ledger's URL for schema `schema` of `database` on the test server.
    static func ledgerURL(database: String, schema: String) -> String {
        connection(database) + "?search_path=" + schema
    }

    /// The database and the schema a ledger URL names (`public` without `search_path`).
    static func place(_ db: String) -> (database: String, schema: String) {
        let parts = URLComponents(string: db)
        let database = String((parts?.path ?? "").drop { $0 == "/" })
        let schema = parts?.queryItems?.first { $0.name == "search_path" }?.value ?? "public"
        return (database, schema)
    }

    // MARK: Snapshots

    /// The rows of the ledger at `db`: `pg_dump --data-only` of its schema, without the
    /// `setval` lines of the identity sequences, which a transaction that rolls back still
    /// advances (sequences are not transactional: the one way a refused request leaves a trace on
    /// PostgreSQL that it does not leave on SQLite), and without the `\restrict KEY` and
    /// `\unrestrict KEY` lines (a random key in each dump). Nil when the schema has no tables (or
    /// does not exist).
    static func rows(_ db: String) -> String? {
        let (database, schema) = place(db)
        let tables = sql("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = '\(schema)'", database: database)
        guard tables.status == 0 else { preconditionFailure("psql: \(tables.stderr)") }
        guard tables.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0" else { return nil }
        let dump = tool(
            "pg_dump", ["--data-only", "--no-owner", "--schema=\(schema)", "-d", connection(database)])
        guard dump.status == 0 else { preconditionFailure("pg_dump: \(dump.stderr)") }
        return dump.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter {
                !$0.hasPrefix("SELECT pg_catalog.setval(") && !$0.hasPrefix("\\restrict ")
                    && !$0.hasPrefix("\\unrestrict ")
            }.joined(separator: "\n")
    }

    /// `rows` with the schema's name replaced by `<schema>`, to compare the rows of two schemas.
    static func normalized(_ rows: String, of db: String) -> String {
        rows.replacingOccurrences(of: place(db).schema, with: "<schema>")
    }

    /// The normalized rows of a new ledger that no request wrote to (made by a read).
    static let emptyLedger: String = {
        let db = "\(CLIBackend.postgres ?? "")?search_path=\(CLIBackend.uniqueName("e"))"
        let read = run(["customers", "list"], db: db)
        precondition(read.status == 0, "cannot make an empty ledger on PostgreSQL: \(read.stderr)")
        return normalized(rows(db) ?? "", of: db)
    }()

    // MARK: Databases

    /// Creates database `name` (a copy of `template` when given).
    static func createDatabase(_ name: String, template: String? = nil) -> Bool {
        let statement = "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? "")
        return sql(statement).status == 0
    }
}
