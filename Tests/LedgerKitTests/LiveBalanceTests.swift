import Foundation
import Testing

@testable import LedgerKit

/// `liveBalances` (`balance --live`): the open periods' usage so far, priced, and the credit it
/// would take if invoiced now, through the planner finalization uses.
@Suite struct LiveBalanceTests {
    /// Packages of 100 tokens at 4 cents (rounded up) on `mtr_a`, 2 cents a token on `mtr_b`, a
    /// licence of 100.00.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [
            .init(id: "mtr_a", displayName: "A", eventName: "a_tokens"),
            .init(id: "mtr_b", displayName: "B", eventName: "b_tokens"),
        ],
        products: [.init(id: "prod_1", name: "Product")],
        prices: [
            .monthly(
                "price_pkg", of: "prod_1", meter: "mtr_a",
                .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))),
            .monthly("price_b", of: "prod_1", meter: "mtr_b", .unit("2")),
            .monthly("price_licence", of: "prod_1", .unit("10000")),
        ])
    static let usd = try! Currency(code: "usd")

    /// Two subscriptions (the package price with the licence; the per-token price) and a 500
    /// promotional grant for metered prices.
    func world() throws -> World {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_pkg"), .init(price: "price_licence", quantity: 1)]))
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_b")]))
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 500, currency: Self.usd), category: .promotional,
                scope: .metered))
        return w
    }

    func figures(_ w: World) throws -> [Int64] {
        let live = try w.ledger.liveBalances(customer: "cus_1")
        try #require(live.balances.count == 1)
        let b = live.balances[0]
        return [b.balance.availableBalance, b.unbilledUsage, b.pendingCredit, b.availableAfterUsage]
    }

    @Test("mid-period: 3000 tokens (120) and 100 tokens (200) would take 320 of the 500; the licence takes none")
    func usageSoFar() throws {
        let w = try world()
        try w.record("3000", event: "a_tokens", at: "2026-01-10T00:00:00Z", id: "a-1")
        try w.record("100", event: "b_tokens", at: "2026-01-12T00:00:00Z", id: "b-1")
        try w.record("999", event: "b_tokens", at: "2026-01-13T00:00:00Z", id: "b-2")
        _ = try w.ledger.cancelEvent(eventName: "b_tokens", identifier: "b-2")
        w.clock.set("2026-01-20T00:00:00Z")
        #expect(try figures(w) == [500, 320, 320, 180])
        // The cancelled event is not the latest: the one before it is.
        #expect(
            try w.ledger.liveBalances(customer: "cus_1").latestMeterEvent == (try Instant.parse("2026-01-12T00:00:00Z"))
        )
        // Nothing is written: the plain balance is as before.
        #expect(try w.ledger.creditBalances(customer: "cus_1").map(\.availableBalance) == [500])
    }

    @Test("more usage than credit: the credit takes what is available, then nothing is left")
    func usageBeyondCredit() throws {
        let w = try world()
        try w.record("30000", event: "a_tokens", at: "2026-01-10T00:00:00Z")  // 1200
        w.clock.set("2026-01-20T00:00:00Z")
        #expect(try figures(w) == [500, 1_200, 500, 0])
    }

    @Test("in the grace: January's drafts hold their credit; February's usage so far takes from what is left")
    func draftsFirst() throws {
        let w = try world()
        try w.record("3000", event: "a_tokens", at: "2026-01-10T00:00:00Z")  // 120
        try w.record("100", event: "b_tokens", at: "2026-01-12T00:00:00Z")  // 200
        w.clock.set("2026-02-01T00:00:00Z")
        _ = try w.ledger.bill()  // January's two drafts, finalizing at 01:00
        try w.record("10000", event: "a_tokens", at: "2026-02-01T00:10:00Z")  // February: 400
        w.clock.set("2026-02-01T00:30:00Z")
        #expect(try figures(w) == [180, 400, 180, 0])
    }

    @Test("what the live balance says the usage would take is what its invoices take when they finalize")
    func theSamePlanner() throws {
        let w = try world()
        try w.record("2550", event: "a_tokens", at: "2026-01-10T00:00:00Z")  // 26 packages: 104
        try w.record("73", event: "b_tokens", at: "2026-01-12T00:00:00Z")  // 146
        w.clock.set("2026-01-31T23:59:59Z")
        let pending = try figures(w)[2]
        #expect(pending == 250)
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let january = try w.ledger.invoices(customer: "cus_1").filter { $0.billingReason == .subscriptionCycle }
        #expect(january.count == 2)
        #expect(try MinorUnits.sum(january.flatMap(\.creditAmounts).map(\.amount)) == pending)
        #expect(try w.ledger.creditBalances(customer: "cus_1").map(\.availableBalance) == [500 - pending])
    }

    @Test("no grant: the usage shows, and it would take no credit")
    func noGrant() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_b")]))
        try w.record("7", event: "b_tokens", at: "2026-01-05T00:00:00Z")
        w.clock.set("2026-01-06T00:00:00Z")
        #expect(try figures(w) == [0, 14, 0, 0])
        #expect(throws: LedgerError.self) { try w.ledger.liveBalances(customer: "cus_missing") }
    }
}
