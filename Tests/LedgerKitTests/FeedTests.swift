import Foundation
import Testing

@testable import LedgerKit

/// The event feed (Schema/0013, `Ledger.feed`): every state change a host app acts on, appended
/// in the change's transaction, in commit order, with the object as it was.
@Suite struct FeedTests {
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [.init(id: "mtr_a", displayName: "A", eventName: "a_tokens")],
        products: [.init(id: "prod_1", name: "Product")],
        prices: [
            .monthly("price_licence", of: "prod_1", .unit("10000")),
            .monthly("price_usage", of: "prod_1", meter: "mtr_a", .unit("2")),
        ])
    static let usd = try! Currency(code: "usd")

    /// (type, object ID, created) of every event, in feed order.
    func kinds(_ w: World) throws -> [(FeedEvent.Kind, String, Int64)] {
        var out: [(FeedEvent.Kind, String, Int64)] = []
        var cursor: FeedEvent.ID?
        while true {
            let page = try w.ledger.feed(after: cursor, limit: 3)
            out += page.map { ($0.kind, $0.object.id, $0.created) }
            guard let last = page.last else { return out }
            cursor = last.id
        }
    }

    /// A month of a subscription with a grant, billed to Feb 1 01:00 by `bill` (once or hourly).
    func history(hourly: Bool) throws -> World {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(
            .init(
                id: "sub_1", customer: "cus_1",
                items: [.init(price: "price_licence", quantity: 1), .init(price: "price_usage")]))
        _ = try w.ledger.createGrant(
            .init(
                id: "credgr_1", customer: "cus_1", amount: Money(amountMinor: 500, currency: Self.usd),
                category: .promotional, scope: .metered, expiresAt: try Instant.parse("2026-03-01T00:00:00Z")))
        try w.record("300", event: "a_tokens", at: "2026-01-10T00:00:00Z")
        let end = try Instant.parse("2026-02-01T01:00:00Z")
        if hourly {
            var t = try Instant.parse("2026-01-31T22:00:00Z")
            while t <= end {
                w.clock.now = t
                _ = try w.ledger.bill()
                t += 1_800
            }
        } else {
            w.clock.now = end
            _ = try w.ledger.bill()
        }
        return w
    }

    @Test("a month: created events at creation, the boundary's update and draft, its finalization at the grace's end")
    func aMonthInOrder() throws {
        let w = try history(hourly: false)
        let jan1 = try Instant.parse("2026-01-01T00:00:00Z")
        let feb1 = try Instant.parse("2026-02-01T00:00:00Z")
        let events = try kinds(w)
        #expect(
            events.map(\.0) == [
                .customerCreated, .subscriptionCreated, .invoiceCreated, .invoiceFinalized, .grantCreated,
                .subscriptionUpdated, .invoiceCreated, .invoiceFinalized,
            ])
        #expect(events.map(\.2) == [jan1, jan1, jan1, jan1, jan1, feb1, feb1, feb1 + 3_600])
        // Each object as it was: the boundary's draft had no number; finalized, 600 of usage less
        // the 500 grant, and the licence.
        let all = try w.ledger.feed()
        guard case .invoice(let draft) = all[6].object, case .invoice(let open) = all[7].object,
            case .subscription(let advanced) = all[5].object
        else { Issue.record("objects: \(all)"); return }
        #expect(draft.status == .draft && draft.number == nil && draft.id == open.id)
        #expect(open.status == .open && open.number == "INV-000002" && open.amountDue == 10_000 + 600 - 500)
        #expect(advanced.currentPeriodStart == feb1)
        #expect(try w.ledger.invoice(open.id).status == .open)
    }

    @Test("billed once or every half hour: the same events at the same instants (time is data)")
    func stepsAreOneRun() throws {
        let once = try kinds(try history(hourly: false))
        let stepped = try kinds(try history(hourly: true))
        #expect(once.map { "\($0.0.rawValue) \($0.2)" } == stepped.map { "\($0.0.rawValue) \($0.2)" })
    }

    @Test("a refused write appends nothing; pay, void, expiry and cancel each append theirs; kinds filter; cursor")
    func refusalsAndLifecycle() throws {
        let w = try history(hourly: false)
        let before = try w.ledger.feed().count
        let invoices = try w.ledger.invoices(customer: "cus_1")
        // Paying twice: the second is refused and appends nothing.
        _ = try w.ledger.payInvoice(invoices[1].id)
        #expect(throws: LedgerError.self) { try w.ledger.payInvoice(invoices[1].id) }
        #expect(try w.ledger.feed().count == before + 1)
        w.clock.set("2026-02-10T00:00:00Z")
        _ = try w.ledger.voidInvoice(invoices[0].id)
        // Cancelled now: the subscription ends and a final draft bills February's usage to date
        // (none: 0, paid at its finalization an hour later); the grant expires on Mar 1.
        _ = try w.ledger.cancelSubscription("sub_1")
        w.clock.set("2026-03-01T00:00:00Z")
        _ = try w.ledger.bill()
        let tail = try w.ledger.feed().dropFirst(before).map(\.kind)
        #expect(
            tail == [
                .invoicePaid, .invoiceVoided, .subscriptionDeleted, .invoiceCreated, .invoiceFinalized, .invoicePaid,
                .grantUpdated,
            ])
        let paid = try w.ledger.feed(kinds: [.invoicePaid])
        #expect(
            paid.map(\.object.id) == [invoices[1].id.rawValue, try w.ledger.invoices(customer: "cus_1")[2].id.rawValue])
        #expect(throws: LedgerError.self) { try w.ledger.feed(after: "evt_missing") }
        #expect(throws: LedgerError.self) { try w.ledger.feed(limit: 0) }
        #expect(throws: LedgerError.self) { try w.ledger.feed(limit: 101) }
        let last = try #require(try w.ledger.feed().last)
        #expect(try w.ledger.feed(after: last.id).isEmpty)
    }
}
