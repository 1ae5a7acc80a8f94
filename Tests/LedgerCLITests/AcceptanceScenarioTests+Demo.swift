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
