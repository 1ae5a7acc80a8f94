import Testing

@testable import LedgerCore

/// Values the posting-rule suites build on: invoices, lines and grants with few fields to give.
enum RuleFixtures {
    static let usd = try! Currency(code: "usd")
    static let customer = Customer.ID("cus_1")
    static let usage = Price.ID("price_usage")
    static let licence = Price.ID("price_licence")
    static let meter = Meter.ID("mtr_tokens")

    static func line(
        _ id: String, price: Price.ID?, amount: Int64, meter: Meter.ID? = nil, credits: [CreditAmount] = [],
        period: (Int64, Int64) = (0, 100)
    ) -> InvoiceLine {
        var line = InvoiceLine(
            id: .init(id), kind: price == nil ? .invoiceItem : .subscription, price: price, subscriptionItem: nil,
            invoiceItem: price == nil ? .init("ii_\(id)") : nil, meter: meter, description: nil,
            quantity: ExactDecimal(1), amount: amount, currency: usd, periodStart: period.0, periodEnd: period.1)
        line.creditAmounts = credits
        return line
    }

    /// An invoice in `status` whose totals are those finalization gives its lines.
    static func invoice(
        _ id: String = "in_1", status: Invoice.Status = .open, reason: Invoice.BillingReason = .subscriptionCycle,
        customer: Customer.ID = customer, lines: [InvoiceLine]
    ) throws -> Invoice {
        let totals = try InvoiceTotals(lines: lines)
        var invoice = Invoice(
            id: .init(id), customer: customer, currency: usd, periodStart: 0, periodEnd: 100, created: 0,
            subscription: reason == .manual ? nil : .init("sub_1"), billingReason: reason, lines: lines,
            subtotal: totals.subtotal)
        invoice.status = status
        invoice.number = "INV-000001"
        invoice.total = totals.total
        invoice.amountDue = totals.amountDue
        invoice.amountRemaining = totals.amountDue
        invoice.finalizedAt = status == .draft ? nil : 100
        return invoice
    }

    static func grant(
        _ id: String, face: Int64, category: CreditGrant.Category = .paid, costBasis: Int64? = nil,
        fundingInvoice: Invoice.ID? = nil
    ) -> CreditGrant {
        CreditGrant(
            id: .init(id), customer: customer, name: nil, amount: Money(amountMinor: face, currency: usd),
            category: category, scope: .metered, priority: 50, effectiveAt: 0, expiresAt: nil, voidedAt: nil,
            costBasis: costBasis, fundingInvoice: fundingInvoice, metadata: [:], created: 0, sequence: 1)
    }

    static func posting(_ account: Account, _ amount: Int64) -> Posting {
        Posting(account: account, amountMinor: amount, currency: usd)
    }

    /// Each account's sum over `postings`, accounts whose sum is 0 left out.
    static func sums(_ postings: [Posting]) -> [Account: Int64] {
        var sums: [Account: Int64] = [:]
        for posting in postings { sums[posting.account, default: 0] += posting.amountMinor }
        return sums.filter { $0.value != 0 }
    }
}

/// The posting rules of SPEC §2.5–2.7 with exact figures, SCENARIOS P4 first.
@Suite struct PostingRulesTests {
    typealias F = RuleFixtures
    static let funding = Invoice.ID("in_funding")
    static let p4Grant = F.grant("credgr_p4", face: 12_000_000, costBasis: 10_000_000, fundingInvoice: funding)

    /// The February invoice of P4: metered 15,000 paid by the grant, licence 20,000.
    static func p4February(status: Invoice.Status = .open) throws -> Invoice {
        try F.invoice(
            "in_feb", status: status,
            lines: [
                F.line(
                    "il_usage", price: F.usage, amount: 15_000, meter: F.meter,
                    credits: [CreditAmount(amount: 15_000, transaction: "cbtxn_1", grant: "credgr_p4")]),
                F.line("il_licence", price: F.licence, amount: 20_000),
            ])
    }

    static func p4Finalization(_ invoice: Invoice) throws -> [Posting] {
        let credits = try PostingRules.applied(
            [.init(grant: p4Grant, applied: 15_000, netAppliedBefore: 0, prepaymentLeft: 10_000_000)],
            currency: F.usd)
        return try PostingRules.finalized(invoice: invoice, meteredPrices: [F.usage], creditPostings: credits)
    }

