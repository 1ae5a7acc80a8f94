extension Ledger {
    // MARK: Burndown at finalization

    /// Applies the customer's grants to a subscription invoice finalizing at `instant` (SPEC
    /// §2.6): the planner's applications, each a `credits_applied` transaction. Returns the
    /// invoice with its lines' credit amounts.
    static func applyCredits(
        _ tx: StorageTransaction, _ invoice: Invoice, at instant: Int64, now: Int64, cache: inout [Price.ID: PriceInfo]
    ) throws
        -> Invoice
    {
        guard invoice.subscription != nil else { return invoice }
        let plan = try planCredits(tx, invoice, at: instant, cache: &cache)
        guard !plan.applications.isEmpty else { return invoice }
        var invoice = invoice
        for application in plan.applications {
            let grant = plan.grants[application.grant]!
            let transaction = try tx.book(
                grant: grant, kind: .creditsApplied, amount: application.amount, at: instant, now: now,
                invoice: invoice.id, line: application.line)
            let index = invoice.lines.firstIndex { $0.id == application.line }!
            invoice.lines[index].creditAmounts.append(
                CreditAmount(amount: application.amount, transaction: transaction, grant: grant.id.rawValue))
        }
        return invoice
    }

    /// The planner's applications for `invoice` at `instant`, with the grants it drew on.
    static func planCredits(
        _ tx: StorageTransaction, _ invoice: Invoice, at instant: Int64, cache: inout [Price.ID: PriceInfo]
    )
        throws
        -> (applications: [BurndownPlanner.Application], grants: [CreditGrant.ID: CreditGrant])
    {
        let (candidates, grants) = try plannerGrants(tx, customer: invoice.customer, at: instant)
        guard !candidates.isEmpty else { return ([], [:]) }
        let lines = try plannerLines(tx, invoice, cache: &cache)
        return (BurndownPlanner.plan(grants: candidates, lines: lines), grants)
    }

    /// The customer's grants that can pay something at `instant`, as the planner sees them.
    static func plannerGrants(_ tx: StorageTransaction, customer: Customer.ID, at instant: Int64) throws
        -> ([BurndownPlanner.Grant], [CreditGrant.ID: CreditGrant])
    {
        var grants: [CreditGrant.ID: CreditGrant] = [:]
        var candidates: [BurndownPlanner.Grant] = []
        for grant in try tx.effectiveGrants(customer: customer, at: instant) {
            let available = try available(tx, grant, at: instant)
            guard available > 0 else { continue }
            grants[grant.id] = grant
            candidates.append(
                BurndownPlanner.Grant(
                    id: grant.id, currency: grant.amount.currency, scope: grant.scope, priority: grant.priority,
                    expiresAt: grant.expiresAt, category: grant.category, effectiveAt: grant.effectiveAt,
                    sequence: grant.sequence, available: available))
        }
        return (candidates, grants)
    }

    static func plannerLines(_ tx: StorageTransaction, _ invoice: Invoice, cache: inout [Price.ID: PriceInfo]) throws
        -> [BurndownPlanner.Line]
    {
        try invoice.lines.map { line in
            BurndownPlanner.Line(
                id: line.id, price: line.price,
                metered: try line.price.map { try tx.priceInfo($0, cache: &cache).isMetered } ?? false,
                currency: line.currency, amount: line.amount, periodEnd: line.periodEnd)
        }
    }

    /// What the customer's subscription drafts would take if they finalized at `instant`, in
    /// finalization order, each after the ones before it; `upcoming` (a preview) goes last.
    /// Returns the plans of the drafts and, last, the plan of `upcoming` when given.
    static func holds(
        _ tx: StorageTransaction, customer: Customer.ID, at instant: Int64, upcoming: Invoice? = nil,
        cache: inout [Price.ID: PriceInfo]
    ) throws -> [[BurndownPlanner.Application]] {
        let (candidates, _) = try plannerGrants(tx, customer: customer, at: instant)
        guard !candidates.isEmpty else { return [] }
        var invoices = try tx.subscriptionDrafts(customer: customer)
        if let upcoming { invoices.append(upcoming) }
        let lines = try invoices.map { try plannerLines(tx, $0, cache: &cache) }
        return BurndownPlanner.plan(grants: candidates, invoices: lines)
    }

    /// The journal postings of a finalization's credit applications: the credit liability
    /// (promotional) or the prepayment at cost and the discount (paid) instead of receivable.
    static func creditPostings(_ tx: StorageTransaction, _ invoice: Invoice) throws -> [Posting] {
        // What each grant had applied before this invoice (its transactions are already booked)
        // and its prepayment left: the values the rule needs, read here.
        let applications = try PostingRules.appliedPerGrant(invoice.creditAmounts).map { grantID, applied in
            let grant = try tx.fetchGrant(grantID)
            let totals = try tx.totals(grant.id)
            let left = -(try tx.accountBalance(.prepayments(grant.id), invoice.currency, asOf: invoice.finalizedAt!))
            return PostingRules.GrantApplication(
                grant: grant, applied: applied, netAppliedBefore: totals.applied - totals.reinstated - applied,
                prepaymentLeft: left)
        }
        return try PostingRules.applied(applications, currency: invoice.currency)
    }

    /// On an invoice's void: each application returns to its grant; to a grant expired by then
    /// it expires again at once.
    static func reinstateCredits(_ tx: StorageTransaction, _ invoice: Invoice, at instant: Int64) throws {
        for application in try tx.creditApplications(of: invoice.id) {
            let grant = try tx.fetchGrant(application.grant)
            let amount = application.amount.amountMinor
            try tx.book(
                grant: grant, kind: .creditsApplicationInvoiceVoided, amount: amount, at: instant, now: instant,
                invoice: invoice.id, line: application.invoiceLine)
            let booked = try tx.expiryBookedAt(grant.id)
            let expired = booked != nil || (grant.expiresAt.map { $0 <= instant } ?? false)
            if expired || grant.voidedAt != nil {
                try tx.book(grant: grant, kind: .creditsExpired, amount: amount, at: instant, now: instant)
                try postExpiry(tx, grant, face: amount, at: instant)
            }
        }
    }
}
