import Foundation
import GRDB
import Synchronization
import Testing

@testable import LedgerKit

/// Opening a file: concurrent first opens, newer schemas refused untouched, read-only files.
@Suite struct OpeningTests {
    /// 8 threads open one new ledger (a file, a schema) at once, each with its own connection,
    /// and each writes: none fails (one migrates, the others find it done) and every write is there.
    @Test func concurrentFirstOpensAllSucceed() throws {
        for round in 0..<5 {
            let location = try TestBackend.Location()
            defer { location.cleanup() }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { n in
                do {
                    _ = try location.open(clock: fixedClock(jan1)).createCustomer(.init(id: "cus_\(n)", name: "N"))
                } catch {
                    failures.withLock { $0.append("round \(round), thread \(n): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try location.open().customers().map(\.id.rawValue).sorted() == (0..<8).map { "cus_\($0)" })
        }
    }

    @Test func aNewFileAndItsLogAreOwnerOnly() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        let ledger = try Ledger(path: path, clock: fixedClock(jan1))
        _ = try ledger.createCustomer(.init(name: "A"))
        for file in [path, path + "-wal", path + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
    }

    /// The version check reads before anything writes: a file from a newer version (here in
    /// rollback-journal mode, which opening would otherwise switch to WAL) keeps every byte.
    @Test func aNewerSchemaIsRefusedWithTheFileUntouched() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        _ = try Ledger(path: path, clock: fixedClock(jan1)).createCustomer(.init(name: "A"))
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_future')")
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect { _ = try Ledger(path: path) } throws: { ($0 as? LedgerError)?.code == .schemaTooNew }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aReadOnlyLedgerReadsAndRefusesEveryWrite() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        _ = try Ledger(path: path, clock: fixedClock(jan1)).createCustomer(.init(id: "cus_1", name: "A"))
        let ledger = try Ledger(path: path, clock: fixedClock(jan1 + 60), readOnly: true)
        #expect(try ledger.customers().map(\.id) == ["cus_1"])
        #expect { _ = try ledger.createCustomer(.init(name: "B")) } throws: {
            ($0 as? LedgerError)?.code == .readOnly
        }
        #expect(try Ledger(path: path).customers().count == 1)
        // A read-only open never creates a file.
        #expect { _ = try Ledger(path: dir.path("absent.sqlite"), readOnly: true) } throws: {
            ($0 as? LedgerError)?.kind == .storage
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("absent.sqlite")))
    }
}
