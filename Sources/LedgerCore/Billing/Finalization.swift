/// Finalizing a draft (SPEC §2.5, §2.6), as a pure function of values read up front.
///
/// The caller reads the draft, the recounted usage of its metered lines, the prices of its
/// lines, the customer's grants with what each can pay, and the next invoice number; `plan`
/// decides everything else (quantities and amounts, credits in burn order, totals, status, the
/// journal entry); the caller then writes the plan in the same transaction. Nothing here reads
/// storage, so a plan is the same on any backend.
public enum Finalization {
    /// A grant the invoice may draw on, with what the journal needs to know of it.
    public struct Grant: Hashable, Sendable {
        public var grant: CreditGrant
        /// What it can pay at the finalization instant, in minor units (positive).
        public var available: Int64
        /// Paid grants: the net face applied before this invoice (`credits_applied` less
        /// `credits_application_invoice_voided`). 0 for promotional grants.
        public var netAppliedBefore: Int64
        /// Paid grants: what `liabilities:prepayments:<grant>` holds as of the instant, the
        /// negation of its balance. 0 for promotional grants.
        public var prepaymentLeft: Int64

        public init(grant: CreditGrant, available: Int64, netAppliedBefore: Int64 = 0, prepaymentLeft: Int64 = 0) {
            self.grant = grant
            self.available = available
            self.netAppliedBefore = netAppliedBefore
            self.prepaymentLeft = prepaymentLeft
        }
    }

    /// What a finalization is decided from.
    public struct Inputs: Sendable {
        /// The draft, as stored.
        public var draft: Invoice
        /// The finalization instant.
        public var instant: Int64
        /// The invoice's number in the gapless sequence.
        public var number: Int64
        /// The usage of each metered line, recounted as of `instant` (a negative total billing
        /// as 0). Not read for the classic first invoice, whose metered lines are placeholders.
        public var usage: [InvoiceLine.ID: ExactDecimal]
        /// The price of every line that has one.
        public var prices: [Price.ID: Price]
        /// The customer's grants that can pay something at `instant` (subscription invoices).
        public var grants: [Grant]

        public init(
            draft: Invoice, instant: Int64, number: Int64, usage: [InvoiceLine.ID: ExactDecimal],
            prices: [Price.ID: Price], grants: [Grant]
        ) {
            self.draft = draft
            self.instant = instant
            self.number = number
            self.usage = usage
            self.prices = prices
            self.grants = grants
        }
    }

    /// What a finalization writes.
    public struct Plan: Sendable {
        /// The invoice as finalized; its credit amounts name no balance transaction yet
        /// (`invoice(transactions:)` names them once they are booked).
        public var invoice: Invoice
        /// The metered lines whose usage was recounted, as they now stand.
        public var recounted: [InvoiceLine]
        /// The credit applications to book as `credits_applied`, in burn order.
        public var applications: [BurndownPlanner.Application]
        /// The finalization entry; nil when nothing is billed.
        public var entry: JournalEntry?

        /// The finalized invoice whose credit amounts name `transactions`, the IDs of the booked
        /// `applications`, one each in the same order.
        public func invoice(transactions: [String]) -> Invoice {
            precondition(transactions.count == applications.count, "one balance transaction per application")
            var invoice = self.invoice
            var next = 0
            for index in invoice.lines.indices {
                for credit in invoice.lines[index].creditAmounts.indices {
                    invoice.lines[index].creditAmounts[credit].transaction = transactions[next]
                    next += 1
                }
            }
            return invoice
        }
    }

    /// Decides a finalization.
    /// - Throws: `invalid_transition` unless the invoice is a draft; `amount_overflow` when a
    ///   line, a total or an account's revenue does not fit 64 bits.
    public static func plan(_ inputs: Inputs) throws -> Plan {
        var invoice = inputs.draft
        try InvoiceLifecycle.check(.finalize, from: invoice.status, invoice: invoice.id.rawValue)
        // Metered lines bill in arrears: priced from the recounted usage.
        var recounted: [InvoiceLine] = []
        if invoice.billingReason != .subscriptionCreate {
            for index in invoice.lines.indices where invoice.lines[index].meter != nil {
                let line = invoice.lines[index]
                guard let priceID = line.price, let price = inputs.prices[priceID], let quantity = inputs.usage[line.id]
                else { preconditionFailure("a metered line comes with its price and recounted usage") }
                invoice.lines[index].quantity = quantity
                invoice.lines[index].amount = try Pricing.quote(price.scheme, quantity: quantity).amount
                recounted.append(invoice.lines[index])
            }
        }
        // Credit grants apply in burn order, before the totals are frozen (subscription invoices).
        let grants = Dictionary(inputs.grants.map { ($0.grant.id, $0) }, uniquingKeysWith: { first, _ in first })
        var applications: [BurndownPlanner.Application] = []
        if invoice.subscription != nil && !inputs.grants.isEmpty {
            let lines = invoice.lines.map { line in
                BurndownPlanner.Line(
                    id: line.id, price: line.price, metered: isMetered(line, inputs.prices),
                    currency: line.currency, amount: line.amount, periodEnd: line.periodEnd,
                    subscription: invoice.subscription)
            }
            applications = BurndownPlanner.plan(
                grants: inputs.grants.map { BurndownPlanner.Grant($0.grant, available: $0.available) }, lines: lines)
            for application in applications {
                guard let index = invoice.lines.firstIndex(where: { $0.id == application.line }) else {
                    preconditionFailure("the planner applies credit to the invoice's own lines")
                }
                invoice.lines[index].creditAmounts.append(
                    CreditAmount(amount: application.amount, transaction: nil, grant: application.grant.rawValue))
            }
        }
        let totals = try invoice.totalsAfterCredits()
        invoice.subtotal = totals.subtotal
        invoice.total = totals.total
        invoice.amountDue = totals.amountDue
        invoice.amountPaid = 0
        invoice.amountRemaining = totals.amountDue
        invoice.number = Invoice.number(inputs.number)
        invoice.finalizedAt = inputs.instant
        invoice.status = totals.finalizedStatus
        invoice.failure = nil
        invoice.paidAt = invoice.status == .paid ? inputs.instant : nil
        // The journal: receivable against revenue, the credits between.
        let credits = try PostingRules.appliedPerGrant(invoice.creditAmounts).map { grantID, applied in
            guard let grant = grants[grantID] else { preconditionFailure("credit comes from a planned grant") }
            return PostingRules.GrantApplication(
                grant: grant.grant, applied: applied, netAppliedBefore: grant.netAppliedBefore,
                prepaymentLeft: grant.prepaymentLeft)
        }
        let metered = Set(invoice.lines.compactMap(\.price).filter { inputs.prices[$0]?.isMetered ?? false })
        let postings = try PostingRules.finalized(
            invoice: invoice, meteredPrices: metered,
            creditPostings: try PostingRules.applied(credits, currency: invoice.currency))
        let entry =
            postings.isEmpty
            ? nil
            : try JournalEntry.balanced(
                postedAt: inputs.instant, description: "Invoice \(invoice.number!) finalized",
                sourceType: "invoice.finalized", sourceId: invoice.id.rawValue, postings: postings)
        return Plan(invoice: invoice, recounted: recounted, applications: applications, entry: entry)
    }

    private static func isMetered(_ line: InvoiceLine, _ prices: [Price.ID: Price]) -> Bool {
        line.price.flatMap { prices[$0] }?.isMetered ?? false
    }
}
