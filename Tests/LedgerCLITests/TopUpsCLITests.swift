import Foundation
import Testing

/// `ledger top-ups`: one top-up per crossing with 8 processes billing at once; refusals change nothing.
@Suite struct TopUpsCLITests {
    static let customers = (0..<12).map { "cus_t\($0)" }

    /// Each customer: `price_payg` (4 cents per 100 tokens), a 10.00 promotional grant and a rule
    /// topping up 10.00 for 9.00 when the balance is 2.00 or less.
    func world() throws -> (Sandbox, String) {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        for customer in Self.customers {
            try ok(["customers", "create", "--id", customer, "--name", customer], db: db)
            try subscribe(db, customer, ["price_payg"], id: "sub_\(customer)")
            try ok(
                [
                    "grants", "create", "--customer", customer, "--amount", "1000", "--currency", "usd", "--category",
                    "promotional", "--scope", "metered",
                ], db: db)
            try ok(
                [
                    "top-ups", "create", "--customer", customer, "--currency", "usd", "--threshold", "200",
                    "--amount", "1000", "--cost-basis", "900", "--scope", "metered", "--id", "ctopup_\(customer)",
                ], db: db)
        }
        return (sb, db)
    }

    /// `tokens` of usage for every customer at `at`, imported in one command.
    func usageForAll(_ db: String, tokens: Int, at instant: String, tag: String) throws {
        let seconds = at(instant)
        let lines = Self.customers.map { customer in
            "{\"event_name\": \"alpaca_ai_tokens\", \"customer\": \"\(customer)\", \"value\": \"\(tokens)\", \"timestamp\": \(seconds), \"identifier\": \"\(tag)-\(customer)\"}"
        }
        try ok(["events", "import", "-"], db: db, now: instant, stdin: lines.joined(separator: "\n") + "\n")
    }

    /// Eight `ledger bill` processes started together at `now`; each exits 0.
    func billAtOnce(_ sb: Sandbox, _ db: String, now: String) throws {
        let bills = try (0..<8).map { n in
            try LedgerProcess(sb, "bill-\(now)-\(n)", db: db, now: now, arguments: ["bill"])
        }
        for bill in bills { try bill.process.run() }
        for bill in bills { bill.process.waitUntilExit() }
        for (n, bill) in bills.enumerated() {
            #expect(bill.process.terminationStatus == 0, "bill \(n): \(bill.stderr)")
        }
    }

    @Test("8 processes billing 12 customers at once, twice: exactly one top-up per crossing, 24 in all")
    func eightProcesses() throws {
        let (sb, db) = try world()
        try usageForAll(db, tokens: 22500, at: "2026-01-15T00:00:00Z", tag: "jan")  // 9.00 each
        try billAtOnce(sb, db, now: "2026-02-01T02:00:00Z")
        try usageForAll(db, tokens: 25000, at: "2026-02-15T00:00:00Z", tag: "feb")  // 10.00 each
        try billAtOnce(sb, db, now: "2026-03-01T02:00:00Z")
        let now = "2026-03-01T02:00:00Z"
        for customer in Self.customers {
            let rule = try ok(["top-ups", "show", "ctopup_\(customer)"], db: db, now: now)
            let made = rule["top_ups"] as? [[String: Any]] ?? []
            #expect(
                made.map { int64($0["crossed_at"]) ?? 0 } == [at("2026-02-01T01:00:00Z"), at("2026-03-01T01:00:00Z")],
                "\(customer): \(made)")
            #expect(made.allSatisfy { int64($0["balance"]) == 100 && $0["status"] as? String == "granted" })
            let balance = try ok(["balance", "--customer", customer], db: db, now: now)
            #expect(int64(path(balance, "balances.0.available_balance.monetary.value")) == Int64(1100), "\(customer)")
            let funding = try invoiceList(db, ["--customer", customer], now: now).filter {
                $0["billing_reason"] as? String == "manual"
            }
            #expect(funding.map { int64($0["total"]) ?? 0 } == [900, 900], "\(customer)")
        }
        let verify = run(["verify"], db: db, now: now)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test("grant on payment: the credit comes with the payment; void disables the rule; refusals, file unchanged")
    func paymentAndRefusals() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_a")
        let rule = try ok(
            [
                "top-ups", "create", "--customer", "cus_1", "--currency", "usd", "--threshold", "0", "--target",
                "500", "--grant-on", "payment", "--scope", "metered", "--id", "ctopup_1",
            ], db: db)
        // Created at a balance of 0: a top-up at once, waiting for its payment.
        let made = try #require((rule["top_ups"] as? [[String: Any]])?.first)
        #expect(made["status"] as? String == "pending" && int64(made["amount"]) == 500, "\(rule)")
        #expect(int64(path(rule, "target.monetary.value")) == 500 && rule["grant_on"] as? String == "payment")
        let invoice = try #require(made["invoice"] as? String)
        let balance = { (now: String) throws -> Int64? in
            int64(
                path(
                    try ok(["balance", "--customer", "cus_1"], db: db, now: now),
                    "balances.0.ledger_balance.monetary.value"))
        }
        #expect(try balance(defaultNow) ?? 0 == 0)
        try ok(["invoices", "pay", invoice], db: db, now: "2026-01-02T00:00:00Z")
        #expect(try balance("2026-01-02T00:00:00Z") == Int64(500))
        let paid = try ok(["top-ups", "show", "ctopup_1"], db: db, now: "2026-01-02T00:00:00Z")
        #expect(path(paid, "top_ups.0.status") as? String == "granted", "\(paid)")

