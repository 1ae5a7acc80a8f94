/// The postings of every movement of money or credit (SPEC §2.7), as pure functions of values.
///
/// Each rule returns the postings of one journal entry, in the order they are stored, or `[]`
/// when nothing moves and no entry is posted. What only storage knows (whether a price is
/// metered, a grant's applications so far, what a prepayment account holds) comes in as values.
/// The accounts are the README's chart of accounts; signs follow hledger (a debit is positive).
///
/// Invariant: every non-empty result of an entry rule has two or more postings summing to zero
/// per currency. A result that breaks it means the caller passed values that disagree with each
/// other (an invoice whose totals are not its lines less its credits), so it is a
/// `precondition`; `JournalEntry.balanced` checks the entry again before storage.
public enum PostingRules {
    // MARK: Invoices (SPEC §2.5)

    /// The revenue account of an invoice line: `revenue:usage:<price>` for a metered price,
    /// `revenue:subscriptions:<price>` for a licensed or one-time price, `revenue:invoice_items`
    /// for a line without a price (an invoice item).
    public static func revenueAccount(of line: InvoiceLine, metered: Bool) -> Account {
        guard let price = line.price else { return .revenueInvoiceItems }
        return metered ? .revenue(price) : .subscriptionRevenue(price)
    }

    /// The finalization entry: the receivable for the total, the credits applied, and the
    /// revenue of each line's account against them.
    ///
    /// Postings, in order: `assets:receivable:<customer>` +total (left out when the total is 0);
    /// `creditPostings` as given; then each revenue account −(its lines' amounts), in the order
    /// its first non-zero line appears. `[]` when the subtotal is 0 (nothing is billed).
    ///
    /// - Parameters:
    ///   - invoice: the invoice with its finalized totals (`subtotal`, `total`) and lines.
    ///   - meteredPrices: the prices of its lines whose usage type is `metered`; any other price
    ///     is licensed or one-time.
    ///   - creditPostings: the credit side, `applied(_:currency:)` of the invoice's credits.
    /// - Throws: `amount_overflow` when an account's revenue does not fit 64 bits.
    public static func finalized(
        invoice: Invoice, meteredPrices: Set<Price.ID>, creditPostings: [Posting]
    ) throws -> [Posting] {
        guard invoice.subtotal != 0 else { return [] }
        var revenue: [Account: Int64] = [:]
        var order: [Account] = []
        for line in invoice.lines where line.amount != 0 {
            let metered = line.price.map { meteredPrices.contains($0) } ?? false
            let account = revenueAccount(of: line, metered: metered)
            if revenue[account] == nil { order.append(account) }
            let (sum, overflow) = (revenue[account] ?? 0).subtractingReportingOverflow(line.amount)
            if overflow { throw LedgerError.amountOverflow("the revenue of \(account) does not fit 64 bits") }
            revenue[account] = sum
        }
        var postings: [Posting] = []
        if invoice.total != 0 {
            postings.append(
                Posting(account: .receivable(invoice.customer), amountMinor: invoice.total, currency: invoice.currency))
        }
        postings += creditPostings
        postings += order.map { Posting(account: $0, amountMinor: revenue[$0]!, currency: invoice.currency) }
        return balanced(postings)
    }

    /// A payment recorded out of band: `assets:cash` +remaining against
    /// `assets:receivable:<customer>`, or against `expenses:uncollectible` when the invoice was
    /// written off. `[]` when nothing remains to pay.
    ///
    /// - Parameter invoice: the invoice before the payment (open or uncollectible).
    public static func paid(invoice: Invoice) -> [Posting] {
        precondition(InvoiceLifecycle.allowed(.pay).contains(invoice.status), "only open or uncollectible is paid")
        precondition(invoice.amountRemaining >= 0, "an invoice never has less than nothing remaining")
        let amount = invoice.amountRemaining
        guard amount != 0 else { return [] }
        let from: Account = invoice.status == .uncollectible ? .uncollectible : .receivable(invoice.customer)
        return balanced([
            Posting(account: .cash, amountMinor: amount, currency: invoice.currency),
            Posting(account: from, amountMinor: -amount, currency: invoice.currency),
        ])
    }

    /// A write-off: `expenses:uncollectible` +remaining against `assets:receivable:<customer>`.
    /// `[]` when nothing remains to pay.
    ///
    /// - Parameter invoice: the invoice before it is marked (open).
    public static func markedUncollectible(invoice: Invoice) -> [Posting] {
        precondition(InvoiceLifecycle.allowed(.markUncollectible).contains(invoice.status), "only open is written off")
        precondition(invoice.amountRemaining >= 0, "an invoice never has less than nothing remaining")
        let amount = invoice.amountRemaining
        guard amount != 0 else { return [] }
        return balanced([
            Posting(account: .uncollectible, amountMinor: amount, currency: invoice.currency),
            Posting(account: .receivable(invoice.customer), amountMinor: -amount, currency: invoice.currency),
        ])
    }

