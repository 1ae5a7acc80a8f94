import Foundation
import Testing

/// `balance --live`: beside the balance, the open periods' usage so far and the credit it would take.
@Suite struct LiveBalanceCLITests {
    @Test("balance --live: 3000 tokens so far would take 1.20 of a 5.00 grant; refused with --as-of, file unchanged")
    func live() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_l")
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "500", "--currency", "usd", "--category",
                "promotional", "--scope", "metered",
            ], db: db)
        try usage(db, "alpaca_ai_tokens", "cus_1", 3000, at: "2026-01-10T00:00:00Z", id: "e-1")
        let now = "2026-01-20T00:00:00Z"
        let json = try ok(["balance", "--customer", "cus_1", "--live"], db: db, now: now)
        let balance = try #require((json["balances"] as? [[String: Any]])?.first, "\(json)")
        func value(_ key: String) -> Int64? { int64(path(balance, "\(key).monetary.value")) }
        #expect(
            [
                value("available_balance"), value("unbilled_usage"), value("pending_credit"),
                value("available_after_usage"),
            ]
                == [500, 120, 120, 380], "\(json)")
        #expect(int64(json["latest_meter_event"]) == at("2026-01-10T00:00:00Z"), "\(json)")
        let human = run(["balance", "--customer", "cus_1", "--live"], db: db, now: now, json: false)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(
            humanRows(human.stdout).contains {
                $0.prefix(6) == ["usd", "5.00 usd", "5.00 usd", "1.20 usd", "1.20 usd", "3.80 usd"]
            }, "\(human.stdout)")
        #expect(human.stdout.contains("latest meter event: 2026-01-10T00:00:00Z"), "\(human.stdout)")
        // The plain balance has no live fields.
        let plain = try ok(["balance", "--customer", "cus_1"], db: db, now: now)
        #expect(plain["latest_meter_event"] == nil && path(plain, "balances.0.pending_credit") == nil, "\(plain)")
        for extra in [["--as-of", "2026-01-15T00:00:00Z"], ["--scope-price", "price_payg"], ["--accounts"]] {
            try rejected(
                ["balance", "--customer", "cus_1", "--live"] + extra, db: db, codes: [64, 65], code: "invalid_request",
                now: now)
        }
        try rejected(
            ["balance", "--customer", "cus_nope", "--live"], db: db, codes: [65], code: "resource_missing", now: now)
    }
}