    // MARK: P4, a prepaid contract

    @Test func p4FundingInvoiceIsSoldAndPaid() throws {
        // Given the manual invoice of 10,000,000 for the credits, finalized.
        let invoice = try F.invoice(
            "in_funding", reason: .manual, lines: [F.line("il_credits", price: nil, amount: 10_000_000)])
        // Then it is receivable against invoice-item revenue, and the payment is cash.
        #expect(
            try PostingRules.finalized(invoice: invoice, meteredPrices: [], creditPostings: []) == [
                F.posting(.receivable(F.customer), 10_000_000), F.posting(.revenueInvoiceItems, -10_000_000),
            ])
        #expect(
            PostingRules.paid(invoice: invoice) == [
                F.posting(.cash, 10_000_000), F.posting(.receivable(F.customer), -10_000_000),
            ])
    }

    @Test func p4GrantReclassifiesTheSaleAsPrepayment() {
        #expect(
            PostingRules.granted(grant: Self.p4Grant) == [
                F.posting(.revenueInvoiceItems, 10_000_000), F.posting(.prepayments(.init("credgr_p4")), -10_000_000),
            ])
    }

    @Test func p4ApplicationRecognizesCostAndDiscount() throws {
        // 15,000 of face at 10,000,000 / 12,000,000: 12,500 at cost, 2,500 of discount.
        #expect(try PostingRules.costShare(cost: 10_000_000, part: 15_000, whole: 12_000_000) == 12_500)
        let invoice = try Self.p4February()
        #expect(
            try Self.p4Finalization(invoice) == [
                F.posting(.receivable(F.customer), 20_000),
                F.posting(.prepayments(.init("credgr_p4")), 12_500),
                F.posting(.creditDiscounts(.init("credgr_p4")), 2_500),
                F.posting(.revenue(F.usage), -15_000),
                F.posting(.subscriptionRevenue(F.licence), -20_000),
            ])
    }

    @Test func p4ExpiryBreaksThePrepaymentLeft() {
        let postings = PostingRules.expired(grant: Self.p4Grant, face: 11_985_000, prepaymentLeft: 9_987_500)
        #expect(
            postings == [
                F.posting(.prepayments(.init("credgr_p4")), 9_987_500),
                F.posting(.breakage(.init("credgr_p4")), -9_987_500),
            ])
        // Recognized at cost plus breakage is the cost basis.
        #expect(12_500 + 9_987_500 == Self.p4Grant.effectiveCostBasis)
        // Nothing left: no entry.
        #expect(PostingRules.expired(grant: Self.p4Grant, face: 0, prepaymentLeft: 0) == [])
    }

    // MARK: Paid grants: the edges

    @Test func aPaidGrantWithoutFundingInvoiceComesFromCash() {
        let grant = F.grant("credgr_cash", face: 5_000)
        #expect(
            PostingRules.granted(grant: grant) == [
                F.posting(.cash, 5_000), F.posting(.prepayments(.init("credgr_cash")), -5_000),
            ])
    }

    @Test func aFreePaidGrantPostsNothingAndAppliesAsDiscount() throws {
        let grant = F.grant("credgr_free", face: 5_000, costBasis: 0)
        #expect(PostingRules.granted(grant: grant) == [])
        let postings = try PostingRules.applied(
            [.init(grant: grant, applied: 700, netAppliedBefore: 0, prepaymentLeft: 0)], currency: F.usd)
        #expect(postings == [F.posting(.creditDiscounts(.init("credgr_free")), 700)])
        #expect(PostingRules.expired(grant: grant, face: 4_300, prepaymentLeft: 0) == [])
    }

    @Test func theCostRecognizedIsCappedByThePrepaymentLeft() throws {
        let grant = F.grant("credgr_cap", face: 100, costBasis: 100)
        let postings = try PostingRules.applied(
            [.init(grant: grant, applied: 50, netAppliedBefore: 0, prepaymentLeft: 30)], currency: F.usd)
        #expect(
            postings == [
                F.posting(.prepayments(.init("credgr_cap")), 30), F.posting(.creditDiscounts(.init("credgr_cap")), 20),
            ])
    }

    @Test func atFaceValueThereIsNoDiscount() throws {
        let grant = F.grant("credgr_face", face: 1_000)
        let postings = try PostingRules.applied(
            [.init(grant: grant, applied: 400, netAppliedBefore: 100, prepaymentLeft: 900)], currency: F.usd)
        #expect(postings == [F.posting(.prepayments(.init("credgr_face")), 400)])
    }

    @Test func costSharesRoundTheRunningTotalHalfAwayFromZero() throws {
        // 10 of cost over a face of 3, one unit at a time: 3.33 → 3, 6.67 → 7, 10 → 10.
        #expect(try (0...3).map { try PostingRules.costShare(cost: 10, part: $0, whole: 3) } == [0, 3, 7, 10])
        let grant = F.grant("credgr_thirds", face: 3, costBasis: 10)
        var pieces: [Int64] = []
        var left: Int64 = 10
        for net in 0..<3 {
            let postings = try PostingRules.applied(
                [.init(grant: grant, applied: 1, netAppliedBefore: Int64(net), prepaymentLeft: left)],
                currency: F.usd)
            let atCost = postings.first { $0.account == .prepayments(.init("credgr_thirds")) }?.amountMinor ?? 0
            pieces.append(atCost)
            left -= atCost
        }
        #expect(pieces == [3, 4, 3])
        #expect(left == 0)
        // Halves go away from zero.
        #expect(try PostingRules.costShare(cost: 1, part: 1, whole: 2) == 1)
        #expect(try PostingRules.costShare(cost: -1, part: 1, whole: 2) == -1)
        #expect(try PostingRules.costShare(cost: 1, part: 1, whole: 3) == 0)
    }

    @Test func aCostShareThatDoesNotFitIsRefused() throws {
        #expect(throws: LedgerError.self) { try PostingRules.costShare(cost: .max, part: 2, whole: 1) }
        #expect(try PostingRules.costShare(cost: .max, part: .max, whole: .max) == .max)
    }

    // MARK: Promotional grants

    @Test func aPromotionalGrantIsAnExpenseUntilItExpires() throws {
        let grant = F.grant("credgr_promo", face: 500, category: .promotional)
        #expect(
            PostingRules.granted(grant: grant) == [
                F.posting(.promotionalCredits, 500), F.posting(.credits(.init("credgr_promo")), -500),
            ])
        // Applied: the liability pays instead of the receivable; the invoice is covered, so no receivable.
        let invoice = try F.invoice(
            lines: [
                F.line(
                    "il_1", price: F.usage, amount: 200, meter: F.meter,
                    credits: [CreditAmount(amount: 200, transaction: nil, grant: "credgr_promo")])
            ])
        #expect(invoice.total == 0)
        let credits = try PostingRules.applied(
            [.init(grant: grant, applied: 200, netAppliedBefore: 0, prepaymentLeft: 0)], currency: F.usd)
        #expect(
            try PostingRules.finalized(invoice: invoice, meteredPrices: [F.usage], creditPostings: credits) == [
                F.posting(.credits(.init("credgr_promo")), 200), F.posting(.revenue(F.usage), -200),
            ])
        // Expired: the unused 300 of expense is reversed; nothing unused, nothing posted.
        #expect(
            PostingRules.expired(grant: grant, face: 300, prepaymentLeft: 0) == [
                F.posting(.credits(.init("credgr_promo")), 300), F.posting(.promotionalCredits, -300),
            ])
        #expect(PostingRules.expired(grant: grant, face: 0, prepaymentLeft: 0) == [])
    }

    @Test func creditsAreSummedPerGrantInFirstSeenOrder() throws {
        let credits = [
            CreditAmount(amount: 10, transaction: nil, grant: "credgr_b"),
            CreditAmount(amount: 5, transaction: nil, grant: "credgr_a"),
            CreditAmount(amount: 7, transaction: nil, grant: "credgr_b"),
        ]
        let perGrant = try PostingRules.appliedPerGrant(credits)
        #expect(perGrant.map(\.grant.rawValue) == ["credgr_b", "credgr_a"])
        #expect(perGrant.map(\.amount) == [17, 5])
        #expect(throws: LedgerError.self) {
            try PostingRules.appliedPerGrant([
                CreditAmount(amount: .max, transaction: nil, grant: "credgr_a"),
                CreditAmount(amount: 1, transaction: nil, grant: "credgr_a"),
            ])
        }
    }

    // MARK: Finalization

    @Test func revenueGoesPerAccountInFirstSeenOrder() throws {
        let invoice = try F.invoice(lines: [
            F.line("il_1", price: .init("price_a"), amount: 100, meter: F.meter),
            F.line("il_2", price: .init("price_b"), amount: 50),
            F.line("il_3", price: nil, amount: 0),
            F.line("il_4", price: .init("price_a"), amount: 25, meter: F.meter),
            F.line("il_5", price: .init("price_zero"), amount: 0),
            F.line("il_6", price: nil, amount: 10),
        ])
        #expect(
            try PostingRules.finalized(invoice: invoice, meteredPrices: [.init("price_a")], creditPostings: []) == [
                F.posting(.receivable(F.customer), 185),
                F.posting(.revenue(.init("price_a")), -125),
                F.posting(.subscriptionRevenue(.init("price_b")), -50),
                F.posting(.revenueInvoiceItems, -10),
            ])
    }

    @Test func nothingBilledPostsNothing() throws {
        let invoice = try F.invoice(lines: [F.line("il_1", price: F.usage, amount: 0, meter: F.meter)])
        #expect(try PostingRules.finalized(invoice: invoice, meteredPrices: [F.usage], creditPostings: []) == [])
        let empty = try F.invoice(lines: [])
        #expect(try PostingRules.finalized(invoice: empty, meteredPrices: [], creditPostings: []) == [])
    }

    // MARK: After finalization

    @Test func paymentAndWriteOff() throws {
        let open = try Self.p4February()
        #expect(
            PostingRules.paid(invoice: open) == [F.posting(.cash, 20_000), F.posting(.receivable(F.customer), -20_000)])
        #expect(
            PostingRules.markedUncollectible(invoice: open) == [
                F.posting(.uncollectible, 20_000), F.posting(.receivable(F.customer), -20_000),
            ])
        // Paid after the write-off: the cash comes against the write-off.
        let uncollectible = try Self.p4February(status: .uncollectible)
        #expect(
            PostingRules.paid(invoice: uncollectible) == [F.posting(.cash, 20_000), F.posting(.uncollectible, -20_000)])
        // Nothing remaining: nothing moves.
        var settled = open
        settled.amountRemaining = 0
        #expect(PostingRules.paid(invoice: settled) == [])
        #expect(PostingRules.markedUncollectible(invoice: settled) == [])
    }

    @Test func voidReversesTheFinalization() throws {
        let open = try Self.p4February()
        let finalization = try Self.p4Finalization(open)
        let void = PostingRules.voided(finalization: finalization, invoice: open)
        #expect(void == PostingRules.reversed(finalization))
        #expect(F.sums(finalization + void).isEmpty)
        #expect(PostingRules.voided(finalization: [], invoice: open) == [])
    }

    @Test func voidAfterWriteOffReversesAgainstTheWriteOff() throws {
        let open = try Self.p4February()
        let finalization = try Self.p4Finalization(open)
        let writeOff = PostingRules.markedUncollectible(invoice: open)
        let void = PostingRules.voided(finalization: finalization, invoice: try Self.p4February(status: .uncollectible))
        #expect(
            void == [
                F.posting(.uncollectible, -20_000),
                F.posting(.prepayments(.init("credgr_p4")), -12_500),
                F.posting(.creditDiscounts(.init("credgr_p4")), -2_500),
                F.posting(.revenue(F.usage), 15_000),
                F.posting(.subscriptionRevenue(F.licence), 20_000),
            ])
        // Finalized, written off, voided: every account back to zero.
        #expect(F.sums(finalization + writeOff + void).isEmpty)
    }

    @Test func reversalNegatesInOrder() {
        let postings = [F.posting(.promotionalCredits, 500), F.posting(.credits(.init("credgr_promo")), -500)]
        #expect(
            PostingRules.reversed(postings) == [
                F.posting(.promotionalCredits, -500), F.posting(.credits(.init("credgr_promo")), 500),
            ])
        #expect(PostingRules.reversed(PostingRules.reversed(postings)) == postings)
        #expect(PostingRules.reversed([]) == [])
    }
}
