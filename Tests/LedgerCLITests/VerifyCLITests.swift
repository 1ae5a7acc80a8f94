import Foundation
import Testing

/// `verify` runs SQLite's `quick_check` by default and `integrity_check` with `--full`: an index
/// whose entries no longer match its table passes the first and fails the second, naming it.
/// SQLite only (a file whatever the backend): the tests edit the file with the sqlite3 shell,
/// and `verify` checks SQLite's own integrity.
@Suite("verify: quick by default, --full for every index")
struct VerifyCLITests {
    @Test("an index out of step with its table is found by --full only; a sound file passes both")
    func fullChecksEveryIndex() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copyFile(into: sb)
        try subscribe(db, "cus_1", ["price_licence"], id: "sub_v")
        let quick = run(["verify"], db: db, json: false)
        #expect(quick.status == 0 && quick.stdout.hasPrefix("ok: quick_check, foreign keys"), "\(quick)")
        let full = run(["verify", "--full"], db: db, json: false)
        #expect(full.status == 0 && full.stdout.hasPrefix("ok: integrity_check, foreign keys"), "\(full)")
        // Bad shapes are one-line usage errors and write nothing.
        try rejected(["verify", "--full=yes"], db: db, codes: [64])
        try rejected(["verify", "--fast"], db: db, codes: [64])
        try rejected(["verify", "--full"], db: sb.path("missing.sqlite"), codes: [66], code: "database_missing")

        // Declare the posting index over other columns than it holds, as a bad tool might.
        try sqlite(
            db,
            """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = replace(sql, '(account', '(currency, account') WHERE name = 'posting_account';
            PRAGMA writable_schema = OFF;
            """)
        let findings = { (args: [String]) throws -> [String: String] in
            let r = run(args, db: db)
            #expect(r.status == 1 || (r.status == 0 && args == ["verify"]), "\(args): \(r)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let list = try #require(json["findings"] as? [[String: String]])
            return Dictionary(list.map { ($0["check"]!, $0["detail"]!) }, uniquingKeysWith: { $0 + "; " + $1 })
        }
        let detailed = try findings(["verify", "--full"])
        #expect(detailed["integrity"]?.contains("missing from index posting_account") == true, "\(detailed)")
        // quick_check does not compare indexes with their tables (the ledger's own checks may
        // still fail the file when they read through the index).
        #expect(try findings(["verify"])["integrity"] == nil)
    }

    @Test("a posting changed and an entry deleted behind the ledger's back: each invariant names what broke")
    func tamperedJournalIsNamed() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copyFile(into: sb)
        try promotionalGrant(db, id: "credgr_p")
        try subscribe(db, "cus_2", ["price_licence"], id: "sub_t")
        #expect(run(["verify"], db: db).status == 0)
        try sqlite(
            db,
            """
            DROP TRIGGER posting_no_update;
            UPDATE posting SET amountMinor = amountMinor + 1 WHERE account = 'liabilities:credits:credgr_p';
            DROP TRIGGER journalEntry_no_delete;
            DELETE FROM journalEntry WHERE sourceId = 'sub_t' OR sourceId IN (SELECT id FROM invoice WHERE subscriptionId = 'sub_t');
            """)
        let findings = try failedVerify(db)
        let checks = Dictionary(findings.map { ($0["check"]!, $0["detail"]!) }, uniquingKeysWith: { $0 + "; " + $1 })
        #expect(checks["trial_balance"] == "usd postings sum to 0.01 usd, not 0", "\(checks)")
        #expect(checks["entry_balanced"]?.hasPrefix("journal entry je_") == true, "\(checks)")
        #expect(checks["grant_liability"] == "grant credgr_p: liability 6.99 usd ≠ remaining 7.00 usd", "\(checks)")
        #expect(checks["entry_postings"]?.hasSuffix("postings have no entry") == true, "\(checks)")
    }

    /// Rows whose parent is gone are counted: events checked set-based per customer and meter,
    /// the other tables by SQLite's foreign key check (a price-scope row missing both parents
    /// is two violations).
    @Test func rowsOfMissingParentsAreCounted() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copyFile(into: sb)
        try recordEvent(db, "alpaca_ai_tokens", customer: "cus_1", value: "5", id: "e-orphan")
        try recordEvent(db, "alpaca_ai_tokens", customer: "cus_1", value: "6", id: "e-kept")
        let before = run(["verify"], db: db)
        #expect(before.status == 0, "\(before)")
        try sqlite(
            db,
            """
            DROP TRIGGER meterEvent_fixed;
            UPDATE meterEvent SET customerSeq = 99999 WHERE identifier = 'e-orphan';
            INSERT INTO creditGrantPrice (grantId, priceId) VALUES ('credgr_gone', 'price_gone');
            """)
        let findings = try failedVerify(db)
        #expect(
            findings.contains { $0["check"] == "foreign_keys" && $0["detail"] == "3 rows reference missing objects" },
            "\(findings)")
    }

    /// The sums a grant row keeps for reads (0009) are checked against its transactions.
    @Test func tamperedGrantTotalsAreNamed() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copyFile(into: sb)
        try promotionalGrant(db, id: "credgr_t")
        #expect(run(["verify"], db: db).status == 0)
        try sqlite(db, "UPDATE creditGrant SET totalApplied = totalApplied + 5 WHERE id = 'credgr_t'")
        let findings = try failedVerify(db)
        #expect(
            findings.contains {
                $0["check"] == "grant_totals"
                    && $0["detail"]
                        == "grant credgr_t: the sums it keeps (granted 700, applied 5, reinstated 0, expired 0, voided 0) ≠ its transactions' (700, 0, 0, 0, 0)"
            }, "\(findings)")
    }

    /// A promotional grant of 7.00 usd to `cus_1`, for metered prices.
    func promotionalGrant(_ db: String, id: String) throws {
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "700", "--currency", "usd", "--scope", "metered",
                "--category", "promotional", "--id", id,
            ], db: db)
    }

    /// The findings of a `verify` that must fail (exit 1).
    func failedVerify(_ db: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: String]] {
        let r = run(["verify"], db: db)
        #expect(r.status == 1, "\(r)", sourceLocation: sourceLocation)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try #require(json["findings"] as? [[String: String]])
    }
}
