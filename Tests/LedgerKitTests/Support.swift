import Foundation
import GRDB
import LedgerKit

/// A fixed clock at `seconds`, for deterministic tests.
func fixedClock(_ seconds: Int64) -> @Sendable () -> Int64 { { seconds } }

let jan1: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

/// A unique temporary directory, removed by the caller with `cleanup()`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A dump of the database's logical content (schema and rows), to prove "nothing written".
func dump(_ path: String) throws -> String {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        var lines: [String] = []
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
            lines.append("table \(table)")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY 1") {
                lines.append(row.description)
            }
        }
        lines += try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        return lines.joined(separator: "\n")
    }
}

/// The code of the `LedgerError` that `body` throws; nil when it succeeds (`storage_error` for
/// any other error, which no test expects).
func code(_ body: () throws -> Void) -> LedgerError.Code? {
    do {
        try body()
        return nil
    } catch let error as LedgerError {
        return error.code
    } catch {
        return .storage
    }
}
