import Foundation
import PropertyBased
import Testing

@testable import LedgerKit

extension HistoryTests {
    /// The crossings each alert should have had, read from the balance timeline alone: at its
    /// creation, then at every instant a credit transaction of its customer takes effect, the
    /// ledger balance as of that instant (`creditBalances`), and a crossing whenever "at or below
    /// the threshold" changes. Sorted as the feed is (by instant, then alert).
    func alertReference(_ ledger: Ledger, customers: [Customer.ID]) throws -> [String] {
        var out: [(Int64, String)] = []
        for customer in customers {
            let instants = Set(try ledger.creditTransactions(customer: customer).map(\.effectiveAt))
            for alert in try ledger.alerts(customer: customer) {
                func balance(_ t: Int64) throws -> Int64 {
                    try ledger.creditBalances(customer: customer, asOf: t).first?.ledgerBalance ?? 0
                }
                var state = try balance(alert.created) <= alert.lte!.amountMinor
                if state {
                    out.append(
                        (
                            alert.created,
                            "billing.alert.triggered \(alert.id) @\(alert.created) \(try balance(alert.created))"
                        ))
                }
                for t in instants.filter({ $0 > alert.created }).sorted() {
                    let value = try balance(t)
                    let now = value <= alert.lte!.amountMinor
                    guard now != state else { continue }
                    state = now
                    let kind = now ? "billing.alert.triggered" : "billing.alert.recovered"
                    out.append((t, "\(kind) \(alert.id) @\(t) \(value)"))
                }
            }
        }
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1)
    }

    @Test("alerts fire and recover exactly once per crossing of the balance timeline, billed at every step or once")
    func alertsFollowTheBalanceTimeline() async {
        await propertyCheck(count: 30, input: Self.historyGen) { steps in
            let stepped = try! run(steps, billBeforeEachWrite: true)
            let once = try! run(steps, billBeforeEachWrite: false)
            #expect(once.alerts.sorted() == once.alertReference.sorted(), "\(steps)")
            #expect(stepped.alerts == once.alerts, "\(steps)")
        }
    }
}

/// Credit balance alerts on a fixed history (README: Alerts).
@Suite struct AlertTests {
    static let usd = try! Currency(code: "usd")

    @Test(
        "fires at creation when already below, recovers when a later-effective grant takes effect, fires when usage spends it"
    )
    func aHistory() throws {
        let w = try World(FeedTests.catalog)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_usage")]))
        let alert = try w.ledger.createAlert(
            .init(id: "alrt_1", customer: "cus_1", lte: Money(amountMinor: 100, currency: Self.usd), title: "Low"))
        #expect(alert.triggered)
        w.clock.set("2026-01-02T00:00:00Z")
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 500, currency: Self.usd), category: .promotional,
                scope: .metered, effectiveAt: try Instant.parse("2026-01-05T00:00:00Z")))
        try w.record("225", event: "a_tokens", at: "2026-01-10T00:00:00Z")  // 450 at 2 cents
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let crossings = try w.ledger.feed(kinds: [.alertTriggered, .alertRecovered]).map { event -> String in
            guard case .alert(let c) = event.object else { return "?" }
            return "\(event.kind.rawValue) \(Instant.format(event.created)) \(c.value)"
        }
        #expect(
            crossings == [
                "billing.alert.triggered 2026-01-01T00:00:00Z 0", "billing.alert.recovered 2026-01-05T00:00:00Z 500",
                "billing.alert.triggered 2026-02-01T01:00:00Z 50",
            ])
        // Archived: judged no more.
        _ = try w.ledger.archiveAlert("alrt_1")
        _ = try w.ledger.createGrant(
            .init(customer: "cus_1", amount: Money(amountMinor: 500, currency: Self.usd), scope: .metered))
        #expect(try w.ledger.feed(kinds: [.alertRecovered]).count == 1)
        #expect(try w.ledger.alert("alrt_1").status == .archived)
        #expect(throws: LedgerError.self) {
            try w.ledger.createAlert(.init(customer: "cus_1", lte: Money(amountMinor: -1, currency: Self.usd)))
        }
        #expect(throws: LedgerError.self) {
            try w.ledger.createAlert(.init(customer: "cus_nope", lte: Money(amountMinor: 1, currency: Self.usd)))
        }
    }

    @Test("the crossings rule: the balance after all of an instant's changes decides")
    func rule() {
        let changes: [(at: Int64, amount: Int64)] = [(10, -60), (10, 60), (20, -80), (30, 10), (40, 100)]
        let out = AlertRule.crossings(from: 100, triggered: false, threshold: 30, changes: changes)
        #expect(out.map { "\($0.at):\($0.value):\($0.triggered)" } == ["20:20:true", "40:130:false"])
        #expect(AlertRule.crossings(from: 0, triggered: true, threshold: 0, changes: []).isEmpty)
    }
}
