import Foundation
import Testing

@testable import LedgerKit

/// Every instant that enters the library (its clock, an Int64 parameter) is within years 1970
/// through 9999: outside, the operation is `invalid_time` naming the parameter, and writes nothing.
@Suite struct InstantBoundsTests {
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [.init(id: "mtr_t", displayName: "Tokens", eventName: "tokens")],
        products: [.init(id: "prod_t", name: "Tokens")],
        prices: [.monthly("price_t", of: "prod_t", meter: "mtr_t", .unit("1"))])

    static let outside: [Int64] = [.min, -1, 253_402_300_800, .max]

    /// The error `body` throws, which must be `invalid_time` naming `param`.
    func expectInvalidTime(
        _ param: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        let error = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == .invalidTime, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.param == param, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    @Test("a clock outside the range makes every operation invalid_time (param now), and nothing is written")
    func clockOutsideTheRange() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let w = try World(Self.catalog, location: location)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_t")]))
        let before = try w.ledger.dump()
        let usd = try Currency(code: "usd")
        for reading in Self.outside {
            let ledger = try location.open(clock: fixedClock(reading))
            expectInvalidTime("now") { _ = try ledger.now }
            expectInvalidTime("now") { _ = try ledger.createCustomer(.init(name: "A")) }
            expectInvalidTime("now") { _ = try ledger.createProduct(.init(name: "P")) }
            expectInvalidTime("now") {
                _ = try ledger.record(EventSubmission(eventName: "tokens", customer: "cus_1", value: 1))
            }
            expectInvalidTime("now") { _ = try ledger.bill() }
            expectInvalidTime("now") {
                _ = try ledger.createGrant(
                    .init(customer: "cus_1", amount: Money(amountMinor: 100, currency: usd), scope: .metered))
            }
            expectInvalidTime("now") { _ = try ledger.cancelSubscription(w.ledger.subscriptions()[0].id) }
            expectInvalidTime("now") { _ = try ledger.creditBalances(customer: "cus_1") }
            expectInvalidTime("now") { _ = try ledger.accountBalances() }
        }
        #expect(try w.ledger.dump() == before)
    }

    @Test("a host app's Date clock out of any range is refused, not trapped on")
    func dateClockOutsideTheRange() throws {
        #expect(Ledger.seconds(Date(timeIntervalSince1970: 1e300)) == .max)
        #expect(Ledger.seconds(Date(timeIntervalSince1970: -1e300)) == .min)
        #expect(Ledger.seconds(Date(timeIntervalSince1970: .nan)) == .min)
        #expect(Ledger.seconds(Date(timeIntervalSince1970: 253_402_300_799.5)) == 253_402_300_799)
        let dir = try TempDir()
        defer { dir.cleanup() }
        for seconds in [1e300, -1e300, Double.infinity, .nan, 253_402_300_800] {
            let ledger = try Ledger(path: dir.path("dates.sqlite"), dates: { Date(timeIntervalSince1970: seconds) })
            expectInvalidTime("now") { _ = try ledger.createCustomer(.init(name: "A")) }
        }
    }

    @Test("Int64 instants passed to the library outside the range are invalid_time naming the parameter")
    func parametersOutsideTheRange() throws {
        // 1970-01-01T01:00:00Z: the event window (35 days back) reaches before 1970.
        let w = try World(Self.catalog, at: 3_600)
        let usd = try Currency(code: "usd")
        let grant = try w.ledger.createGrant(
            .init(customer: "cus_1", amount: Money(amountMinor: 100, currency: usd), scope: .metered))
        let sub = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_t")])).0
        let before = try w.ledger.dump()
        let ledger = w.ledger
        for t in Self.outside {
            expectInvalidTime("until") { _ = try ledger.bill(until: t) }
            expectInvalidTime("as_of") { _ = try ledger.creditBalances(customer: "cus_1", asOf: t) }
            expectInvalidTime("as_of") { _ = try ledger.creditTransactions(customer: "cus_1", asOf: t) }
            expectInvalidTime("as_of") { _ = try ledger.grantTotals(grant.id, asOf: t) }
            expectInvalidTime("as_of") { _ = try ledger.accountBalances(asOf: t) }
            expectInvalidTime("as_of") { _ = try ledger.balance(of: .receivable(sub.customer), asOf: t) }
            expectInvalidTime("from") { _ = try ledger.journalEntries(from: t) }
            expectInvalidTime("start") { _ = try ledger.usage(customer: "cus_1", meter: "mtr_t", start: t, end: 7_200) }
            expectInvalidTime("start_time") {
                _ = try ledger.eventSummaries(meter: "mtr_t", customer: "cus_1", start: t, end: 7_200, grouping: nil)
            }
            expectInvalidTime("effective_at") {
                _ = try ledger.createGrant(
                    .init(
                        customer: "cus_1", amount: Money(amountMinor: 1, currency: usd), scope: .metered,
                        effectiveAt: t))
            }
            expectInvalidTime("expires_at") {
                _ = try ledger.createGrant(
                    .init(
                        customer: "cus_1", amount: Money(amountMinor: 1, currency: usd), scope: .metered, expiresAt: t))
            }
            expectInvalidTime("expires_at") { _ = try ledger.updateGrant(grant.id, expiresAt: t, metadata: nil) }
            expectInvalidTime("billing_cycle_anchor") {
                _ = try ledger.createSubscription(
                    .init(customer: "cus_1", items: [.init(price: "price_t")], billingCycleAnchor: t))
            }
            expectInvalidTime("backdate_start_date") {
                _ = try ledger.createSubscription(
                    .init(customer: "cus_1", items: [.init(price: "price_t")], backdateStartDate: t))
            }
            expectInvalidTime("timestamp") {
                _ = try ledger.record(EventSubmission(eventName: "tokens", timestamp: t, customer: "cus_1", value: 1))
            }
        }
        #expect(try w.ledger.dump() == before)
    }

    @Test("a period ending after 9999 is invalid_time, at creation and in the billing run, never a trap")
    func periodsPastTheRange() throws {
        var catalog = Self.catalog
        catalog.prices.append(
            PriceParams(
                id: "price_day", product: "prod_t", currency: try Currency(code: "usd"), kind: .recurring,
                recurring: .init(interval: .day, intervalCount: 1, usageType: .licensed, meter: nil),
                scheme: .unit("1")))
        let w = try World(catalog, at: try Instant.parse("9999-12-15T00:00:00Z"))
        var before = try w.ledger.dump()
        let error = #expect(throws: LedgerError.self) {
            _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_t")]))
        }
        #expect(error?.code == .invalidTime)
        #expect(error?.message == "the billing period would end after 9999-12-31T23:59:59Z, the last supported instant")
        #expect(try w.ledger.dump() == before)
        // A daily subscription bills up to the last whole day; the period after it cannot exist.
        w.clock.set("9999-12-30T00:00:00Z")
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_day")]))
        w.clock.set("9999-12-31T00:00:00Z")
        before = try w.ledger.dump()
        expectInvalidTime("current_period_end") { _ = try w.ledger.bill() }
        expectInvalidTime("current_period_end") {
            _ = try w.ledger.record(EventSubmission(eventName: "tokens", customer: "cus_1", value: 1))
        }
        #expect(try w.ledger.dump() == before)
    }
}
