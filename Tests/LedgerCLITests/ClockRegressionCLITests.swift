import Foundation
import Testing

/// A clock that goes back once must not spend a grant's credit twice: an expiry before an
/// application already made is `clock_regression`, and when regression is allowed the expiry
/// takes only what the application left.
@Suite struct ClockRegressionCLITests {
    /// cus_1 on `price_m1` (1 cent a token), a 100-cent promotional grant, 80 tokens in January,
    /// billed at the finalization instant T = 2026-02-01T01:00:00Z: 80 applied, 20 remaining.
    func appliedAtT(_ sb: Sandbox) throws -> String {
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_m1"], id: "sub_1")
        try ok(
            [
                "grants", "create", "--id", "credgr_x", "--customer", "cus_1", "--amount", "100", "--currency", "usd",
                "--category", "promotional", "--scope", "metered",
            ], db: db)
        try usage(db, "a_tokens", "cus_1", 80, id: "e-1")
        try bill(db, now: "2026-02-01T01:00:00Z", created: 1, finalized: 1)
        let invoice = try #require(try invoiceList(db, now: "2026-02-01T01:00:00Z").last)
        #expect(int64(invoice["amount_due"]) == 0, "\(invoice)")
        try expectGrant(db, applied: 80, expired: 0, remaining: 20)
        return db
    }

    func expectGrant(
        _ db: String, applied: Int64, expired: Int64, remaining: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = run(["grants", "show", "credgr_x"], db: db, now: "2026-02-01T01:00:00Z", json: false)
        #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
        #expect(
            humanField("applied", in: r.stdout) == "0.\(applied) usd", "\(r.stdout)", sourceLocation: sourceLocation)
        #expect(
            humanField("expired", in: r.stdout) == String(format: "0.%02lld usd", expired), "\(r.stdout)",
            sourceLocation: sourceLocation)
        #expect(
            humanField("remaining", in: r.stdout) == String(format: "0.%02lld usd", remaining), "\(r.stdout)",
            sourceLocation: sourceLocation)
    }

    @Test("grants expire under --now T-1 after an application at T is clock_regression; the balance is intact")
    func expiryBeforeAnApplicationIsRefused() throws {
        let sb = try Sandbox()
        let db = try appliedAtT(sb)
        let r = try rejected(
            ["grants", "expire", "credgr_x"], db: db, codes: [65], code: "clock_regression",
            now: "2026-02-01T00:59:59Z")
        #expect(
            r.stderr
                == "error: clock_regression: --now (now): now (2026-02-01T00:59:59Z) is before 2026-02-01T01:00:00Z, the latest instant this ledger has already processed; the clock only moves forward\n"
        )
        try expectGrant(db, applied: 80, expired: 0, remaining: 20)
        #expect(run(["verify"], db: db, now: "2026-02-01T01:00:00Z").status == 0)
    }

    @Test("with --allow-clock-regression the expiry at T-1 takes only the 20 the application left, never -80")
    func allowedRegressionNeverSpendsTwice() throws {
        let sb = try Sandbox()
        let db = try appliedAtT(sb)
        let r = LedgerBinary.execute([
            "--db", db, "--now", "2026-02-01T00:59:59Z", "--allow-clock-regression", "--json", "grants", "expire",
            "credgr_x",
        ])
        #expect(r.status == 0, "\(r)")
        try expectGrant(db, applied: 80, expired: 20, remaining: 0)
        let balance = try ok(["balance", "--customer", "cus_1"], db: db, now: "2026-02-01T01:00:00Z")
        let first = try #require((balance["balances"] as? [[String: Any]])?.first, "\(balance)")
        let ledger = (first["ledger_balance"] as? [String: Any])?["monetary"] as? [String: Any]
        #expect(int64(ledger?["value"]) == 0, "\(balance)")
        let verify = run(["verify"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(verify.status == 0, "\(verify)")
    }
}
