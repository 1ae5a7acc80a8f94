import PropertyBased
import Testing

@testable import LedgerCore

/// Finalization decided from values alone (SPEC §2.5, §2.6): usage priced, credits in burn
/// order, totals, status and the journal entry, without a database.
@Suite struct FinalizationTests {
    typealias F = RuleFixtures
    static func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    /// A metered price of 7.00 per unit for 1–5, 6.50 for 6–10, 6.00 after (volume), and a licensed
    /// price of 20.00.
    static let prices: [Price.ID: Price] = [
        F.usage: price(
            F.usage, .metered,
            .tiered(
                mode: .volume,
                tiers: [
                    PriceTier(upTo: 5, unitAmount: d("700"), flatAmount: nil),
                    PriceTier(upTo: 10, unitAmount: d("650"), flatAmount: nil),
                    PriceTier(upTo: nil, unitAmount: d("600"), flatAmount: nil),
                ])),
        F.licence: price(F.licence, .licensed, .perUnit(unitAmount: d("2000"), transform: nil)),
    ]

    static func price(_ id: Price.ID, _ usage: Price.UsageType, _ scheme: PricingScheme) -> Price {
        Price(
            id: id, product: "prod_1", currency: F.usd, active: true, lookupKey: nil, nickname: nil, kind: .recurring,
            recurring: .init(
                interval: .month, intervalCount: 1, usageType: usage, meter: usage == .metered ? F.meter : nil),
            scheme: scheme, metadata: [:], created: 0)
    }

    /// A draft with a metered line (counted 0 when drafted) and a licensed line of 20.00.
    static func draft(reason: Invoice.BillingReason = .subscriptionCycle) throws -> Invoice {
        try F.invoice(
            status: .draft, reason: reason,
            lines: [
                F.line("il_usage", price: F.usage, amount: 0, meter: F.meter),
                F.line("il_licence", price: F.licence, amount: 2000),
            ])
    }

    static func promotional(_ id: String, face: Int64) -> Finalization.Grant {
        Finalization.Grant(grant: F.grant(id, face: face, category: .promotional), available: face)
    }

    static func plan(
        _ draft: Invoice, usage: String = "6", grants: [Finalization.Grant] = []
    ) throws -> Finalization.Plan {
        try Finalization.plan(
            .init(
                draft: draft, instant: 500, number: 7, usage: ["il_usage": d(usage)], prices: prices, grants: grants))
    }

