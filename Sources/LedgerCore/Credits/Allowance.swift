/// A recurring credit allowance on a subscription (README: Allowances): each period gets a grant
/// of `amount` effective at the period's start that pays only that period's metered usage, and
/// settles when that period's invoice finalizes. With `rolloverMax`, what the period's grant
/// left unused, up to the cap, becomes a new grant for the next `rolloverPeriods` periods.
/// Stripe's nearest object is the v2 `service_action` of type `credit_grant` (which has no
/// rollover); the shape follows a credit grant's.
public struct Allowance: Hashable, Sendable, Codable {
    public typealias ID = Identifier<Allowance>
    public static let idPrefix = "calw"

    public enum Status: String, Sendable, CaseIterable, Codable {
        case active, canceled
    }

    public var id: ID
    public var subscription: Subscription.ID
    public var customer: Customer.ID
    public var name: String?
    /// What each period's grant is worth.
    public var amount: Money
    public var category: CreditGrant.Category
    public var scope: CreditGrant.Scope
    public var priority: Int
    /// The most a period's grant rolls over (minor units); nil: nothing rolls over.
    public var rolloverMax: Int64?
    /// How many periods a rolled-over grant covers (default 1).
    public var rolloverPeriods: Int
    public var status: Status
    public var canceledAt: Int64?
    public var metadata: [String: String]
    public var created: Int64

    public init(
        id: ID, subscription: Subscription.ID, customer: Customer.ID, name: String?, amount: Money,
        category: CreditGrant.Category, scope: CreditGrant.Scope, priority: Int, rolloverMax: Int64?,
        rolloverPeriods: Int, status: Status, canceledAt: Int64?, metadata: [String: String], created: Int64
    ) {
        self.id = id
        self.subscription = subscription
        self.customer = customer
        self.name = name
        self.amount = amount
        self.category = category
        self.scope = scope
        self.priority = priority
        self.rolloverMax = rolloverMax
        self.rolloverPeriods = rolloverPeriods
        self.status = status
        self.canceledAt = canceledAt
        self.metadata = metadata
        self.created = created
    }
}

/// The settlement rule, pure: what an allowance's open grant leaves when the invoice of the last
/// period it covers finalizes.
public enum AllowanceRule {
    public struct Settlement: Hashable, Sendable {
        /// What becomes a rolled-over grant (0: none).
        public var rolled: Int64
        /// What expires.
        public var expired: Int64
    }

    /// Only a period's own grant rolls over ("carried once": a rolled-over grant expires at the
    /// end of what it covers), only up to the cap, and only when the subscription goes on.
    public static func settle(remaining: Int64, periodGrant: Bool, rolloverMax: Int64?, continues: Bool)
        -> Settlement
    {
        precondition(remaining >= 0, "a grant never holds less than nothing")
        let rolled = periodGrant && continues ? min(remaining, rolloverMax ?? 0) : 0
        return Settlement(rolled: rolled, expired: remaining - rolled)
    }

    /// The coverage of the grant for the period (start, end]: the service-period ends it pays.
    public static func periodCoverage(subscription: Subscription.ID, start: Int64, end: Int64) -> CreditGrant.Coverage {
        CreditGrant.Coverage(subscription: subscription, after: start, through: end)
    }

    /// The coverage of a grant rolled over at the close of the period ending `periodEnd`: the
    /// next `periods` periods of `cycle`.
    /// - Throws: `invalid_time` when a period end falls outside `Instant.range`.
    public static func rolledCoverage(
        subscription: Subscription.ID, cycle: BillingCycle, periodEnd: Int64, periods: Int
    ) throws -> CreditGrant.Coverage {
        precondition(periods >= 1, "a rolled-over grant covers at least one period")
        var through = periodEnd
        for _ in 0..<periods { through = try cycle.boundary(after: through) }
        return CreditGrant.Coverage(subscription: subscription, after: periodEnd, through: through)
    }
}
