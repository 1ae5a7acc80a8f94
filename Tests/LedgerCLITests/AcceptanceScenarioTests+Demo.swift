import Foundation
import Testing

/// `ledger demo` on the suite's backend prints what it prints on a new file: the same figures,
/// object for object (generated IDs aside); run again on the same database it is refused.
@Suite("The demo on the suite's backend") struct DemoBackendTests {
    /// The demo's JSON with every generated ID (`price_…`, `prod_…`) and the database named alike.
    static func figures(_ output: String, db: String) -> String {
        output.replacingOccurrences(of: db, with: "DB")
            .replacing(/"([a-z]+)_[A-Za-z0-9]{24}"/) { "\"\($0.1)_ID\"" }
    }

    @Test func theDemoPrintsTheSameFiguresOnEitherBackend() throws {
        let sandbox = try Sandbox()
        let file = sandbox.path("demo.sqlite")
        let db = CLIBackend.database(in: sandbox, "demo-backend.sqlite")
        let onFile = LedgerBinary.execute(["--db", file, "--json", "demo"])
        let onBackend = LedgerBinary.execute(["--db", db, "--json", "demo"])
        try #require(onFile.status == 0, "\(onFile)")
        try #require(onBackend.status == 0, "\(onBackend)")
        #expect(Self.figures(onBackend.stdout, db: db) == Self.figures(onFile.stdout, db: file))
        let object = try JSONSerialization.jsonObject(with: Data(onBackend.stdout.utf8)) as? [String: Any]
        #expect(object?["object"] as? String == "demo")
        // Refused as on a file that exists: the same exit status and code.
        let again = LedgerBinary.execute(["--db", db, "demo"])
        let againOnFile = LedgerBinary.execute(["--db", file, "demo"])
        #expect(again.status == againOnFile.status && again.status != 0, "\(again)")
        #expect(again.stderr.hasPrefix("error: invalid_request: "), "\(again)")
    }
}

/// A `--db` URL the ledger cannot use is refused on one line with its code, and nothing is made:
/// a refused demo on a database that holds a ledger leaves its rows as they were.
@Suite("Bad PostgreSQL URLs and a refused demo") struct PostgresURLRejectionTests {
    @Test(arguments: [
        ("postgres://", "invalid_request", Int32(65)),
        ("postgres://ledger@127.0.0.1:55432/ledger?sslmode=require", "invalid_request", 65),
        ("postgresql://ledger@127.0.0.1:1/ledger", "storage_error", 74),
    ])
    func aBadURLIsOneLineWithItsCode(url: String, code: String, status: Int32) throws {
        let r = LedgerBinary.execute(["--db", url, "customers", "create", "--name", "x"])
        #expect(r.status == status, "\(r)")
        #expect(r.stderr.hasPrefix("error: \(code): "), "\(r)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r)")
    }

    @Test func aRefusedDemoLeavesTheDatabaseAsItWas() throws {
        let sandbox = try Sandbox()
        let db = CLIBackend.database(in: sandbox, "demo-twice.sqlite")
        try #require(LedgerBinary.execute(["--db", db, "demo"]).status == 0)
        let before = DatabaseSnapshot(db)
        let again = LedgerBinary.execute(["--db", db, "demo"])
        #expect(again.status != 0 && again.stderr.hasPrefix("error: invalid_request: "), "\(again)")
        #expect(DatabaseSnapshot(db) == before)
    }
}
