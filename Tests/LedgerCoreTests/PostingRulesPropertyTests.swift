import PropertyBased
import Testing

@testable import LedgerCore

/// The posting rules' invariants over random invoices, grants and application histories.
@Suite struct PostingRulesPropertyTests {
    typealias F = RuleFixtures
    static let grantIDs = ["credgr_a", "credgr_b", "credgr_c"].map { CreditGrant.ID($0) }
    static let prices = ["price_a", "price_b", "price_c"].map { Price.ID($0) }

    /// What the journal knows of a grant: category, face, cost basis, net applied before, prepayment left.
    struct Facts {
        var category: CreditGrant.Category
        var face: Int64
        var cost: Int64
        var netBefore: Int64
        var prepaymentLeft: Int64
    }

    static let factsGen = zip(
        Gen.bool, Gen.int64(in: 1...1_000_000_000), Gen.int64(in: 0...2_000_000_000), Gen.int64(in: 0...100),
        Gen.int64(in: 0...100)
    ).map { input -> Facts in
        let (promotional, face, cost, netPercent, leftPercent) = input
        let effectiveCost = promotional ? 0 : cost
        return Facts(
            category: promotional ? .promotional : .paid, face: face, cost: effectiveCost,
            netBefore: face * netPercent / 100, prepaymentLeft: effectiveCost * leftPercent / 100)
    }

    /// A line: an invoice item, a licensed or a metered price; metered lines carry up to two
    /// credits that never exceed the line.
    static let lineGen = zip(
        Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int64(in: 0...1_000_000), Gen.int(in: 0...2),
        Gen.int64(in: 0...100), Gen.int(in: 0...2), Gen.int64(in: 0...100)
    ).map { input -> InvoiceLine in
        let (kind, price, amount, grant1, percent1, grant2, percent2) = input
        let metered = kind == 2
        var credits: [CreditAmount] = []
        if metered {
            let first = amount * percent1 / 100
            let second = (amount - first) * percent2 / 100
            for (grant, credit) in [(grant1, first), (grant2, second)] where credit > 0 {
                credits.append(CreditAmount(amount: credit, transaction: nil, grant: grantIDs[grant].rawValue))
            }
        }
        return F.line(
            "il_?", price: kind == 0 ? nil : prices[price], amount: amount, meter: metered ? F.meter : nil,
            credits: credits)
    }

    static let linesGen = lineGen.array(of: 0...6).map { lines -> [InvoiceLine] in
        lines.enumerated().map { index, line in
            var l = line
            l.id = InvoiceLine.ID("il_\(index)")
            return l
        }
    }

    /// A price is metered here when the lines bill it with a meter (as storage would say).
    static func meteredPrices(_ lines: [InvoiceLine]) -> Set<Price.ID> {
        Set(lines.filter { $0.meter != nil }.compactMap(\.price))
    }

    static func finalization(_ invoice: Invoice, _ facts: [Facts]) throws -> [Posting] {
        let applications = try PostingRules.appliedPerGrant(invoice.creditAmounts).map { grant, amount in
            let f = facts[grantIDs.firstIndex(of: grant)!]
            return PostingRules.GrantApplication(
                grant: grant, category: f.category, face: f.face, costBasis: f.cost, applied: amount,
                netAppliedBefore: f.netBefore, prepaymentLeft: f.prepaymentLeft)
        }
        let credits = try PostingRules.applied(applications, currency: F.usd)
        #expect(try MinorUnits.sum(credits.map(\.amountMinor)) == invoice.subtotal - invoice.total)
        return try PostingRules.finalized(
            invoice: invoice, meteredPrices: meteredPrices(invoice.lines), creditPostings: credits)
    }

    static func expectBalanced(_ postings: [Posting]) {
        guard !postings.isEmpty else { return }
        #expect(throws: Never.self) { try JournalEntry.checkBalanced(postings) }
    }

    // MARK: Every rule balances

