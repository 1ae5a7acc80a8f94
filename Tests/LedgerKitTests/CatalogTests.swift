import Foundation
import Testing

@testable import LedgerKit

@Suite struct CatalogTests {
    let ledger = try! TestBackend.ledger(clock: fixedClock(jan1))
    let usd = try! Currency(code: "usd")

    func licensed(_ product: Product, amount: Int64 = 1000, lookupKey: String? = nil) -> PriceParams {
        PriceParams(
            product: product.id, currency: usd, lookupKey: lookupKey, kind: .recurring,
            recurring: .init(interval: .month, intervalCount: 1, usageType: .licensed, meter: nil),
            scheme: .perUnit(unitAmount: ExactDecimal(amount), transform: nil))
    }

    @Test func customersRoundTrip() throws {
        let created = try ledger.createCustomer(
            .init(name: "John Doe", email: "j@example.com", metadata: ["plan": "pro"]))
        #expect(created.id.rawValue.hasPrefix("cus_"))
        #expect(created.created == jan1)
        #expect(try ledger.customer(created.id) == created)
        let own = try ledger.createCustomer(.init(id: "host-42", name: "Host"))
        #expect(own.id.rawValue == "host-42")
        #expect(try ledger.customers().map(\.id) == [created.id, own.id])
        #expect(code { _ = try ledger.createCustomer(.init(id: "host-42")) } == .resourceExists)
        #expect(code { _ = try ledger.createCustomer(.init(id: "a:b")) } == .invalidRequest)
        #expect(code { _ = try ledger.customer(.init("cus_missing")) } == .resourceMissing)
    }

    @Test func pricesRoundTripWithEveryScheme() throws {
        let product = try ledger.createProduct(.init(name: "Tokens"))
        let meter = try ledger.createMeter(.init(displayName: "Tokens", eventName: "tokens"))
        let schemes: [PricingScheme] = [
            .perUnit(unitAmount: ExactDecimal(parsing: "0.000000000001")!, transform: nil),
            .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up)),
            .tiered(
                mode: .graduated,
                tiers: [
                    PriceTier(upTo: 1000, unitAmount: .zero, flatAmount: nil),
                    PriceTier(
                        upTo: nil, unitAmount: ExactDecimal(parsing: "0.1"), flatAmount: ExactDecimal(parsing: "2.5")),
                ]),
        ]
        for scheme in schemes {
            let price = try ledger.createPrice(
                .init(
                    product: product.id, currency: usd, kind: .recurring,
                    recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: meter.id),
                    scheme: scheme))
            #expect(try ledger.price(price.id) == price)
            #expect(try ledger.price(price.id).scheme == scheme)
        }
        #expect(try ledger.prices().count == 3)
    }

    @Test func lookupKeysAreUniqueAmongActivePrices() throws {
        let product = try ledger.createProduct(.init(name: "P"))
        let first = try ledger.createPrice(licensed(product, lookupKey: "pro_monthly"))
        #expect(code { _ = try ledger.createPrice(licensed(product, lookupKey: "pro_monthly")) } == .lookupKeyTaken)
        let archived = try ledger.archivePrice(first.id)
        #expect(!archived.active)
        #expect(try ledger.archivePrice(first.id) == archived)
        let second = try ledger.createPrice(licensed(product, lookupKey: "pro_monthly"))
        #expect(second.active)
        #expect(try ledger.prices(activeOnly: true).map(\.id) == [second.id])
    }

    @Test func pricesNeedAKnownProductAndAnActiveMeter() throws {
        let product = try ledger.createProduct(.init(name: "P"))
        var params = licensed(product)
        params.product = .init("prod_missing")
        #expect(code { _ = try ledger.createPrice(params) } == .resourceMissing)
        params = licensed(product)
        params.recurring = .init(interval: .month, intervalCount: 1, usageType: .metered, meter: "mtr_missing")
        #expect(code { _ = try ledger.createPrice(params) } == .resourceMissing)
        params.recurring?.meter = nil
        #expect(code { _ = try ledger.createPrice(params) } == .invalidRequest)
    }

    @Test func aRejectedPriceWritesNothing() throws {
        let product = try ledger.createProduct(.init(name: "P"))
        _ = try ledger.createPrice(licensed(product, lookupKey: "k"))
        let before = try ledger.dump()
        var bad = licensed(product, lookupKey: "k")
        #expect(code { _ = try ledger.createPrice(bad) } == .lookupKeyTaken)
        bad = licensed(product)
        bad.scheme = .tiered(mode: .volume, tiers: [PriceTier(upTo: 5, unitAmount: .zero, flatAmount: nil)])
        #expect(code { _ = try ledger.createPrice(bad) } == .invalidTiers)
        bad = licensed(product)
        bad.metadata = Dictionary(uniqueKeysWithValues: (0...50).map { ("k\($0)", "v") })
        #expect(code { _ = try ledger.createPrice(bad) } == .invalidMetadata)
        #expect(try ledger.dump() == before)
    }

    @Test func quotesUseThePricingFunction() throws {
        let product = try ledger.createProduct(.init(name: "P"))
        let price = try ledger.createPrice(licensed(product, amount: 700))
        let (_, quote) = try ledger.quote(price.id, quantity: ExactDecimal(3))
        #expect(quote.amount == 2100)
    }

    @Test func storedTermsCannotChange() throws {
        let product = try ledger.createProduct(.init(name: "P"))
        let price = try ledger.createPrice(licensed(product))
        #expect(throws: LedgerError.self) {
            try ledger.execute(
                "UPDATE price SET unitAmountDecimal = '1' WHERE id = ?", arguments: [price.id.rawValue])
        }
        #expect(throws: LedgerError.self) {
            try ledger.execute(
                "INSERT INTO price (id, productId, currency, type, billingScheme, unitAmountDecimal, metadata, created, recurringInterval) VALUES ('p2', ?, 'usd', 'one_time', 'per_unit', '1', '{}', 0, 'month')",
                arguments: [product.id.rawValue])
        }
        #expect(try ledger.prices().count == 1)
    }
}
