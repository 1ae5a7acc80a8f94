import Testing

@testable import LedgerCore

@Suite struct PriceValidationTests {
    static let usd = try! Currency(code: "usd")

    func price(
        kind: Price.Kind = .recurring,
        recurring: Price.Recurring? = .init(interval: .month, intervalCount: 1, usageType: .licensed, meter: nil),
        scheme: PricingScheme = .perUnit(unitAmount: ExactDecimal(100), transform: nil),
        lookupKey: String? = nil, metadata: [String: String] = [:]
    ) -> Price {
        Price(
            id: .init("price_1"), product: .init("prod_1"), currency: Self.usd, active: true,
            lookupKey: lookupKey, nickname: nil, kind: kind, recurring: recurring, scheme: scheme,
            metadata: metadata, created: 0)
    }

    func code(_ price: Price) -> LedgerError.Code? {
        do {
            try price.validate()
            return nil
        } catch let error as LedgerError {
            return error.code
        } catch {
            return nil
        }
    }

    static func tier(_ upTo: Int64?, _ unit: Int64?, _ flat: Int64? = nil) -> PriceTier {
        PriceTier(upTo: upTo, unitAmount: unit.map { ExactDecimal($0) }, flatAmount: flat.map { ExactDecimal($0) })
    }

    @Test func validPricesPass() {
        #expect(code(price()) == nil)
        #expect(code(price(kind: .oneTime, recurring: nil)) == nil)
        #expect(
            code(price(scheme: .tiered(mode: .graduated, tiers: [Self.tier(10, 1), Self.tier(nil, nil, 5)]))) == nil)
        #expect(
            code(price(recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: "mtr_1")))
                == nil)
    }

    @Test(arguments: [
        (Price.Interval.day, 1095), (.week, 156), (.month, 36), (.year, 3),
    ])
    func intervalCountAtMostThreeYears(_ interval: Price.Interval, _ max: Int) {
        let at = Price.Recurring(interval: interval, intervalCount: max, usageType: .licensed, meter: nil)
        let over = Price.Recurring(interval: interval, intervalCount: max + 1, usageType: .licensed, meter: nil)
        let zero = Price.Recurring(interval: interval, intervalCount: 0, usageType: .licensed, meter: nil)
        #expect(code(price(recurring: at)) == nil)
        #expect(code(price(recurring: over)) == .invalidRequest)
        #expect(code(price(recurring: zero)) == .invalidRequest)
    }

    @Test func recurringTermsMatchTheType() {
        #expect(code(price(kind: .recurring, recurring: nil)) == .invalidRequest)
        #expect(code(price(kind: .oneTime)) == .invalidRequest)
        #expect(
            code(price(recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: nil)))
                == .invalidRequest)
        #expect(
            code(price(recurring: .init(interval: .month, intervalCount: 1, usageType: .licensed, meter: "mtr_1")))
                == .invalidRequest)
    }

    @Test func tiersMustBeOrderedEndInInfAndCarryAnAmount() {
        func tiered(_ tiers: [PriceTier]) -> LedgerError.Code? {
            code(price(scheme: .tiered(mode: .volume, tiers: tiers)))
        }
        #expect(tiered([]) == .invalidTiers)
        #expect(tiered([Self.tier(10, 1), Self.tier(5, 1), Self.tier(nil, 1)]) == .invalidTiers)
        #expect(tiered([Self.tier(10, 1), Self.tier(10, 1), Self.tier(nil, 1)]) == .invalidTiers)
        #expect(tiered([Self.tier(10, 1), Self.tier(20, 1)]) == .invalidTiers)
        #expect(tiered([Self.tier(nil, 1), Self.tier(20, 1)]) == .invalidTiers)
        #expect(tiered([Self.tier(10, nil, nil), Self.tier(nil, 1)]) == .invalidTiers)
        #expect(tiered([Self.tier(10, 1), Self.tier(nil, -1)]) == .invalidAmount)
        let many = (1...250).map { Self.tier($0 == 250 ? nil : Int64($0), 1) }
        #expect(tiered(many) == nil)
        #expect(tiered(many.dropLast() + [Self.tier(250, 1), Self.tier(nil, 1)]) == .invalidTiers)
    }

    @Test func metadataLimits() {
        let fifty = Dictionary(uniqueKeysWithValues: (1...50).map { ("k\($0)", "v") })
        #expect(code(price(metadata: fifty)) == nil)
        #expect(code(price(metadata: fifty.merging(["k51": "v"]) { a, _ in a })) == .invalidMetadata)
        #expect(code(price(metadata: [String(repeating: "k", count: 40): "v"])) == nil)
        #expect(code(price(metadata: [String(repeating: "k", count: 41): "v"])) == .invalidMetadata)
        #expect(code(price(metadata: ["k": String(repeating: "v", count: 500)])) == nil)
        #expect(code(price(metadata: ["k": String(repeating: "v", count: 501)])) == .invalidMetadata)
    }

    @Test func lookupKeyLength() {
        #expect(code(price(lookupKey: String(repeating: "a", count: 200))) == nil)
        #expect(code(price(lookupKey: String(repeating: "a", count: 201))) == .invalidRequest)
        #expect(code(price(lookupKey: "")) == .invalidRequest)
    }
}
