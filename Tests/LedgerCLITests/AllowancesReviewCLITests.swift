import Foundation
import Testing

/// An allowance's amount is capped (10^15 minor units) so that its grants open at once sum within
/// 64 bits; two grants that do not (created directly) make `balance` refuse, never crash.
@Suite struct AllowancesReviewCLITests {
    @Test func aHugeAllowanceNeverCrashesBillOrBalance() throws {
        let sb = try Sandbox()
        _ = sb
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_a")
        try rejected(
            [
                "allowances", "create", "--subscription", "sub_a", "--amount", "9223372036854775807", "--scope",
                "metered",
            ],
            db: db, codes: [65], code: "invalid_amount")
        try ok(
            [
                "allowances", "create", "--subscription", "sub_a", "--amount", "1000000000000000", "--scope", "metered",
                "--id", "calw_1",
            ],
            db: db)
        let now = "2026-02-01T00:30:00Z"  // January's grant open (its invoice is a draft), February's issued
        let billed = run(["bill"], db: db, now: now)
        #expect(billed.status == 0, "bill: \(billed.status) \(billed.stderr)")
        let balance = run(["balance", "--customer", "cus_1"], db: db, now: now)
        #expect(balance.status == 0, "balance: exit \(balance.status) \(balance.stderr.prefix(600))")
        let verify = run(["verify"], db: db, now: now)
        #expect(
            verify.status == 0,
            "verify: exit \(verify.status) \(verify.stderr.suffix(300)) \(verify.stdout.prefix(300))")
        // Two grants created directly whose sum does not fit: amount_overflow, one line.
        for n in 1...2 {
            try ok(
                [
                    "grants", "create", "--customer", "cus_2", "--amount", "9223372036854775807", "--currency", "usd",
                    "--category", "promotional", "--scope", "metered", "--id", "credgr_huge\(n)",
                ], db: db, now: now)
        }
        try rejected(["balance", "--customer", "cus_2"], db: db, codes: [65], code: "amount_overflow", now: now)
    }
}
