import Foundation
import Testing

/// One price built through `ledger prices create`, and what `ledger prices quote` must say for
/// each quantity (SPEC §1, §2.3; SCENARIOS P1, P3, P5). The pricing itself is LedgerCore's, and
/// every figure below, with those the binary no longer asks, is in LedgerCoreTests'
/// `PricingTests.quotes`; here the scenarios keep all their quotes, and every other case one quote
/// that shows its flags parsed and its quantity and exact amount printed.
struct QuoteCase: Sendable, CustomTestStringConvertible {
    struct Expected: Sendable {
        var quantity: String
        var amount: Int64
        /// The exact amount before rounding, in minor units, canonical text.
        var exact: String
    }

    var name: String
    /// Flags after `prices create --product prod_q --id price_q`.
    var flags: [String]
    var currency: String
    var quotes: [Expected]

    var testDescription: String { name }

    static func q(_ quantity: String, _ amount: Int64, _ exact: String? = nil) -> Expected {
        Expected(quantity: quantity, amount: amount, exact: exact ?? String(amount))
    }

    static func tiered(_ mode: String, _ tiers: [String]) -> [String] {
        ["--currency", "usd", "--billing-scheme", "tiered", "--tiers-mode", mode]
            + tiers.flatMap { ["--tier", $0] }
    }

    /// Stripe's tiers: 1–5 at 700, 6–10 at 650, 11+ at 600.
    static let stripeTiers = ["up_to=5,unit_amount=700", "up_to=10,unit_amount=650", "up_to=inf,unit_amount=600"]
    /// Stripe's tiers with flat fees: 1–5: 500 + 1000; 6–10: 400 + 2000; 11–15: 300 + 3000;
    /// 16–20: 200 + 4000; 21+: 100 + 5000.
    static let flatTiers = [
        "up_to=5,unit_amount=500,flat_amount=1000", "up_to=10,unit_amount=400,flat_amount=2000",
        "up_to=15,unit_amount=300,flat_amount=3000", "up_to=20,unit_amount=200,flat_amount=4000",
        "up_to=inf,unit_amount=100,flat_amount=5000",
    ]

    static let all: [QuoteCase] = [
        QuoteCase(
            name: "P5 volume: 1–5 at 700, 6–10 at 650, 11+ at 600",
            flags: tiered("volume", stripeTiers), currency: "usd",
            quotes: [q("5", 3500), q("6", 3900), q("20", 12000), q("25", 15000), q("10", 6500), q("11", 6600)]),
        QuoteCase(
            name: "P5 graduated: 1–5 at 700, 6–10 at 650, 11+ at 600",
            flags: tiered("graduated", stripeTiers), currency: "usd",
            quotes: [q("6", 4150), q("20", 12750), q("25", 15750), q("5", 3500), q("0", 0)]),
        QuoteCase(
            name: "P5 volume with flat fees",
            flags: tiered("volume", flatTiers), currency: "usd",
            // 12 → 12 × 300 + 3000; 0 → first tier's flat; 5 → 5 × 500 + 1000; 21 → 21 × 100 + 5000.
            quotes: [q("12", 6600), q("0", 1000), q("5", 3500), q("21", 7100)]),
        QuoteCase(
            name: "P5 graduated with flat fees",
            flags: tiered("graduated", flatTiers), currency: "usd",
            // 12 → (2500 + 1000) + (2000 + 2000) + (600 + 3000).
            quotes: [q("12", 11100), q("0", 1000), q("5", 3500), q("6", 5900)]),
        QuoteCase(
            name: "P5 rounding: unit_amount_decimal 0.05, half away from zero once per line",
            flags: ["--currency", "usd", "--unit-amount-decimal", "0.05"], currency: "usd",
            quotes: [q("30", 2, "1.5"), q("10", 1, "0.5"), q("9", 0, "0.45")]),
        QuoteCase(
            name: "P1 package: 4 per 100, round up",
            flags: ["--currency", "usd", "--unit-amount", "4", "--divide-by", "100", "--round", "up"],
            currency: "usd",
            quotes: [q("3000", 120), q("25", 4), q("101", 8), q("100", 4), q("0", 0)]),
        QuoteCase(
            name: "package: 4 per 100, round down",
            flags: ["--currency", "usd", "--unit-amount", "4", "--divide-by", "100", "--round", "down"],
            currency: "usd",
            quotes: [q("199", 4)]),
        QuoteCase(
            name: "P3 graduated: 100,000 included, then 0.1 a token",
            flags: tiered("graduated", ["up_to=100000,unit_amount_decimal=0", "up_to=inf,unit_amount_decimal=0.1"]),
            currency: "usd",
            quotes: [q("250000", 15000), q("100001", 0, "0.1"), q("100005", 1, "0.5"), q("100000", 0)]),
        QuoteCase(
            name: "jpy (exponent 0), code given uppercase",
            flags: ["--currency", "JPY", "--unit-amount", "150"], currency: "jpy",
            quotes: [q("3", 450)]),
        QuoteCase(
            name: "kwd (exponent 3)",
            flags: ["--currency", "KWD", "--unit-amount", "1500"], currency: "kwd",
            quotes: [q("0.5", 750)]),
        QuoteCase(
            name: "fractional quantity, graduated: up_to=2 at 100, inf at 10",
            flags: tiered("graduated", ["up_to=2,unit_amount=100", "up_to=inf,unit_amount=10"]), currency: "usd",
            quotes: [q("2.05", 201, "200.5")]),
        QuoteCase(
            name: "fractional quantity, volume: a tier covers (previous up_to, up_to]",
            flags: tiered("volume", ["up_to=2,unit_amount=100", "up_to=inf,unit_amount=10"]), currency: "usd",
            quotes: [q("2.000000000001", 20, "20.00000000001")]),
        QuoteCase(
            name: "quantity limits: 15 significant digits, 12 decimals",
            flags: ["--currency", "usd", "--unit-amount", "1"], currency: "usd",
            quotes: [q("123456789012345", 123_456_789_012_345), q("0.000000000001", 0, "0.000000000001")]),
        QuoteCase(
            name: "exact decimals: 0.1 × 150,000 is exactly 15,000",
            flags: ["--currency", "usd", "--unit-amount-decimal", "0.1"], currency: "usd",
            quotes: [q("3", 0, "0.3")]),
        QuoteCase(
            name: "unit_amount_decimal with 12 decimals × a 15-digit quantity, exactly",
            flags: ["--currency", "usd", "--unit-amount-decimal", "0.000000000001"], currency: "usd",
            quotes: [q("123456789012345", 123, "123.456789012345")]),
        QuoteCase(
            name: "the largest 64-bit amount still fits",
            flags: ["--currency", "usd", "--unit-amount", "9223372036854775807"], currency: "usd",
            quotes: [q("1", Int64.max)]),
    ]
}

