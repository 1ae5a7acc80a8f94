import Foundation
import Testing

@testable import LedgerKit

/// Auto top-ups: one per crossing, in the transaction that crossed; the monthly cap; a grant on
/// payment is not spendable before it; a voided funding invoice disables the rule.
@Suite struct TopUpTests {
    static let catalog = Catalog.tokens
    static let usd = try! Currency(code: "usd")

    /// A subscription from 2026-01-01 and a 10.00 promotional grant.
    func world() throws -> World {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 1000, currency: Self.usd), category: .promotional,
                scope: .metered))
        return w
    }

    func rule(
        _ w: World, _ size: TopUpRule.Size = .amount(1000), cost: Int64? = 900, max: Int? = nil,
        on: TopUpRule.GrantOn = .issue
    ) throws -> TopUpRule {
        try w.ledger.createTopUpRule(
            .init(
                customer: "cus_1", currency: Self.usd, threshold: 200, size: size, costBasis: cost,
                expiresAfterDays: 365, maxPerMonth: max, grantOn: on))
    }

    func available(_ w: World) throws -> Int64 {
        try w.ledger.creditBalances(customer: "cus_1").first?.availableBalance ?? 0
    }

    @Test("January's 9.00 leaves 1.00: the finalization buys 10.00 of credit for 9.00, on an open funding invoice")
    func topUpAtTheCrossing() throws {
        let w = try world()
        let r = try rule(w)
        let alert = try w.ledger.createAlert(.init(customer: "cus_1", lte: Money(amountMinor: 200, currency: Self.usd)))
        try w.record("900", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let finalized = try Instant.parse("2026-02-01T01:00:00Z")
        let topUps = try w.ledger.topUps(rule: r.id)
        #expect(topUps.count == 1)
        let topUp = try #require(topUps.first)
        #expect(topUp.crossedAt == finalized && topUp.balance == 100 && topUp.amount == 1000 && topUp.costBasis == 900)
        #expect(topUp.status == .granted)
        let funding = try w.ledger.invoice(topUp.invoice)
        #expect(funding.status == .open && funding.total == 900 && funding.finalizedAt == finalized)
        let grant = try w.ledger.grant(try #require(topUp.grant))
        #expect(grant.category == .paid && grant.costBasis == 900 && grant.fundingInvoice == funding.id)
        #expect(grant.effectiveAt == finalized && grant.expiresAt == finalized + 365 * 86400)
        #expect(try available(w) == 1100)
        // The alert saw the balance after the top-up at that instant: no crossing.
        #expect(try w.ledger.alert(alert.id).triggered == false)
        #expect(try w.ledger.verify().isEmpty)
        // February uses 10.00 more: 1.00 left crosses again.
        try w.record("1000", event: "tokens", at: "2026-02-15T00:00:00Z")
        w.clock.set("2026-03-01T02:00:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.topUps(rule: r.id).map(\.balance) == [100, 100])
        #expect(try available(w) == 1100)
    }

    @Test("max per month: a second crossing in February makes no second top-up; March's does")
    func monthlyCap() throws {
        let w = try world()
        let r = try rule(w, .amount(300), cost: nil, max: 1)
        try w.record("900", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()  // 1.00 left, topped up to 4.00
        #expect(try available(w) == 400)
        // February 10: the top-up's grant is expired by hand, 4.00 → 1.00 crosses again: capped.
        w.clock.set("2026-02-10T00:00:00Z")
        let first = try #require(try w.ledger.topUps(rule: r.id).first?.grant)
        _ = try w.ledger.expireGrant(first)
        #expect(try w.ledger.topUps(rule: r.id).count == 1)
        #expect(try available(w) == 100)
        // A new 3.00 grant on February 20 lifts it to 4.00; February's 3.00 of usage, finalized on
        // March 1 at 01:00, leaves 1.00: March allows one.
        try w.record("300", event: "tokens", at: "2026-02-15T00:00:00Z")
        w.clock.set("2026-02-20T00:00:00Z")
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 300, currency: Self.usd), category: .promotional,
                scope: .metered))
        w.clock.set("2026-03-01T02:00:00Z")
        _ = try w.ledger.bill()
        let topUps = try w.ledger.topUps(rule: r.id)
        #expect(
            topUps.map(\.crossedAt) == [
                try Instant.parse("2026-02-01T01:00:00Z"), try Instant.parse("2026-03-01T01:00:00Z"),
            ],
            "\(topUps.map { (Instant.format($0.crossedAt), $0.balance) })")
        #expect(topUps.allSatisfy { $0.costBasis == 300 })
    }

    @Test("grant on payment: nothing is spendable until the funding invoice is paid; then the grant is effective")
    func grantOnPayment() throws {
        let w = try world()
        let r = try rule(w, .target(1500), cost: nil, on: .payment)
        try w.record("900", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let topUp = try #require(try w.ledger.topUps(rule: r.id).first)
        #expect(topUp.status == .pending && topUp.grant == nil && topUp.amount == 1400)
        #expect(try available(w) == 100)
        // February's usage finalizes before the payment: only the 1.00 left pays it.
        try w.record("500", event: "tokens", at: "2026-02-15T00:00:00Z")
        w.clock.set("2026-03-01T02:00:00Z")
        _ = try w.ledger.bill()
        let february = try #require(
            try w.ledger.invoices(customer: "cus_1").first {
                $0.periodEnd == (try! Instant.parse("2026-03-01T00:00:00Z"))
            })
        #expect(february.total == 400)
        #expect(try w.ledger.topUps(rule: r.id).count == 1, "no second top-up while one waits for its payment")
        w.clock.set("2026-03-02T00:00:00Z")
        _ = try w.ledger.payInvoice(topUp.invoice)
        let paid = try #require(try w.ledger.topUps(rule: r.id).first)
        #expect(paid.status == .granted)
        let grant = try w.ledger.grant(try #require(paid.grant))
        #expect(grant.effectiveAt == (try Instant.parse("2026-03-02T00:00:00Z")) && grant.amount.amountMinor == 1400)
        #expect(try available(w) == 1400)
    }

    @Test("a voided funding invoice disables the rule with its reason and cancels the waiting top-up")
    func voidDisables() throws {
        let w = try world()
        let r = try rule(w, .amount(1000), cost: 900, on: .payment)
        try w.record("900", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let topUp = try #require(try w.ledger.topUps(rule: r.id).first)
        _ = try w.ledger.voidInvoice(topUp.invoice)
        let disabled = try w.ledger.topUpRule(r.id)
        #expect(disabled.status == .disabled)
        #expect(disabled.disabledReason == "funding invoice \(topUp.invoice) was voided")
        #expect(try w.ledger.topUps(rule: r.id).map(\.status) == [.canceled])
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test("a rule created at or below its threshold tops up at once; refusals")
    func createdBelow() throws {
        let w = try World(Self.catalog)
        let r = try w.ledger.createTopUpRule(
            .init(customer: "cus_1", currency: Self.usd, threshold: 0, size: .amount(500)))
        #expect(try w.ledger.topUps(rule: r.id).map(\.amount) == [500])
        #expect(try w.ledger.topUpRule(r.id).below == false)
        #expect(
            code {
                _ = try w.ledger.createTopUpRule(
                    .init(customer: "cus_1", currency: Self.usd, threshold: 500, size: .target(500)))
            } == .invalidRequest)
        #expect(
            code {
                _ = try w.ledger.createTopUpRule(
                    .init(customer: "cus_1", currency: Self.usd, threshold: -1, size: .amount(5)))
            } == .invalidAmount)
        #expect(
            code {
                _ = try w.ledger.createTopUpRule(
                    .init(customer: "cus_1", currency: Self.usd, threshold: 1, size: .target(5), costBasis: 3))
            } == .invalidRequest)
    }
}