    /// Finalization, payment, write-off and void of any invoice balance; the void undoes the
    /// finalization account by account, with or without a write-off between.
    @Test func invoiceEntriesBalanceAndVoidUndoesThem() async {
        await propertyCheck(count: 500, input: Self.linesGen, Self.factsGen.array(of: 3)) { lines, facts in
            let open = try F.invoice(lines: lines)
            let finalization = try Self.finalization(open, facts)
            #expect(finalization.isEmpty == (open.subtotal == 0))
            Self.expectBalanced(finalization)
            let receivable = finalization.filter { $0.account == .receivable(F.customer) }.map(\.amountMinor)
            #expect(receivable == (finalization.isEmpty || open.total == 0 ? [] : [open.total]))

            let paid = PostingRules.paid(invoice: open)
            let writeOff = PostingRules.markedUncollectible(invoice: open)
            let void = PostingRules.voided(finalization: finalization, invoice: open)
            for postings in [paid, writeOff, void] { Self.expectBalanced(postings) }
            #expect(F.sums(finalization + void).isEmpty)
            #expect(
                F.sums(finalization + paid)
                    == (open.total == 0 ? [:] : [.cash: open.total]).merging(
                        F.sums(finalization).filter { $0.key != .receivable(F.customer) }, uniquingKeysWith: +))

            var uncollectible = open
            uncollectible.status = .uncollectible
            let voidWrittenOff = PostingRules.voided(finalization: finalization, invoice: uncollectible)
            Self.expectBalanced(voidWrittenOff)
            #expect(F.sums(finalization + writeOff + voidWrittenOff).isEmpty)
        }
    }

    /// Granting, expiring and reversing any grant balance; a reversal undoes what it reverses.
    @Test func grantEntriesBalance() async {
        let input = zip(
            Gen.bool, Gen.int64(in: 1...1_000_000_000), Gen.int(in: 0...2), Gen.int64(in: 0...1_000_000_000),
            Gen.bool, Gen.int64(in: -5...1_000_000_000), Gen.int64(in: -5...1_000_000_000))
        await propertyCheck(count: 500, input: input) { input in
            let (promotional, face, costKind, cost, funded, expiredFace, left) = input
            let grant = F.grant(
                "credgr_x", face: face, category: promotional ? .promotional : .paid,
                costBasis: promotional || costKind == 0 ? nil : (costKind == 1 ? 0 : cost),
                fundingInvoice: !promotional && funded ? .init("in_funding") : nil)
            let granted = PostingRules.granted(grant: grant)
            #expect(granted.isEmpty == (grant.effectiveCostBasis == 0 && !promotional))
            let expired = PostingRules.expired(grant: grant, face: expiredFace, prepaymentLeft: left)
            #expect(expired.isEmpty == (promotional ? expiredFace <= 0 : left <= 0))
            for postings in [granted, expired, PostingRules.reversed(granted), PostingRules.reversed(expired)] {
                Self.expectBalanced(postings)
            }
            #expect(F.sums(granted + PostingRules.reversed(granted)).isEmpty)
            #expect(F.sums(expired + PostingRules.reversed(expired)).isEmpty)
        }
    }

    // MARK: Cost shares

    /// What one application of a paid grant recognizes at cost, checking that it splits the face applied.
    static func recognize(
        _ grant: CreditGrant, applied: Int64, netBefore: Int64, left: Int64
    ) throws -> Int64 {
        let postings = try PostingRules.applied(
            [.init(grant: grant, applied: applied, netAppliedBefore: netBefore, prepaymentLeft: left)],
            currency: F.usd)
        let atCost = postings.first { $0.account == .prepayments(grant.id) }?.amountMinor ?? 0
        let discount = postings.first { $0.account == .creditDiscounts(grant.id) }?.amountMinor ?? 0
        #expect(atCost + discount == applied)
        #expect(atCost >= 0 && atCost <= left)
        return atCost
    }

    /// Applied piece by piece until the whole face is used, a paid grant recognizes its cost
    /// basis exactly, whatever the pieces and the ratio of cost to face: nothing is left to break.
    @Test func costSharesSumToTheCostWhenTheWholeFaceIsApplied() async {
        let input = zip(Gen.int64(in: 1...1_000_000).array(of: 1...20), Gen.int64(in: 0...1_000_000_000_000))
        await propertyCheck(count: 500, input: input) { input in
            let (pieces, cost) = input
            let face = pieces.reduce(0, +)
            let grant = F.grant("credgr_x", face: face, costBasis: cost)
            var net: Int64 = 0
            var left = cost
            for piece in pieces {
                let atCost = try Self.recognize(grant, applied: piece, netBefore: net, left: left)
                #expect(
                    atCost == (try PostingRules.costShare(cost: cost, part: net + piece, whole: face))
                        - (try PostingRules.costShare(cost: cost, part: net, whole: face)))
                net += piece
                left -= atCost
            }
            #expect(left == 0)
            #expect(PostingRules.expired(grant: grant, face: 0, prepaymentLeft: left) == [])
        }
    }

    /// With invoices voided between applications (their cost given back to the prepayment), the
    /// cost basis is always recognized or still prepaid, never more; what is left at expiry is
    /// breakage, so recognized + breakage = cost basis.
    @Test func voidsKeepTheCostBasisWhole() async {
        let step = zip(Gen.bool, Gen.int(in: 0...19), Gen.int64(in: 1...1_000_000))
        let input = zip(step.array(of: 1...20), Gen.int64(in: 1...5_000_000), Gen.int64(in: 0...1_000_000_000))
        await propertyCheck(count: 500, input: input) { input in
            let (steps, face, cost) = input
            let grant = F.grant("credgr_x", face: face, costBasis: cost)
            var active: [(applied: Int64, atCost: Int64)] = []
            var net: Int64 = 0
            var left = cost
            func apply(_ amount: Int64) throws {
                let atCost = try Self.recognize(grant, applied: amount, netBefore: net, left: left)
                active.append((amount, atCost))
                net += amount
                left -= atCost
            }
            for (void, index, piece) in steps {
                if void, !active.isEmpty {
                    let undone = active.remove(at: index % active.count)
                    net -= undone.applied
                    left += undone.atCost
                } else if net < face {
                    try apply(min(piece, face - net))
                }
                #expect(left >= 0)
                #expect(active.reduce(0) { $0 + $1.atCost } + left == cost)
            }
            if net < face { try apply(face - net) }
            let recognized = active.reduce(0) { $0 + $1.atCost }
            #expect(recognized <= cost)
            let expiry = PostingRules.expired(grant: grant, face: 0, prepaymentLeft: left)
            let breakage = -(expiry.first { $0.account == .breakage(grant.id) }?.amountMinor ?? 0)
            #expect(breakage == left)
            #expect(recognized + breakage == cost)
        }
    }

    /// A share of a part of the whole lies within [0, cost] and grows with the part.
    @Test func costSharesAreMonotoneAndBounded() async {
        let input = zip(
            Gen.int64(in: 0...Int64.max), Gen.int64(in: 1...Int64.max), Gen.int64(in: 0...100), Gen.int64(in: 0...100))
        await propertyCheck(count: 500, input: input) { input in
            let (cost, whole, p, q) = input
            let (small, large) = (min(p, q), max(p, q))
            let a = Int64(Int128(whole) * Int128(small) / 100)
            let b = Int64(Int128(whole) * Int128(large) / 100)
            let shareA = try PostingRules.costShare(cost: cost, part: a, whole: whole)
            let shareB = try PostingRules.costShare(cost: cost, part: b, whole: whole)
            #expect(0 <= shareA && shareA <= shareB && shareB <= cost)
            #expect(try PostingRules.costShare(cost: cost, part: whole, whole: whole) == cost)
            #expect(try PostingRules.costShare(cost: cost, part: 0, whole: whole) == 0)
        }
    }
}