@Suite("prices quote through the binary")
struct QuoteTests {
    @Test(arguments: QuoteCase.all)
    func quote(_ c: QuoteCase) throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_q", "--name", "Quoted"], db: sb.db)
        let price = try ok(["prices", "create", "--product", "prod_q", "--id", "price_q"] + c.flags, db: sb.db)
        #expect(price["id"] as? String == "price_q")
        #expect(price["currency"] as? String == c.currency)
        for expected in c.quotes {
            let quote = try ok(["prices", "quote", "price_q", "--quantity", expected.quantity], db: sb.db)
            let label = "\(c.name), quantity \(expected.quantity): \(canonical(quote))"
            #expect(quote["object"] as? String == "price_quote", "\(label)")
            #expect(quote["price"] as? String == "price_q", "\(label)")
            #expect(quote["currency"] as? String == c.currency, "\(label)")
            #expect(quote["quantity_decimal"] as? String == expected.quantity, "\(label)")
            #expect(int64(quote["amount"]) == expected.amount, "\(label)")
            #expect(quote["amount_decimal"] as? String == expected.exact, "\(label)")
        }
    }

    /// The human output shows the amount in major units with the currency's exponent, the integer
    /// part grouped by thousands, and the lowercase code (every currency's figures are in
    /// LedgerCoreTests' `MoneyFormatTests.quotedAmounts`).
    @Test(
        "human quote shows the currency's exponent: usd 2, jpy 0, kwd 3, …",
        arguments: [
            ("usd", "120", "1.20"), ("jpy", "450", "450"), ("kwd", "12000000", "12,000.000"),
        ])
    func humanExponent(currency: String, amount: String, major: String) throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_q", "--name", "Quoted"], db: sb.db)
        try ok(
            [
                "prices", "create", "--product", "prod_q", "--id", "price_q", "--currency", currency, "--unit-amount",
                amount,
            ],
            db: sb.db)
        let r = run(["prices", "quote", "price_q", "--quantity", "1"], db: sb.db, json: false)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(humanField("amount", in: r.stdout) == "\(major) \(currency)", "\(r.stdout)")
        #expect(humanField("exact amount", in: r.stdout) == "\(major) \(currency)", "\(r.stdout)")
    }

    /// The quote is a read: the file is byte-identical afterwards, and the same quantity gives
    /// the same figures each time.
    @Test func quoteWritesNothing() throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_q", "--name", "Quoted"], db: sb.db)
        try ok(
            [
                "prices", "create", "--product", "prod_q", "--id", "price_q", "--currency", "usd",
                "--unit-amount", "4", "--divide-by", "100", "--round", "up",
            ],
            db: sb.db)
        let before = DatabaseSnapshot(sb.db)
        let first = try ok(["prices", "quote", "price_q", "--quantity", "3000"], db: sb.db)
        let second = try ok(["prices", "quote", "price_q", "--quantity", "3000"], db: sb.db)
        #expect(DatabaseSnapshot(sb.db) == before)
        #expect(int64(first["amount"]) == 120)
        #expect(canonical(first) == canonical(second))
    }
}
