import Foundation
import GRDB
import Testing

@testable import LedgerKit

@Suite struct StorageTests {
    @Test func embeddedSchemaMatchesSchemaFolder() throws {
        let folder = packageRoot.appendingPathComponent("Schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == EmbeddedSchema.migrations.map(\.name), "run Tools/embed-schema.sh")
        for (name, sql) in EmbeddedSchema.migrations {
            var text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if text.hasSuffix("\n") { text.removeLast() }
            #expect(sql == text, "\(name) differs from its embedded copy: run Tools/embed-schema.sh")
        }
    }

    @Test func aFileIsCreatedInWALModeWithTheSchema() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        _ = try Ledger(path: path, clock: fixedClock(jan1)).createCustomer(.init(name: "A"))
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try db.tableExists("price"))
            #expect(try db.tableExists("posting"))
            // Every table is STRICT.
            let sqls = try String.fetchAll(
                db,
                sql:
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' AND name NOT LIKE 'sqlite%'"
            )
            #expect(!sqls.isEmpty)
            #expect(sqls.allSatisfy { $0.contains("STRICT") })
        }
        // Reopening migrates nothing and keeps the data.
        #expect(try Ledger(path: path).customers().count == 1)
    }

    /// A migration this version does not know (a file's, a database's) is refused at the open.
    @Test func aNewerSchemaIsRefused() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let ledger = try location.open()
        try ledger.execute(
            "INSERT INTO \(ledger.isPostgres ? "ledgerMigration" : "grdb_migrations") (identifier) VALUES ('9999_future')"
        )
        #expect {
            _ = try location.open()
        } throws: { error in
            (error as? LedgerError)?.code == .schemaTooNew
        }
    }

    @Test func aCorruptFileIsAStorageError() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Ledger(path: path).customers()
        } throws: { error in
            (error as? LedgerError)?.kind == .storage
        }
    }

    @Test func noBinaryFloatingPointInTheSources() throws {
        // Money and quantities are exact: Double and Float have no place in these folders.
        let sources = packageRoot.appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var offenders: [String] = []
        let banned = try Regex(#"\b(Double|Float|Float32|Float64|Float80|CGFloat|TimeInterval)\b"#)
        while let file = enumerator.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(banned) {
                offenders.append("\(file):\(number + 1): \(line)")
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