    /// A void: the finalization entry's postings negated, in the same order; when the invoice
    /// was uncollectible, `assets:receivable:<customer>` is replaced by `expenses:uncollectible`
    /// (the write-off took the receivable). `[]` when there was no finalization entry.
    ///
    /// - Parameters:
    ///   - finalization: the postings of the invoice's finalization entry (`[]` if none was posted).
    ///   - invoice: the invoice before the void (open or uncollectible).
    public static func voided(finalization: [Posting], invoice: Invoice) -> [Posting] {
        precondition(InvoiceLifecycle.allowed(.void).contains(invoice.status), "only open or uncollectible is voided")
        let receivable = Account.receivable(invoice.customer)
        let writtenOff = invoice.status == .uncollectible
        return balanced(
            finalization.map { posting in
                Posting(
                    account: writtenOff && posting.account == receivable ? .uncollectible : posting.account,
                    amountMinor: -posting.amountMinor, currency: posting.currency)
            })
    }

    // MARK: Credit grants (SPEC §2.6)

    /// A grant becoming effective. Promotional: `expenses:promotional_credits` +face against
    /// `liabilities:credits:<grant>`. Paid: `liabilities:prepayments:<grant>` −cost basis against
    /// `revenue:invoice_items` (reclassified from the funding invoice's sale) or `assets:cash`
    /// (sold outside the ledger); `[]` when the effective cost basis is 0.
    public static func granted(grant: CreditGrant) -> [Posting] {
        let currency = grant.amount.currency
        switch grant.category {
        case .promotional:
            let face = grant.amount.amountMinor
            precondition(face > 0, "a grant's face value is positive")
            return balanced([
                Posting(account: .promotionalCredits, amountMinor: face, currency: currency),
                Posting(account: .credits(grant.id), amountMinor: -face, currency: currency),
            ])
        case .paid:
            let cost = grant.effectiveCostBasis
            guard cost > 0 else { return [] }
            let from: Account = grant.fundingInvoice == nil ? .cash : .revenueInvoiceItems
            return balanced([
                Posting(account: from, amountMinor: cost, currency: currency),
                Posting(account: .prepayments(grant.id), amountMinor: -cost, currency: currency),
            ])
        }
    }

    /// What a finalization applies of one grant, with what the journal needs to know of the grant.
    public struct GrantApplication: Hashable, Sendable {
        public var grant: CreditGrant.ID
        public var category: CreditGrant.Category
        /// The grant's face value (`amount`), in minor units; positive.
        public var face: Int64
        /// The effective cost basis (`CreditGrant.effectiveCostBasis`): 0 for promotional.
        public var costBasis: Int64
        /// The face value this invoice applies: the sum of its credit amounts naming the grant.
        public var applied: Int64
        /// The net face applied before this invoice: the grant's `credits_applied` less its
        /// `credits_application_invoice_voided`, without this invoice's applications.
        public var netAppliedBefore: Int64
        /// What `liabilities:prepayments:<grant>` still holds as of the finalization, before this
        /// entry: the negation of its balance (0 for promotional).
        public var prepaymentLeft: Int64

        public init(
            grant: CreditGrant.ID, category: CreditGrant.Category, face: Int64, costBasis: Int64, applied: Int64,
            netAppliedBefore: Int64, prepaymentLeft: Int64
        ) {
            self.grant = grant
            self.category = category
            self.face = face
            self.costBasis = costBasis
            self.applied = applied
            self.netAppliedBefore = netAppliedBefore
            self.prepaymentLeft = prepaymentLeft
        }

        /// The application of `applied` from `grant`, its category, face and cost basis taken from it.
        public init(grant: CreditGrant, applied: Int64, netAppliedBefore: Int64, prepaymentLeft: Int64) {
            self.init(
                grant: grant.id, category: grant.category, face: grant.amount.amountMinor,
                costBasis: grant.effectiveCostBasis, applied: applied, netAppliedBefore: netAppliedBefore,
                prepaymentLeft: prepaymentLeft)
        }
    }

    /// An invoice's credit amounts summed per grant, grants in the order they first appear
    /// (lines in invoice order, each line's credits in order).
    /// - Throws: `amount_overflow` when a grant's sum does not fit 64 bits.
    public static func appliedPerGrant(_ credits: [CreditAmount]) throws -> [(grant: CreditGrant.ID, amount: Int64)] {
        var perGrant: [(grant: CreditGrant.ID, amount: Int64)] = []
        for credit in credits {
            let grant = CreditGrant.ID(credit.grant)
            guard let index = perGrant.firstIndex(where: { $0.grant == grant }) else {
                perGrant.append((grant, credit.amount))
                continue
            }
            let (sum, overflow) = perGrant[index].amount.addingReportingOverflow(credit.amount)
            if overflow { throw LedgerError.amountOverflow("the credits of grant '\(grant)' do not fit 64 bits") }
            perGrant[index].amount = sum
        }
        return perGrant
    }

