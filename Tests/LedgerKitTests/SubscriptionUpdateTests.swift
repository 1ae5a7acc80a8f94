import Foundation
import Testing

@testable import LedgerKit

/// `updateSubscription`: item changes are dated facts effective at the current period's end.
@Suite struct SubscriptionUpdateTests {
    /// A licence (10000 a month), a seat (500 a month), usage at 2 cents a token on `mtr_a` and
    /// 1 cent on `mtr_b`, a eur licence, a weekly licence.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [
            .init(id: "mtr_a", displayName: "A", eventName: "a_tokens"),
            .init(id: "mtr_b", displayName: "B", eventName: "b_tokens"),
        ],
        products: [.init(id: "prod_1", name: "Product"), .init(id: "prod_old", name: "Old")],
        prices: [
            .monthly("price_licence", of: "prod_1", .unit("10000")),
            .monthly("price_seat", of: "prod_1", .unit("500")),
            .monthly("price_usage", of: "prod_1", meter: "mtr_a", .unit("2")),
            .monthly("price_b", of: "prod_1", meter: "mtr_b", .unit("1")),
            .monthly("price_eur", of: "prod_1", currency: try! Currency(code: "eur"), .unit("100")),
            PriceParams(
                id: "price_week", product: "prod_1", currency: try! Currency(code: "usd"), kind: .recurring,
                recurring: .init(interval: .week, intervalCount: 1, usageType: .licensed, meter: nil),
                scheme: .unit("100")),
            .monthly("price_old", of: "prod_old", .unit("700")),
        ])

    /// A world at Jan 1 with a subscription to the licence (quantity 1) and the usage price.
    func subscribed() throws -> (World, Subscription) {
        let w = try World(Self.catalog)
        let (sub, first) = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_licence", quantity: 1), .init(price: "price_usage")]))
        #expect(first?.lines.map(\.amount) == [10_000])
        return (w, sub)
    }

    func item(_ sub: Subscription, _ price: Price.ID) -> SubscriptionItem.ID {
        sub.items.first { $0.price == price }!.id
    }

    /// (amounts of the lines, total) of each invoice of cus_1, oldest first.
    func invoices(_ w: World) throws -> [[Int64]] {
        try w.ledger.invoices(customer: "cus_1").map { $0.lines.map(\.amount) }
    }

    @Test func aQuantityChangeAndAnAddedItemBillFromTheNextPeriod() throws {
        // Given a subscription billed for January at creation, and 100 tokens in January
        let (w, sub) = try subscribed()
        try w.record("100", event: "a_tokens", at: "2026-01-10T00:00:00Z")
        // When on Jan 15 the licence goes to 3 seats and a seat price joins with quantity 2
        w.clock.set("2026-01-15T00:00:00Z")
        let updated = try w.ledger.updateSubscription(
            sub.id,
            .init(
                addItems: [.init(price: "price_seat", quantity: 2)],
                itemQuantities: [item(sub, "price_licence"): 3]))
        // Then the current period is unchanged and the next one shows the change
        #expect(updated.items.map(\.quantity) == [1, nil])
        #expect(updated.nextPeriodItems?.map(\.quantity) == [3, nil, 2])
        #expect(try invoices(w) == [[10_000]])
        // And February's invoice bills January's usage and February's licences at the new terms
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try invoices(w) == [[10_000], [200, 30_000, 1_000], [0, 30_000, 1_000]])
        let feb = try w.ledger.invoices(customer: "cus_1")[1]
        #expect((feb.subtotal, feb.total, feb.amountDue) == (31_200, 31_200, 31_200))
        #expect(try w.ledger.subscription(sub.id).nextPeriodItems == nil)
        #expect(try w.ledger.verify().isEmpty)
    }

    /// One run to March and a run at each boundary bill the same invoices.
    @Test func billingInStepsOrOnceGivesTheSameInvoices() throws {
        func history(stepwise: Bool) throws -> [[Int64]] {
            let (w, sub) = try subscribed()
            try w.record("100", event: "a_tokens", at: "2026-01-10T00:00:00Z")
            w.clock.set("2026-01-15T00:00:00Z")
            _ = try w.ledger.updateSubscription(sub.id, .init(itemQuantities: [item(sub, "price_licence"): 4]))
            if stepwise {
                w.clock.set("2026-02-01T00:00:00Z")
                _ = try w.ledger.bill()
                w.clock.set("2026-02-01T01:00:00Z")
                _ = try w.ledger.bill()
            }
            w.clock.set("2026-03-01T01:00:00Z")
            _ = try w.ledger.bill()
            return try invoices(w)
        }
        let once = try history(stepwise: false)
        #expect(once == [[10_000], [200, 40_000], [0, 40_000]])
        #expect(try history(stepwise: true) == once)
    }

    /// An update made after a boundary that no run processed yet applies from the following one:
    /// the write runs the due closing first, at its own instant, with the terms of then.
    @Test func anUpdateAfterAnUnprocessedBoundaryWaitsForTheNextOne() throws {
        let (w, sub) = try subscribed()
        w.clock.set("2026-02-05T00:00:00Z")
        let updated = try w.ledger.updateSubscription(
            sub.id, .init(itemQuantities: [item(sub, "price_licence"): 2]))
        #expect(updated.currentPeriodEnd == (try Instant.parse("2026-03-01")))
        #expect(try invoices(w) == [[10_000], [0, 10_000]])
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try invoices(w) == [[10_000], [0, 10_000], [0, 20_000]])
    }

    @Test func aRemovedMeteredItemBillsTheCurrentPeriodThenStops() throws {
        // Given usage on both meters before and after the update that swaps price_usage for price_b
        let (w, sub) = try subscribed()
        try w.record("100", event: "a_tokens", at: "2026-01-10T00:00:00Z")
        try w.record("30", event: "b_tokens", at: "2026-01-12T00:00:00Z")
        w.clock.set("2026-01-15T00:00:00Z")
        _ = try w.ledger.updateSubscription(
            sub.id, .init(addItems: [.init(price: "price_b")], removeItems: [item(sub, "price_usage")]))
        try w.record("50", event: "a_tokens", at: "2026-01-20T00:00:00Z")
        try w.record("70", event: "a_tokens", at: "2026-02-10T00:00:00Z")
        try w.record("40", event: "b_tokens", at: "2026-02-11T00:00:00Z")
        // When both boundaries close
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        // Then January's usage of the removed item is billed in full (150 × 2), February's not;
        // the added item bills February's usage (40 × 1), not January's
        #expect(try invoices(w) == [[10_000], [300, 10_000], [40, 10_000]])
        #expect(try w.ledger.subscription(sub.id).items.map(\.price) == ["price_licence", "price_b"])
    }

    /// A draft already made at the boundary (in its grace) keeps the terms of its instant.
    @Test func anUpdateDuringTheGraceLeavesTheBoundaryDraftAsMade() throws {
        let (w, sub) = try subscribed()
        w.clock.set("2026-02-01T00:30:00Z")
        let updated = try w.ledger.updateSubscription(sub.id, .init(itemQuantities: [item(sub, "price_licence"): 5]))
        #expect(updated.currentPeriodStart == (try Instant.parse("2026-02-01")))
        let draft = try w.ledger.invoices(customer: "cus_1")[1]
        #expect((draft.status, draft.lines.map(\.amount)) == (.draft, [0, 10_000]))
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try invoices(w) == [[10_000], [0, 10_000], [0, 50_000]])
    }

    /// Cancelling now bills the usage to date of the items in effect, a removed one included.
    @Test func cancellingNowBillsTheCurrentItemsUsage() throws {
        let (w, sub) = try subscribed()
        try w.record("100", event: "a_tokens", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-01-15T00:00:00Z")
        _ = try w.ledger.updateSubscription(
            sub.id, .init(addItems: [.init(price: "price_b")], removeItems: [item(sub, "price_usage")]))
        try w.record("9", event: "b_tokens", at: "2026-01-16T00:00:00Z")
        w.clock.set("2026-01-20T00:00:00Z")
        let (_, final) = try w.ledger.cancelSubscription(sub.id)
        #expect(final?.lines.map(\.amount) == [200])
    }

    @Test func anItemAddedAndRemovedInOnePeriodIsNeverBilled() throws {
        let (w, sub) = try subscribed()
        let added = try w.ledger.updateSubscription(sub.id, .init(addItems: [.init(price: "price_seat")]))
        let seat = try #require(added.nextPeriodItems?.last?.id)
        let back = try w.ledger.updateSubscription(sub.id, .init(removeItems: [seat]))
        #expect(back.nextPeriodItems == nil)
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try invoices(w) == [[10_000], [0, 10_000]])
    }

    @Test func cancelAtPeriodEndCanBeSetAndCleared() throws {
        let (w, sub) = try subscribed()
        w.clock.set("2026-01-20T00:00:00Z")
        let set = try w.ledger.updateSubscription(sub.id, .init(cancelAtPeriodEnd: true, metadata: ["plan": "pro"]))
        #expect((set.cancelAtPeriodEnd, set.canceledAt, set.metadata) == (true, w.clock.now, ["plan": "pro"]))
        let cleared = try w.ledger.updateSubscription(sub.id, .init(cancelAtPeriodEnd: false, metadata: ["plan": ""]))
        #expect((cleared.cancelAtPeriodEnd, cleared.canceledAt, cleared.metadata) == (false, nil, [:]))
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.subscription(sub.id).status == .active)
    }

    @Test func thePreviewBillsTheNextPeriodsItems() throws {
        let (w, sub) = try subscribed()
        _ = try w.ledger.updateSubscription(sub.id, .init(itemQuantities: [item(sub, "price_licence"): 2]))
        let preview = try w.ledger.previewInvoice(subscription: sub.id)
        #expect(preview.lines.map(\.amount) == [0, 20_000])
    }

    @Test(arguments: [
        (
            "a eur price on a usd subscription", SubscriptionUpdate(addItems: [.init(price: "price_eur")]),
            LedgerError.Code.currencyMismatch
        ),
        ("a weekly price on a monthly subscription", .init(addItems: [.init(price: "price_week")]), .invalidRequest),
        ("a price already on it", .init(addItems: [.init(price: "price_licence")]), .invalidRequest),
        ("a quantity on a metered price", .init(addItems: [.init(price: "price_b", quantity: 2)]), .invalidRequest),
        ("an unknown price", .init(addItems: [.init(price: "price_nope")]), .resourceMissing),
        ("a price of an archived product", .init(addItems: [.init(price: "price_old")]), .productInactive),
        ("an unknown item", .init(removeItems: ["si_nope"]), .resourceMissing),
        ("an unknown item's quantity", .init(itemQuantities: ["si_nope": 2]), .resourceMissing),
    ])
    func refusedChanges(_ name: String, _ update: SubscriptionUpdate, _ code: LedgerError.Code) throws {
        let (w, sub) = try subscribed()
        _ = try w.ledger.archiveProduct("prod_old")
        let before = try w.ledger.subscription(sub.id)
        #expect(throws: LedgerError.self, "\(name)") {
            do { _ = try w.ledger.updateSubscription(sub.id, update) } catch let error as LedgerError {
                #expect(error.code == code, "\(name): \(error)")
                throw error
            }
        }
        #expect(try w.ledger.subscription(sub.id) == before)
    }

    @Test func refusedOnItsOwnItems() throws {
        let (w, sub) = try subscribed()
        func code(_ update: SubscriptionUpdate) -> LedgerError.Code? {
            do {
                _ = try w.ledger.updateSubscription(sub.id, update)
                return nil
            } catch { return (error as? LedgerError)?.code }
        }
        let licence = item(sub, "price_licence")
        let usage = item(sub, "price_usage")
        #expect(code(.init(removeItems: [licence, usage])) == .invalidRequest)
        #expect(code(.init(itemQuantities: [usage: 2])) == .invalidRequest)
        #expect(code(.init(itemQuantities: [licence: -1])) == .invalidRequest)
        #expect(code(.init(removeItems: [licence], itemQuantities: [licence: 2])) == .invalidRequest)
        _ = try w.ledger.archivePrice("price_seat")
        #expect(code(.init(addItems: [.init(price: "price_seat")])) == .priceInactive)
        _ = try w.ledger.updateSubscription(sub.id, .init(cancelAtPeriodEnd: true))
        #expect(code(.init(itemQuantities: [licence: 2])) == .invalidRequest)
        _ = try w.ledger.cancelSubscription(sub.id)
        #expect(code(.init(metadata: ["a": "b"])) == .subscriptionCanceled)
        #expect(try w.ledger.subscription(sub.id).items.map(\.quantity) == [1, nil])
    }
}
