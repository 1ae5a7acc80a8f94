import Foundation
import Testing

/// Bad inputs the hostile-input tool (`Tools/stress.py hostile`) found answered with the wrong
/// exit status (74, a storage error), and leaving files behind.
@Suite struct HostileInputTests {
    /// A `--db` that cannot name a ledger file is refused before SQLite opens it (66,
    /// `database_missing`), never a storage error (74), and nothing is created beside it.
    @Test(arguments: [["customers", "list"], ["customers", "create", "--name", "x"]])
    func dbThatIsNoLedgerFile(_ args: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-hostile-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hadJournal = FileManager.default.fileExists(atPath: "/dev/null-journal")
        for db in [dir.path, "/dev/null", dir.appendingPathComponent("no/l.sqlite").path] {
            let r = run(args, db: db, json: false)
            #expect(r.status == 66, "\(db): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: database_missing: "), "\(db): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(db): \(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: "/dev/null-journal") == hadJournal)
    }
}
