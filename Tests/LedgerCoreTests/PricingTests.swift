import PropertyBased
import Testing

@testable import LedgerCore

/// Stripe's worked examples (SCENARIOS.md P5, P1, P3) priced without a database.
@Suite struct PricingTests {
    static func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    static func tier(_ upTo: Int64?, _ unit: String?, _ flat: String? = nil) -> PriceTier {
        PriceTier(upTo: upTo, unitAmount: unit.map(d), flatAmount: flat.map(d))
    }

    /// Tiers 1–5 at 7 USD, 6–10 at 6.50, 11+ at 6.
    static let stripeTiers = [tier(5, "700"), tier(10, "650"), tier(nil, "600")]
    /// 1–5: 5 + flat 10; 6–10: 4 + 20; 11–15: 3 + 30; 16–20: 2 + 40; 21+: 1 + 50 (USD).
    static let flatTiers = [
        tier(5, "500", "1000"), tier(10, "400", "2000"), tier(15, "300", "3000"),
        tier(20, "200", "4000"), tier(nil, "100", "5000"),
    ]

    func amount(_ scheme: PricingScheme, _ quantity: String) throws -> Int64 {
        try Pricing.quote(scheme, quantity: Self.d(quantity)).amount
    }

    @Test(arguments: [("5", Int64(3500)), ("6", 3900), ("20", 12000), ("25", 15000)])
    func volume(_ quantity: String, _ expected: Int64) throws {
        #expect(try amount(.tiered(mode: .volume, tiers: Self.stripeTiers), quantity) == expected)
    }

    @Test(arguments: [("6", Int64(4150)), ("20", 12750), ("25", 15750), ("5", 3500), ("1", 700)])
    func graduated(_ quantity: String, _ expected: Int64) throws {
        #expect(try amount(.tiered(mode: .graduated, tiers: Self.stripeTiers), quantity) == expected)
    }

    @Test func flatFees() throws {
        #expect(try amount(.tiered(mode: .volume, tiers: Self.flatTiers), "12") == 6600)
        #expect(try amount(.tiered(mode: .graduated, tiers: Self.flatTiers), "12") == 11100)
    }

    @Test(arguments: [TiersMode.volume, .graduated])
    func quantityZeroBillsTheFirstFlatAmount(_ mode: TiersMode) throws {
        #expect(try amount(.tiered(mode: mode, tiers: Self.flatTiers), "0") == 1000)
        #expect(try amount(.tiered(mode: mode, tiers: Self.stripeTiers), "0") == 0)
    }