        try ok(
            [
                "top-ups", "create", "--customer", "cus_2", "--currency", "usd", "--threshold", "0", "--amount", "500",
                "--grant-on", "payment", "--scope", "metered", "--id", "ctopup_2",
            ], db: db, now: "2026-01-02T00:00:00Z")
        let second = try ok(["top-ups", "show", "ctopup_2"], db: db, now: "2026-01-02T00:00:00Z")
        let secondInvoice = try #require(path(second, "top_ups.0.invoice") as? String)
        try ok(["invoices", "void", secondInvoice], db: db, now: "2026-01-02T00:00:00Z")
        let disabled = try ok(["top-ups", "show", "ctopup_2"], db: db, now: "2026-01-02T00:00:00Z")
        #expect(disabled["status"] as? String == "disabled", "\(disabled)")
        #expect(disabled["disabled_reason"] as? String == "funding invoice \(secondInvoice) was voided")
        #expect(path(disabled, "top_ups.0.status") as? String == "canceled")
        let listed = run(["top-ups", "list"], db: db, now: "2026-01-02T00:00:00Z", json: false)
        #expect(listed.status == 0 && listed.stdout.contains("to 5.00 usd"), "\(listed.stdout)")

        let now = "2026-01-02T00:00:00Z"
        let base = ["top-ups", "create", "--customer", "cus_3", "--currency", "usd", "--scope", "metered"]
        try rejected(
            base + ["--threshold", "-1", "--amount", "5"], db: db, codes: [65], code: "invalid_amount", now: now)
        try rejected(
            base + ["--threshold", "10", "--target", "10"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(
            base + ["--threshold", "10", "--amount", "5", "--target", "50"], db: db, codes: [64, 65],
            code: "invalid_request", now: now)
        try rejected(base + ["--threshold", "10"], db: db, codes: [64, 65], code: "invalid_request", now: now)
        try rejected(
            base + ["--threshold", "10", "--target", "50", "--cost-basis", "40"], db: db, codes: [65],
            code: "invalid_request", now: now)
        try rejected(
            base + ["--threshold", "10", "--amount", "50", "--expires-after-days", "0"], db: db, codes: [65],
            code: "invalid_request", now: now)
        try rejected(
            base + ["--threshold", "10", "--amount", "50", "--max-per-month", "0"], db: db, codes: [65],
            code: "invalid_request", now: now)
        try rejected(
            base + ["--threshold", "10", "--amount", "50", "--grant-on", "later"], db: db, codes: [64, 65],
            code: "invalid_request", now: now)
        try rejected(
            [
                "top-ups", "create", "--customer", "cus_nope", "--currency", "usd", "--scope", "metered", "--threshold",
                "1", "--amount", "5",
            ], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(
            base + ["--threshold", "1", "--amount", "5", "--id", "ctopup_1"], db: db, codes: [65],
            code: "resource_already_exists", now: now)
        try rejected(["top-ups", "show", "ctopup_nope"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(["top-ups", "disable", "ctopup_nope"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(["top-ups", "list", "--status", "active"], db: db, codes: [64], code: "invalid_usage", now: now)
        let off = try ok(["top-ups", "disable", "ctopup_1"], db: db, now: now)
        #expect(off["status"] as? String == "disabled" && off["disabled_reason"] as? String == "disabled on request")
    }
}
