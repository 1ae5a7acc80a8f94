/// The burndown planner: which grants pay which invoice lines, in the stated total order.
///
/// Pure: grants with their available balances and lines in, applications out. The caller has
/// already judged eligibility of the invoice (a subscription invoice) and the instant (balances
/// as of finalization); the planner judges per line: metered, in scope, same currency, and the
/// grant effective by the line's period end and expiring after it.
public enum BurndownPlanner {
    /// A grant as the planner sees it.
    public struct Grant: Hashable, Sendable {
        public var id: CreditGrant.ID
        public var currency: Currency
        public var scope: CreditGrant.Scope
        public var priority: Int
        public var expiresAt: Int64?
        public var category: CreditGrant.Category
        public var effectiveAt: Int64
        public var sequence: Int64
        /// What can be spent now, in minor units.
        public var available: Int64
        /// An allowance's grant pays only the lines of the periods it covers.
        public var coverage: CreditGrant.Coverage?

        public init(
            id: CreditGrant.ID, currency: Currency, scope: CreditGrant.Scope, priority: Int, expiresAt: Int64?,
            category: CreditGrant.Category, effectiveAt: Int64, sequence: Int64, available: Int64,
            coverage: CreditGrant.Coverage? = nil
        ) {
            self.id = id
            self.currency = currency
            self.scope = scope
            self.priority = priority
            self.expiresAt = expiresAt
            self.category = category
            self.effectiveAt = effectiveAt
            self.sequence = sequence
            self.available = available
            self.coverage = coverage
        }

        /// The expiry the burn order reads: an allowance's grant, which settles when the last
        /// period it covers is invoiced, stands as expiring at that period's end.
        var orderExpiry: Int64? { expiresAt ?? coverage?.through }
    }

    /// An invoice line as the planner sees it.
    public struct Line: Hashable, Sendable {
        public var id: InvoiceLine.ID
        public var price: Price.ID?
        public var metered: Bool
        public var currency: Currency
        public var amount: Int64
        public var periodEnd: Int64
        /// The subscription whose invoice the line is on.
        public var subscription: Subscription.ID?

        public init(
            id: InvoiceLine.ID, price: Price.ID?, metered: Bool, currency: Currency, amount: Int64, periodEnd: Int64,
            subscription: Subscription.ID? = nil
        ) {
            self.id = id
            self.price = price
            self.metered = metered
            self.currency = currency
            self.amount = amount
            self.periodEnd = periodEnd
            self.subscription = subscription
        }
    }

    public struct Application: Hashable, Sendable {
        public var grant: CreditGrant.ID
        public var line: InvoiceLine.ID
        public var amount: Int64

        public init(grant: CreditGrant.ID, line: InvoiceLine.ID, amount: Int64) {
            self.grant = grant
            self.line = line
            self.amount = amount
        }
    }

    /// The burn order, a total order: priority ascending; expires_at ascending with non-expiring
    /// grants last (an allowance's grant: the end of the last period it covers); promotional
    /// before paid; effective_at ascending; creation order; ID.
    public static func precedes(_ a: Grant, _ b: Grant) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        switch (a.orderExpiry, b.orderExpiry) {
        case (let x?, let y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: break
        }
        if a.category != b.category { return a.category == .promotional }
        if a.effectiveAt != b.effectiveAt { return a.effectiveAt < b.effectiveAt }
        if a.sequence != b.sequence { return a.sequence < b.sequence }
        return a.id.rawValue < b.id.rawValue
    }

    /// Whether `grant` may pay `line` (apart from its balance). An allowance's grant pays the
    /// lines of the periods it covers (effective by the finalization, which the caller judged);
    /// any other grant, lines whose period ends while it is effective.
    public static func eligible(_ grant: Grant, _ line: Line) -> Bool {
        guard line.metered, let price = line.price, grant.currency == line.currency else { return false }
        if let coverage = grant.coverage {
            guard coverage.covers(subscription: line.subscription, periodEnd: line.periodEnd) else { return false }
        } else {
            guard grant.effectiveAt <= line.periodEnd else { return false }
        }
        if let expiresAt = grant.expiresAt, !(line.periodEnd < expiresAt) { return false }
        switch grant.scope {
        case .metered: return true
        case .prices(let prices): return prices.contains(price)
        }
    }

    /// Lines in invoice order; each takes from the eligible grants in burn order until it is
    /// covered or they are empty. Whole minor units, never more than a line or a balance.
    public static func plan(grants: [Grant], lines: [Line]) -> [Application] {
        var ordered = grants.sorted(by: precedes)
        var applications: [Application] = []
        for line in lines where line.amount > 0 {
            var due = line.amount
            for index in ordered.indices where due > 0 && ordered[index].available > 0 && eligible(ordered[index], line)
            {
                let take = min(due, ordered[index].available)
                ordered[index].available -= take
                due -= take
                applications.append(Application(grant: ordered[index].id, line: line.id, amount: take))
            }
        }
        return applications
    }

    /// Several invoices in the order they finalize: each is planned against what the invoices
    /// before it left, so together they never take more than a grant has (drafts holding credit,
    /// a preview behind them). Returns one plan per invoice, in the same order.
    public static func plan(grants: [Grant], invoices: [[Line]]) -> [[Application]] {
        var left = grants
        var plans: [[Application]] = []
        for lines in invoices {
            let applications = plan(grants: left, lines: lines)
            var taken: [CreditGrant.ID: Int64] = [:]
            for application in applications { taken[application.grant, default: 0] += application.amount }
            for index in left.indices { left[index].available -= taken[left[index].id] ?? 0 }
            assert(left.allSatisfy { $0.available >= 0 }, "no invoice takes more than a grant has left")
            plans.append(applications)
        }
        return plans
    }
}

extension BurndownPlanner.Grant {
    /// The planner's view of `grant`, with what it can pay.
    public init(_ grant: CreditGrant, available: Int64) {
        self.init(
            id: grant.id, currency: grant.amount.currency, scope: grant.scope, priority: grant.priority,
            expiresAt: grant.expiresAt, category: grant.category, effectiveAt: grant.effectiveAt,
            sequence: grant.sequence, available: available, coverage: grant.coverage)
    }
}