    @Test func usageIsPricedAndTheInvoiceFrozenWithItsNumberAndEntry() throws {
        let plan = try Self.plan(try Self.draft())
        let invoice = plan.invoice(transactions: [])
        #expect(plan.recounted.map(\.id) == ["il_usage"])
        #expect(invoice.lines.map(\.amount) == [3900, 2000])  // 6 units at 6.50 (volume)
        #expect(invoice.lines[0].quantity == Self.d("6"))
        #expect(invoice.subtotal == 5900 && invoice.total == 5900 && invoice.amountDue == 5900)
        #expect(invoice.amountRemaining == 5900 && invoice.amountPaid == 0)
        #expect(invoice.status == .open && invoice.paidAt == nil && invoice.finalizedAt == 500)
        #expect(invoice.number == "INV-000007")
        let entry = try #require(plan.entry)
        #expect(entry.postedAt == 500 && entry.sourceType == "invoice.finalized" && entry.sourceId == "in_1")
        #expect(
            entry.postings == [
                F.posting(.receivable(F.customer), 5900), F.posting(.revenue(F.usage), -3900),
                F.posting(.subscriptionRevenue(F.licence), -2000),
            ])
    }

    /// A promotional grant burns before a paid one of the same priority; a paid grant's cost is
    /// recognized in proportion, the rest of its face a discount; a licensed line takes no credit.
    @Test func creditsBurnInOrderAndTheJournalRecognizesTheirCost() throws {
        let paid = Finalization.Grant(
            grant: F.grant("credgr_paid", face: 5000, costBasis: 4000), available: 5000, netAppliedBefore: 0,
            prepaymentLeft: 4000)
        let plan = try Self.plan(try Self.draft(), grants: [paid, Self.promotional("credgr_promo", face: 1000)])
        #expect(
            plan.applications == [
                .init(grant: "credgr_promo", line: "il_usage", amount: 1000),
                .init(grant: "credgr_paid", line: "il_usage", amount: 2900),
            ])
        let invoice = plan.invoice(transactions: ["cbtxn_1", "cbtxn_2"])
        #expect(invoice.lines[0].creditAmounts.map(\.transaction) == ["cbtxn_1", "cbtxn_2"])
        #expect(invoice.lines[1].creditAmounts.isEmpty)
        #expect(invoice.subtotal == 5900 && invoice.total == 2000 && invoice.amountDue == 2000)
        #expect(
            plan.entry?.postings == [
                F.posting(.receivable(F.customer), 2000), F.posting(.credits("credgr_promo"), 1000),
                F.posting(.prepayments("credgr_paid"), 2320),  // round(4000 × 2900 / 5000)
                F.posting(.creditDiscounts("credgr_paid"), 580), F.posting(.revenue(F.usage), -3900),
                F.posting(.subscriptionRevenue(F.licence), -2000),
            ])
    }

    @Test func creditsCoveringEverythingDueLeaveItPaidAtOnce() throws {
        var draft = try Self.draft()
        draft.lines.removeLast()
        let plan = try Self.plan(draft, usage: "2", grants: [Self.promotional("credgr_promo", face: 10_000)])
        let invoice = plan.invoice(transactions: ["cbtxn_1"])
        #expect(invoice.total == 0 && invoice.amountDue == 0 && invoice.status == .paid && invoice.paidAt == 500)
        #expect(
            plan.entry?.postings == [F.posting(.credits("credgr_promo"), 1400), F.posting(.revenue(F.usage), -1400)])
    }

    /// The classic first invoice's metered lines are placeholders: no usage is priced, and
    /// nothing billed posts no entry.
    @Test func theFirstClassicInvoiceKeepsItsPlaceholders() throws {
        var draft = try Self.draft(reason: .subscriptionCreate)
        draft.lines.removeLast()
        let plan = try Self.plan(draft, grants: [Self.promotional("credgr_promo", face: 1000)])
        #expect(plan.recounted.isEmpty && plan.applications.isEmpty && plan.entry == nil)
        #expect(plan.invoice.lines[0].amount == 0 && plan.invoice.status == .paid)
    }

    @Test func onlyADraftIsFinalized() throws {
        let open = try F.invoice(status: .open, lines: [F.line("il_licence", price: F.licence, amount: 2000)])
        #expect { try Self.plan(open) } throws: { ($0 as? LedgerError)?.code == .invalidTransition }
    }

    @Test func aLineThatDoesNotFitIsAnOverflow() throws {
        var prices = Self.prices
        prices[F.usage] = Self.price(F.usage, .metered, .perUnit(unitAmount: Self.d("100000000"), transform: nil))
        let inputs = Finalization.Inputs(
            draft: try Self.draft(), instant: 500, number: 7, usage: ["il_usage": Self.d("999999999999999")],
            prices: prices, grants: [])
        #expect { try Finalization.plan(inputs) } throws: { ($0 as? LedgerError)?.code == .amountOverflow }
    }

    /// For random usage and grants: never more credit than a grant has or a line costs, the
    /// totals are the lines less the credits, and the entry balances with the receivable the total.
    @Test func anyPlanKeepsItsTotalsAndBalances() async {
        let grantGen = zip(Gen.bool, Gen.int64(in: 1...20_000), Gen.int(in: 0...2)).map {
            promotional, face, priority -> (Bool, Int64, Int) in (promotional, face, priority)
        }
        await propertyCheck(count: 300, input: Gen.int64(in: 0...40), grantGen.array(of: 0...4)) { units, specs in
            let grants = specs.enumerated().map { index, spec in
                var grant = F.grant("credgr_\(index)", face: spec.1, category: spec.0 ? .promotional : .paid)
                grant.priority = spec.2
                return Finalization.Grant(
                    grant: grant, available: spec.1, netAppliedBefore: 0,
                    prepaymentLeft: spec.0 ? 0 : grant.effectiveCostBasis)
            }
            let plan = try Self.plan(try Self.draft(), usage: "\(units)", grants: grants)
            let invoice = plan.invoice(transactions: plan.applications.map { "t_\($0.grant)" })
            let credited = invoice.creditAmounts.map(\.amount).reduce(0, +)
            #expect(credited <= invoice.lines[0].amount)
            for grant in grants {
                let taken = plan.applications.filter { $0.grant == grant.grant.id }.map(\.amount).reduce(0, +)
                #expect(taken <= grant.available)
            }
            #expect(invoice.total == invoice.subtotal - credited)
            #expect(invoice.status == (invoice.amountDue == 0 ? .paid : .open))
            let postings = plan.entry?.postings ?? []
            #expect(throws: Never.self) { try JournalEntry.checkBalanced(postings) }
            #expect((postings.first { $0.account == .receivable(F.customer) }?.amountMinor ?? 0) == invoice.total)
        }
    }
}
