import Foundation
import Testing

/// `ledger alerts`: a credit balance alert's crossings in the event feed; refusals change nothing.
@Suite struct AlertsCLITests {
    @Test("alerts create|show|list|archive; crossings in events-feed at their instants; refusals, file unchanged")
    func alerts() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_a")
        let alert = try ok(
            [
                "alerts", "create", "--customer", "cus_1", "--type", "credit_balance_threshold", "--lte", "100",
                "--currency", "usd", "--title", "Low credit", "--id", "alrt_1",
            ], db: db)
        #expect(alert["object"] as? String == "billing.alert" && alert["triggered"] as? Bool == true, "\(alert)")
        #expect(int64(path(alert, "credit_balance_threshold.lte.monetary.value")) == 100, "\(alert)")
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "300", "--currency", "usd", "--category",
                "promotional", "--scope", "metered", "--effective-at", "2026-01-03T00:00:00Z",
            ], db: db, now: "2026-01-02T00:00:00Z")
        try usage(db, "alpaca_ai_tokens", "cus_1", 6000, at: "2026-01-10T00:00:00Z", id: "e-1")  // 2.40
        try bill(db, now: "2026-02-01T01:00:00Z", created: 1, finalized: 1)
        let crossings = try listData(
            ["events-feed", "list", "--type", "billing.alert.triggered", "--type", "billing.alert.recovered"], db,
            now: "2026-02-01T01:00:00Z")
        let seen = crossings.map {
            "\($0["type"] as? String ?? "?") \(int64($0["created"]) ?? 0) \(int64(path($0, "data.object.value")) ?? -1)"
        }
        #expect(
            seen == [
                "billing.alert.triggered \(at("2026-01-01T00:00:00Z")) 0",
                "billing.alert.recovered \(at("2026-01-03T00:00:00Z")) 300",
                "billing.alert.triggered \(at("2026-02-01T01:00:00Z")) 60",
            ], "\(seen)")
        let shown = try ok(["alerts", "show", "alrt_1"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(shown["triggered"] as? Bool == true && shown["title"] as? String == "Low credit", "\(shown)")
        let archived = try ok(["alerts", "archive", "alrt_1"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(archived["status"] as? String == "archived", "\(archived)")
        #expect(try listData(["alerts", "list", "--customer", "cus_1"], db, now: "2026-02-01T01:00:00Z").count == 1)
        let human = run(["alerts", "list"], db: db, now: "2026-02-01T01:00:00Z", json: false)
        #expect(human.status == 0 && human.stdout.contains("1.00 usd"), "\(human.stdout)")

        let base = ["alerts", "create", "--customer", "cus_1", "--currency", "usd"]
        let now = "2026-02-01T01:00:00Z"
        try rejected(base + ["--lte", "-1"], db: db, codes: [65], code: "invalid_amount", now: now)
        try rejected(
            ["alerts", "create", "--customer", "cus_nope", "--currency", "usd", "--lte", "1"], db: db, codes: [65],
            code: "resource_missing", now: now)
        try rejected(
            ["alerts", "create", "--customer", "cus_1", "--currency", "xyz", "--lte", "1"], db: db, codes: [65],
            code: "invalid_currency", now: now)
        try rejected(
            base + ["--lte", "1", "--type", "usage_threshold"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(
            base + ["--lte", "1", "--id", "alrt_1"], db: db, codes: [65], code: "resource_already_exists", now: now)
        try rejected(["alerts", "show", "alrt_nope"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(["alerts", "archive", "alrt_nope"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(["alerts", "list", "--status", "active"], db: db, codes: [64], code: "invalid_usage", now: now)
        try rejected(
            ["alerts", "create", "--customer", "cus_1"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(["alerts", "create"], db: db, codes: [64], code: "invalid_usage", now: now)
        // usage_threshold: --meter and --gte, nothing of a balance's.
        let usage = ["alerts", "create", "--customer", "cus_1", "--type", "usage_threshold"]
        try rejected(usage + ["--meter", "mtr_alpaca"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(
            usage + ["--meter", "mtr_alpaca", "--gte", "10", "--currency", "usd"], db: db, codes: [65],
            code: "invalid_request", now: now)
        try rejected(
            usage + ["--meter", "mtr_nope", "--gte", "10"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(
            usage + ["--meter", "mtr_alpaca", "--gte", "0"], db: db, codes: [65], code: "invalid_quantity", now: now)
        try rejected(
            usage + ["--meter", "mtr_alpaca", "--gte", "ten"], db: db, codes: [65], code: "invalid_quantity", now: now)
        try rejected(
            usage + ["--meter", "mtr_alpaca", "--gte", "10", "--recurrence", "weekly"], db: db, codes: [64, 65],
            code: "invalid_request", now: now)
        // A per-period usage alert on the fixture's subscription: 6000 tokens this period already.
        let watched = try ok(usage + ["--meter", "mtr_alpaca", "--gte", "5000", "--id", "alrt_u"], db: db, now: now)
        #expect(watched["alert_type"] as? String == "usage_threshold" && watched["credit_balance_threshold"] is NSNull)
        #expect(path(watched, "usage_threshold.meter") as? String == "mtr_alpaca")
        #expect(path(watched, "usage_threshold.recurrence") as? String == "per_period")
        #expect(int64(path(watched, "usage_threshold.gte")) == 5000, "\(watched)")
    }
}
