/// What a caller gives to create a recurring credit allowance.
public struct AllowanceParams: Sendable {
    public var id: Allowance.ID?
    public var subscription: Subscription.ID
    /// Each period's grant, in the subscription's currency.
    public var amount: Money
    public var category: CreditGrant.Category
    public var scope: CreditGrant.Scope
    public var priority: Int
    public var rolloverMax: Int64?
    public var rolloverPeriods: Int
    public var name: String?
    public var metadata: [String: String]

    public init(
        id: Allowance.ID? = nil, subscription: Subscription.ID, amount: Money,
        category: CreditGrant.Category = .promotional, scope: CreditGrant.Scope = .metered, priority: Int = 50,
        rolloverMax: Int64? = nil, rolloverPeriods: Int = 1, name: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.subscription = subscription
        self.amount = amount
        self.category = category
        self.scope = scope
        self.priority = priority
        self.rolloverMax = rolloverMax
        self.rolloverPeriods = rolloverPeriods
        self.name = name
        self.metadata = metadata
    }
}

extension Ledger {
    // MARK: Allowances

    /// Creates a recurring allowance on an active subscription. Its first grant covers the
    /// current period and is effective now (never backdated: an earlier instant's balance stays
    /// as it was read); each later period's grant is effective at that period's start.
    /// - Throws: `invalid_amount`, `invalid_request` (priority, rollover, scope),
    ///   `resource_missing`, `subscription_canceled`, `currency_mismatch`, `resource_already_exists`.
    public func createAllowance(_ params: AllowanceParams) throws -> (Allowance, CreditGrant) {
        let now = try self.now
        guard (1...Limits.allowanceAmountMax).contains(params.amount.amountMinor) else {
            throw LedgerError(
                .invalidAmount, "an allowance's amount must be 1–\(Limits.allowanceAmountMax) minor units",
                param: "amount")
        }
        guard (0...100).contains(params.priority) else {
            throw LedgerError.invalidRequest("priority \(params.priority) must be 0–100", param: "priority")
        }
        if let max = params.rolloverMax, !(1...Limits.allowanceAmountMax).contains(max) {
            throw LedgerError(
                .invalidAmount, "rollover_max must be 1–\(Limits.allowanceAmountMax) minor units", param: "rollover_max"
            )
        }
        guard (1...Limits.rolloverPeriodsMax).contains(params.rolloverPeriods) else {
            throw LedgerError.invalidRequest(
                "rollover_periods \(params.rolloverPeriods) must be 1–\(Limits.rolloverPeriodsMax)",
                param: "rollover_periods")
        }
        try Self.checkScope(params.scope)
        try Text.validate(params.name, param: "name")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: Allowance.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "allowance", id: id, kind: "allowance")
            let sub = try tx.fetchSubscription(params.subscription)
            guard sub.status == .active else {
                throw LedgerError(
                    .subscriptionCanceled, "subscription '\(sub.id)' is canceled", param: "subscription")
            }
            guard sub.currency == params.amount.currency else {
                throw LedgerError.currencyMismatch(params.amount.currency, sub.currency)
            }
            try Self.checkScopePrices(params.scope, currency: params.amount.currency, tx)
            let allowance = Allowance(
                id: .init(id), subscription: sub.id, customer: sub.customer, name: params.name,
                amount: params.amount, category: params.category, scope: params.scope, priority: params.priority,
                rolloverMax: params.rolloverMax, rolloverPeriods: params.rolloverPeriods, status: .active,
                canceledAt: nil, metadata: params.metadata, created: now)
            try tx.insert(allowance)
            let grant = try Self.issue(
                tx, allowance, amount: allowance.amount.amountMinor,
                coverage: AllowanceRule.periodCoverage(
                    subscription: sub.id, start: sub.currentPeriodStart, end: sub.currentPeriodEnd),
                effectiveAt: now, rolledOverFrom: nil)
            return (allowance, grant)
        }
    }

    /// Stops an allowance: no later period gets a grant. The grants it issued stay, each until
    /// the periods it covers are invoiced.
    /// - Throws: `resource_missing`, `invalid_request` (already canceled).
    public func cancelAllowance(_ id: Allowance.ID) throws -> Allowance {
        let now = try self.now
        return try write(at: now) { tx, now in
            let allowance = try tx.fetchAllowance(id)
            guard allowance.status == .active else {
                throw LedgerError.invalidRequest("allowance '\(id)' is already canceled", param: "allowance")
            }
            try tx.cancel(id, at: now)
            return try tx.fetchAllowance(id)
        }
    }

    /// - Throws: `resource_missing`.
    public func allowance(_ id: Allowance.ID) throws -> Allowance {
        try store.read { tx in try tx.fetchAllowance(id) }
    }

    /// Allowances oldest first, of one subscription, or one customer, or all.
    public func allowances(subscription: Subscription.ID? = nil, customer: Customer.ID? = nil) throws -> [Allowance] {
        try store.read { tx in try tx.allowances(subscription: subscription, customer: customer) }
    }

    /// The grants an allowance issued, oldest first: each period's and each rollover.
    /// - Throws: `resource_missing`.
    public func grants(allowance id: Allowance.ID) throws -> [CreditGrant] {
        try store.read { tx in
            _ = try tx.fetchAllowance(id)
            return try tx.grants(allowance: id)
        }
    }

    // MARK: Steps (inside the caller's transaction)

    /// At a period's start (`sub` already advanced to it): each active allowance's grant for it.
    static func issueAllowances(_ tx: StorageTransaction, _ sub: Subscription, at instant: Int64) throws {
        for allowance in try tx.activeAllowances(subscription: sub.id) {
            _ = try issue(
                tx, allowance, amount: allowance.amount.amountMinor,
                coverage: AllowanceRule.periodCoverage(
                    subscription: sub.id, start: sub.currentPeriodStart, end: sub.currentPeriodEnd),
                effectiveAt: instant, rolledOverFrom: nil)
        }
    }

    /// Settles, at `instant`, the subscription's open allowance grants of one period: those whose
    /// coverage ends at `through` (the invoice of that period finalized, or the period closed
    /// with nothing to invoice, or its draft was deleted); with `through` nil, the subscription's
    /// last ones (its final invoice), except a grant whose own period's cycle invoice is still a
    /// draft: that invoice settles it. Each books what it left as expired; a period's own grant
    /// rolls what the rule says over into a new grant when the subscription goes on.
    static func settleAllowances(
        _ tx: StorageTransaction, subscription: Subscription.ID, through: Int64?, at instant: Int64
    ) throws {
        var open = try tx.openAllowanceGrants(subscription: subscription, through: through)
        if through == nil {
            open = try open.filter { grant in
                guard let end = grant.coverage?.through else { return false }
                return try !tx.hasCycleDraft(subscription: subscription, periodEnd: end)
            }
        }
        guard !open.isEmpty else { return }
        let sub = try tx.fetchSubscription(subscription)
        let continues = through != nil && sub.status == .active
        for grant in open {
            let allowance = try tx.fetchAllowance(try stored(grant.allowance, "grant's allowance"))
            let remaining = min(
                try tx.totals(grant.id, asOf: instant).remaining, try tx.debitable(grant.id, at: instant))
            let settlement = AllowanceRule.settle(
                remaining: max(0, remaining), periodGrant: grant.rolledOverFrom == nil,
                rolloverMax: allowance.rolloverMax, continues: continues)
            if instant > grant.effectiveAt { try tx.setExpiry(grant.id, instant) }
            try bookExpiry(tx, grant, at: instant, now: instant)
            try tx.appendFeed(.grantUpdated, .grant(try tx.fetchGrant(grant.id)), at: instant)
            guard settlement.rolled > 0, let coverage = grant.coverage else { continue }
            _ = try issue(
                tx, allowance, amount: settlement.rolled,
                coverage: AllowanceRule.rolledCoverage(
                    subscription: subscription, cycle: sub.cycle, periodEnd: coverage.through,
                    periods: allowance.rolloverPeriods),
                effectiveAt: instant, rolledOverFrom: grant.id)
        }
        try judgeAlerts(tx, customer: sub.customer, through: instant)
    }

    /// Settles what an invoice of a subscription closes: a cycle invoice, the grants of its
    /// period; a final one, the last ones.
    static func settleAllowances(_ tx: StorageTransaction, closedBy invoice: Invoice, at instant: Int64) throws {
        guard let subscription = invoice.subscription else { return }
        switch invoice.billingReason {
        case .subscriptionCycle:
            try settleAllowances(tx, subscription: subscription, through: invoice.periodEnd, at: instant)
        case .subscriptionCancel:
            try settleAllowances(tx, subscription: subscription, through: nil, at: instant)
        default:
            return
        }
    }

    /// Creates and books one grant of `allowance`.
    private static func issue(
        _ tx: StorageTransaction, _ allowance: Allowance, amount: Int64, coverage: CreditGrant.Coverage,
        effectiveAt: Int64, rolledOverFrom: CreditGrant.ID?
    ) throws -> CreditGrant {
        let grant = try bookNew(
            CreditGrant(
                id: .init(IDs.generate(prefix: CreditGrant.idPrefix)), customer: allowance.customer,
                name: allowance.name,
                amount: Money(amountMinor: amount, currency: allowance.amount.currency),
                category: allowance.category, scope: allowance.scope, priority: allowance.priority,
                effectiveAt: effectiveAt, expiresAt: nil, voidedAt: nil,
                // A paid allowance is what the subscription's fee already bought: no cost of its own.
                costBasis: allowance.category == .paid ? 0 : nil, fundingInvoice: nil,
                metadata: allowance.metadata, created: effectiveAt, sequence: 0, allowance: allowance.id,
                coverage: coverage, rolledOverFrom: rolledOverFrom), tx)
        try judgeAlerts(tx, customer: grant.customer, through: effectiveAt)
        return grant
    }
}