    @Test func tierEdgesAreInclusive() throws {
        let volume = PricingScheme.tiered(mode: .volume, tiers: Self.stripeTiers)
        #expect(try amount(volume, "10") == 6500)
        #expect(
            try Pricing.quote(volume, quantity: Self.d("10.000000000001")).exactAmount.decimal
                == Self.d("6000.0000000006"))
        #expect(try Pricing.quote(volume, quantity: Self.d("10.5")).exactAmount.decimal == Self.d("6300"))
        #expect(try Pricing.quote(volume, quantity: Self.d("5.5")).exactAmount.decimal == Self.d("3575"))
    }

    @Test func fractionalQuantitiesInGraduatedTiers() throws {
        let scheme = PricingScheme.tiered(mode: .graduated, tiers: [Self.tier(2, "100"), Self.tier(nil, "10")])
        #expect(try Pricing.quote(scheme, quantity: Self.d("2.5")).exactAmount.decimal == Self.d("205"))
        #expect(try Pricing.quote(scheme, quantity: Self.d("1.25")).exactAmount.decimal == Self.d("125"))
    }

    @Test func perUnitDecimalRoundsOncePerLine() throws {
        let scheme = PricingScheme.perUnit(unitAmount: Self.d("0.05"), transform: nil)
        let q = try Pricing.quote(scheme, quantity: Self.d("30"))
        #expect(q.exactAmount.decimal == Self.d("1.5"))
        #expect(q.amount == 2)
        #expect(try amount(scheme, "10") == 1)
        #expect(try amount(scheme, "9") == 0)
        let tiny = PricingScheme.perUnit(unitAmount: Self.d("0.000000000001"), transform: nil)
        #expect(try amount(tiny, "1000000000000") == 1)
    }

    @Test(arguments: [("3000", Int64(120)), ("25", 4), ("101", 8), ("100", 4), ("0", 0), ("0.5", 4)])
    func packagesRoundUp(_ tokens: String, _ expected: Int64) throws {
        let scheme = PricingScheme.perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))
        #expect(try amount(scheme, tokens) == expected)
    }

    @Test func packagesRoundDown() throws {
        let scheme = PricingScheme.perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .down))
        #expect(try amount(scheme, "199") == 4)
        #expect(try amount(scheme, "99") == 0)
    }

    @Test(arguments: [("250000", Int64(15000)), ("100001", 0), ("100005", 1), ("100000", 0), ("0", 0)])
    func hypernianPro(_ tokens: String, _ expected: Int64) throws {
        let scheme = PricingScheme.tiered(mode: .graduated, tiers: [Self.tier(100_000, "0"), Self.tier(nil, "0.1")])
        #expect(try amount(scheme, tokens) == expected)
    }

    @Test func flatFeeAndOverages() throws {
        let scheme = PricingScheme.tiered(mode: .graduated, tiers: [Self.tier(1000, "0"), Self.tier(nil, "4")])
        #expect(try amount(scheme, "3000") == 8000)
        #expect(try amount(scheme, "800") == 0)
    }

    @Test func overflowIsAnError() throws {
        let scheme = PricingScheme.perUnit(unitAmount: ExactDecimal(.max), transform: nil)
        #expect(try amount(scheme, "1") == .max)
        #expect(throws: LedgerError.self) { try amount(scheme, "2") }
        #expect(throws: LedgerError.self) { try amount(scheme, "-1") }
    }

    // MARK: Every figure of `prices quote`

    /// A scheme and what it quotes: (quantity, amount, exact amount before rounding).
    struct QuoteFigures: Sendable, CustomTestStringConvertible {
        var name: String
        var scheme: PricingScheme
        var quotes: [(quantity: String, amount: Int64, exact: String)]
        var testDescription: String { name }
    }

    static func perUnit(_ amount: String, divideBy: Int64? = nil, round: TransformQuantity.Round = .up) -> PricingScheme
    {
        .perUnit(unitAmount: d(amount), transform: divideBy.map { .init(divideBy: $0, round: round) })
    }

    /// The quotes of SCENARIOS P1, P3 and P5 and the edges of quantities and unit amounts, each
    /// with the exact amount `prices quote` prints as `amount_decimal` (the binary keeps P1, P3 and
    /// P5, and one quote of each other flag it parses).
    static let quoteFigures: [QuoteFigures] = [
        QuoteFigures(
            name: "P5 volume: 1–5 at 700, 6–10 at 650, 11+ at 600", scheme: .tiered(mode: .volume, tiers: stripeTiers),
            quotes: [
                ("5", 3500, "3500"), ("6", 3900, "3900"), ("20", 12000, "12000"), ("25", 15000, "15000"),
                ("10", 6500, "6500"), ("11", 6600, "6600"),
            ]),
        QuoteFigures(
            name: "P5 graduated: 1–5 at 700, 6–10 at 650, 11+ at 600",
            scheme: .tiered(mode: .graduated, tiers: stripeTiers),
            quotes: [
                ("6", 4150, "4150"), ("20", 12750, "12750"), ("25", 15750, "15750"), ("5", 3500, "3500"), ("0", 0, "0"),
            ]),
        QuoteFigures(
            name: "P5 volume with flat fees", scheme: .tiered(mode: .volume, tiers: flatTiers),
            quotes: [("12", 6600, "6600"), ("0", 1000, "1000"), ("5", 3500, "3500"), ("21", 7100, "7100")]),
        QuoteFigures(
            name: "P5 graduated with flat fees", scheme: .tiered(mode: .graduated, tiers: flatTiers),
            quotes: [("12", 11100, "11100"), ("0", 1000, "1000"), ("5", 3500, "3500"), ("6", 5900, "5900")]),
        QuoteFigures(
            name: "P5 rounding: 0.05, half away from zero once per line", scheme: perUnit("0.05"),
            quotes: [("30", 2, "1.5"), ("10", 1, "0.5"), ("9", 0, "0.45")]),
        QuoteFigures(
            name: "P1 package: 4 per 100, round up", scheme: perUnit("4", divideBy: 100),
            quotes: [("3000", 120, "120"), ("25", 4, "4"), ("101", 8, "8"), ("100", 4, "4"), ("0", 0, "0")]),
        QuoteFigures(
            name: "package: 4 per 100, round down", scheme: perUnit("4", divideBy: 100, round: .down),
            quotes: [("199", 4, "4"), ("99", 0, "0"), ("200", 8, "8")]),
        QuoteFigures(
            name: "P3 graduated: 100,000 included, then 0.1 a token",
            scheme: .tiered(mode: .graduated, tiers: [tier(100_000, "0"), tier(nil, "0.1")]),
            quotes: [("250000", 15000, "15000"), ("100001", 0, "0.1"), ("100005", 1, "0.5"), ("100000", 0, "0")]),
        QuoteFigures(name: "150 a unit (jpy)", scheme: perUnit("150"), quotes: [("3", 450, "450")]),
        QuoteFigures(
            name: "1500 a unit (kwd)", scheme: perUnit("1500"), quotes: [("2", 3000, "3000"), ("0.5", 750, "750")]),
        QuoteFigures(
            name: "fractional quantity, graduated: up_to=2 at 100, inf at 10",
            scheme: .tiered(mode: .graduated, tiers: [tier(2, "100"), tier(nil, "10")]),
            quotes: [("2.5", 205, "205"), ("1.5", 150, "150"), ("2", 200, "200"), ("2.05", 201, "200.5")]),
        QuoteFigures(
            name: "fractional quantity, volume: a tier covers (previous up_to, up_to]",
            scheme: .tiered(mode: .volume, tiers: [tier(2, "100"), tier(nil, "10")]),
            quotes: [("2.5", 25, "25"), ("2", 200, "200"), ("2.000000000001", 20, "20.00000000001")]),
        QuoteFigures(
            name: "quantity limits: 15 significant digits, 12 decimals", scheme: perUnit("1"),
            quotes: [
                ("123456789012345", 123_456_789_012_345, "123456789012345"), ("0.000000000001", 0, "0.000000000001"),
            ]),
        QuoteFigures(
            name: "exact decimals: 0.1 × 150,000 is exactly 15,000", scheme: perUnit("0.1"),
            quotes: [("150000", 15000, "15000"), ("3", 0, "0.3")]),
        QuoteFigures(
            name: "a unit amount with 12 decimals × a 15-digit quantity, exactly", scheme: perUnit("0.000000000001"),
            quotes: [("123456789012345", 123, "123.456789012345"), ("500000000000", 1, "0.5")]),
        QuoteFigures(
            name: "the largest 64-bit amount still fits", scheme: perUnit("9223372036854775807"),
            quotes: [("1", .max, "9223372036854775807")]),
    ]

    @Test(arguments: quoteFigures)
    func quotes(_ figures: QuoteFigures) throws {
        for (quantity, amount, exact) in figures.quotes {
            let quote = try Pricing.quote(figures.scheme, quantity: Self.d(quantity))
            #expect(quote.amount == amount, "\(figures.name), quantity \(quantity)")
            #expect(quote.exactAmount.description == exact, "\(figures.name), quantity \(quantity)")
        }
    }

    // MARK: Properties

    /// Random valid tiers: increasing up_to, amounts of up to 6 digits with up to 3 decimals.
    static let tiersGen = zip(
        Gen.int(in: 1...1000).array(of: 1...6), Gen.int(in: 0...999_999).array(of: 6),
        Gen.int(in: 0...99_999).array(of: 6)
    ).map { input in
        let (steps, units, flats) = input
        var upTo: Int64 = 0
        return steps.indices.map { i -> PriceTier in
            upTo += Int64(steps[i])
            return PriceTier(
                upTo: i == steps.count - 1 ? nil : upTo,
                unitAmount: ExactDecimal(significand: Int128(units[i]), scale: i % 4),
                flatAmount: i % 2 == 0 ? ExactDecimal(Int64(flats[i])) : nil)
        }
    }

    static let quantityGen = Gen.int(in: 0...100_000_000).map { ExactDecimal(significand: Int128($0), scale: 3) }

    @Test func graduatedIsMonotoneInQuantity() async {
        await propertyCheck(count: 300, input: Self.tiersGen, Self.quantityGen, Self.quantityGen) { tiers, a, b in
            let scheme = PricingScheme.tiered(mode: .graduated, tiers: tiers)
            let low = try! Pricing.quote(scheme, quantity: min(a, b))
            let high = try! Pricing.quote(scheme, quantity: max(a, b))
            #expect(low.exactAmount.decimal! <= high.exactAmount.decimal!)
            #expect(low.amount <= high.amount)
        }
    }

    @Test func volumeAndGraduatedAgreeOnOneTier() async {
        await propertyCheck(count: 300, input: Self.tiersGen, Self.quantityGen) { tiers, quantity in
            let only = [PriceTier(upTo: nil, unitAmount: tiers[0].unitAmount, flatAmount: tiers[0].flatAmount)]
            let volume = try! Pricing.quote(.tiered(mode: .volume, tiers: only), quantity: quantity)
            let graduated = try! Pricing.quote(.tiered(mode: .graduated, tiers: only), quantity: quantity)
            #expect(volume == graduated)
        }
    }

    @Test func graduatedEqualsTheSumOfEachTiersUnits() async {
        // A reference written another way: walk the quantity tier by tier.
        await propertyCheck(count: 300, input: Self.tiersGen, Self.quantityGen) { tiers, quantity in
            var expected = ExactDecimal.zero
            var remaining = quantity
            var lower: Int64 = 0
            for (i, tier) in tiers.enumerated() {
                if i > 0 && remaining <= .zero { break }
                let width = tier.upTo.map { ExactDecimal($0 - lower) }
                let units = width.map { min($0, remaining) } ?? remaining
                expected = try! expected.adding(tier.flatAmount ?? .zero)
                    .adding((tier.unitAmount ?? .zero).multiplied(by: units))
                remaining = try! remaining.subtracting(units)
                lower = tier.upTo ?? lower
            }
            let actual = try! Pricing.quote(.tiered(mode: .graduated, tiers: tiers), quantity: quantity)
            #expect(actual.exactAmount.decimal == expected)
        }
    }
}