    /// The credit side of a finalization entry, one grant after the other in the given order
    /// (`appliedPerGrant`'s). It stands where the receivable would have been; it balances only
    /// with the rest of `finalized`.
    ///
    /// Promotional: `liabilities:credits:<grant>` +applied. Paid: the cost recognized,
    /// `costShare(netAfter) − costShare(netBefore)` so the pieces add up to the cost basis exactly
    /// once the whole face is applied, capped by the prepayment left, on
    /// `liabilities:prepayments:<grant>`; the rest of the face on `revenue:credit_discounts:<grant>`
    /// (a contra-revenue). A paid posting of 0 is left out.
    /// - Throws: `amount_overflow`.
    public static func applied(_ applications: [GrantApplication], currency: Currency) throws -> [Posting] {
        var postings: [Posting] = []
        for application in applications {
            let grant = application.grant
            switch application.category {
            case .promotional:
                postings.append(Posting(account: .credits(grant), amountMinor: application.applied, currency: currency))
            case .paid:
                let (netAfter, overflow) = application.netAppliedBefore.addingReportingOverflow(application.applied)
                if overflow { throw LedgerError.amountOverflow("the net credit applied of '\(grant)' does not fit") }
                let cost = application.costBasis
                let after = try costShare(cost: cost, part: netAfter, whole: application.face)
                let before = try costShare(cost: cost, part: application.netAppliedBefore, whole: application.face)
                let (recognized, overflowShare) = after.subtractingReportingOverflow(before)
                if overflowShare { throw LedgerError.amountOverflow("the cost recognized of '\(grant)' does not fit") }
                let atCost = min(recognized, application.prepaymentLeft)
                let (discount, overflowDiscount) = application.applied.subtractingReportingOverflow(atCost)
                if overflowDiscount { throw LedgerError.amountOverflow("the discount of '\(grant)' does not fit") }
                if atCost != 0 {
                    postings.append(Posting(account: .prepayments(grant), amountMinor: atCost, currency: currency))
                }
                if discount != 0 {
                    postings.append(
                        Posting(account: .creditDiscounts(grant), amountMinor: discount, currency: currency))
                }
            }
        }
        return postings
    }

    /// `round(cost × part ÷ whole)`, halves away from zero, computed exactly (Int128): the cost
    /// basis that follows `part` of a grant's face value `whole`. Rounding the running total, not
    /// each piece, makes the pieces of a fully applied grant add up to `cost` exactly.
    /// - Throws: `amount_overflow` when the share does not fit 64 bits.
    public static func costShare(cost: Int64, part: Int64, whole: Int64) throws -> Int64 {
        precondition(whole > 0, "a grant's face value is positive")
        let exact = ExactDecimal(significand: Int128(cost) * Int128(part), scale: 0)
        return try exact.divided(byInteger: whole, rounding: .halfAwayFromZero).int64Exactly()
    }

    /// An expiry (or a reinstatement to a grant already expired or voided). Promotional:
    /// `liabilities:credits:<grant>` +face against `expenses:promotional_credits` (the unused
    /// expense reversed), `[]` when `face` is not positive. Paid: `liabilities:prepayments:<grant>`
    /// +left against `revenue:breakage:<grant>`, `[]` when nothing is left.
    ///
    /// - Parameters:
    ///   - face: the face value that expires (used for promotional grants).
    ///   - prepaymentLeft: what `liabilities:prepayments:<grant>` holds at the expiry instant, the
    ///     negation of its balance (used for paid grants).
    public static func expired(grant: CreditGrant, face: Int64, prepaymentLeft: Int64) -> [Posting] {
        let currency = grant.amount.currency
        switch grant.category {
        case .promotional:
            guard face > 0 else { return [] }
            return balanced([
                Posting(account: .credits(grant.id), amountMinor: face, currency: currency),
                Posting(account: .promotionalCredits, amountMinor: -face, currency: currency),
            ])
        case .paid:
            guard prepaymentLeft > 0 else { return [] }
            return balanced([
                Posting(account: .prepayments(grant.id), amountMinor: prepaymentLeft, currency: currency),
                Posting(account: .breakage(grant.id), amountMinor: -prepaymentLeft, currency: currency),
            ])
        }
    }

    /// A correction (a grant voided: its granting and expiry entries): every posting negated, in
    /// the same order. Entries are append-only, so a correction is a new entry that reverses.
    public static func reversed(_ postings: [Posting]) -> [Posting] {
        balanced(postings.map { Posting(account: $0.account, amountMinor: -$0.amountMinor, currency: $0.currency) })
    }

    // MARK: The invariant

    /// `postings` unchanged, after asserting SPEC §2.7's invariant: none, or two or more summing
    /// to zero per currency (in Int128, so the check itself cannot overflow).
    static func balanced(_ postings: [Posting]) -> [Posting] {
        guard !postings.isEmpty else { return postings }
        precondition(postings.count >= 2, "a journal entry has two or more postings")
        var sums: [Currency: Int128] = [:]
        for posting in postings { sums[posting.currency, default: 0] += Int128(posting.amountMinor) }
        for sum in sums.values { precondition(sum == 0, "a journal entry's postings sum to zero per currency") }
        return postings
    }
}
