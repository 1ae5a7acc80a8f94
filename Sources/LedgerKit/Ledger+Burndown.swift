extension Ledger {
    // MARK: Burndown at finalization

    /// The customer's grants that can pay something at `instant`, with what each can pay.
    static func spendableGrants(_ tx: StorageTransaction, customer: Customer.ID, at instant: Int64) throws
        -> [(grant: CreditGrant, available: Int64)]
    {
        try spendable(tx.grantStates(customer: customer, at: instant), tx, at: instant)
    }

    /// The grants of `states` not voided and effective by `instant` that can pay something, with
    /// what each can pay.
    static func spendable(_ states: [GrantState], _ tx: StorageTransaction, at instant: Int64) throws
        -> [(grant: CreditGrant, available: Int64)]
    {
        try states.compactMap { state in
            guard state.grant.voidedAt == nil, state.grant.effectiveAt <= instant else { return nil }
            // Capped by what later debits leave (they exist only after an allowed clock regression).
            let debitable =
                state.hasLater ? try tx.debitable(state.grant.id, at: instant) : max(0, state.totals.remaining)
            let available = min(available(state, at: instant), debitable)
            return available > 0 ? (state.grant, available) : nil
        }
    }

    /// The spendable grants with what the finalization's journal entry needs of the paid ones
    /// (`Finalization.Grant`).
    static func finalizationGrants(_ tx: StorageTransaction, customer: Customer.ID, at instant: Int64) throws
        -> [Finalization.Grant]
    {
        try spendableGrants(tx, customer: customer, at: instant).map { grant, available in
            guard grant.category == .paid else { return Finalization.Grant(grant: grant, available: available) }
            let totals = try tx.totals(grant.id)
            let left = -(try tx.accountBalance(.prepayments(grant.id), grant.amount.currency, asOf: instant))
            return Finalization.Grant(
                grant: grant, available: available, netAppliedBefore: totals.applied - totals.reinstated,
                prepaymentLeft: left)
        }
    }

    /// The spendable grants as the planner sees them.
    static func plannerGrants(_ tx: StorageTransaction, customer: Customer.ID, at instant: Int64) throws
        -> [BurndownPlanner.Grant]
    {
        try spendableGrants(tx, customer: customer, at: instant).map { BurndownPlanner.Grant($0, available: $1) }
    }

    /// A line is metered when it names a meter: assembly gives a line its price's meter exactly
    /// when the price is metered (the schema ties a price's meter to its usage type), so no
    /// price is read.
    static func plannerLines(_ invoice: Invoice) -> [BurndownPlanner.Line] {
        invoice.lines.map { line in
            BurndownPlanner.Line(
                id: line.id, price: line.price, metered: line.meter != nil, currency: line.currency,
                amount: line.amount, periodEnd: line.periodEnd, subscription: invoice.subscription)
        }
    }

    /// What the customer's subscription drafts would take if they finalized at `instant`, in
    /// finalization order, each after the ones before it; the `upcoming` invoices (previews) go
    /// last, in their order. Returns the plans of the drafts and, last, one plan per upcoming
    /// invoice (none at all when no grant can pay). `states`, when given, are the customer's
    /// `grantStates` at `instant`, already read.
    static func holds(
        _ tx: StorageTransaction, customer: Customer.ID, at instant: Int64, upcoming: [Invoice] = [],
        states: [GrantState]? = nil
    ) throws -> [[BurndownPlanner.Application]] {
        let candidates =
            try states.map { try spendable($0, tx, at: instant).map { BurndownPlanner.Grant($0, available: $1) } }
            ?? plannerGrants(tx, customer: customer, at: instant)
        guard !candidates.isEmpty else { return [] }
        var invoices = try tx.subscriptionDrafts(customer: customer)
        invoices += upcoming
        let lines = invoices.map(plannerLines)
        return BurndownPlanner.plan(grants: candidates, invoices: lines)
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
