import Foundation

/// The database of the CLI suites that run on both backends: a file in the sandbox, or, when
/// `LEDGER_TEST_POSTGRES` names a PostgreSQL database (`postgres://user@host:port/database`), a
/// new schema of it (`?search_path=`), made by the ledger at its first open.
enum CLIBackend {
    static let postgres = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// A new, empty database for one test: `--db` takes it as it is.
    static func database(in sandbox: Sandbox, _ name: String = "ledger.sqlite") -> String {
        guard let postgres else { return sandbox.path(name) }
        let schema = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return "\(postgres)?search_path=\(schema)"
    }
}
