/// Prepaid or promotional billing credit for a customer: Stripe's `billing.credit_grant`.
public struct CreditGrant: Hashable, Sendable {
    public typealias ID = Identifier<CreditGrant>
    public static let idPrefix = "credgr"

    public enum Category: String, Sendable, CaseIterable {
        case paid, promotional
    }

    /// `applicability_config.scope`: every metered price, or the listed metered prices.
    public enum Scope: Hashable, Sendable {
        case metered
        case prices([Price.ID])
    }

    public var id: ID
    public var customer: Customer.ID
    public var name: String?
    /// The face value granted, in minor units.
    public var amount: Money
    public var category: Category
    public var scope: Scope
    /// 0 is applied first; default 50.
    public var priority: Int
    public var effectiveAt: Int64
    public var expiresAt: Int64?
    public var voidedAt: Int64?
    /// What the customer paid for a paid grant (default: its face value).
    public var costBasis: Int64?
    public var fundingInvoice: Invoice.ID?
    public var metadata: [String: String]
    public var created: Int64
    /// Creation order, the fifth key of the burn order.
    public var sequence: Int64
    /// The allowance that issued it (nil: created directly).
    public var allowance: Allowance.ID?
    /// What an allowance's grant may pay: one subscription's invoices of the periods it covers.
    public var coverage: Coverage?
    /// The allowance grant whose unused credit this one carries over.
    public var rolledOverFrom: ID?

    /// One subscription's metered lines whose service period ends in `(after, through]`.
    public struct Coverage: Hashable, Sendable, Codable {
        public var subscription: Subscription.ID
        public var after: Int64
        public var through: Int64

        public init(subscription: Subscription.ID, after: Int64, through: Int64) {
            precondition(after < through, "a coverage is a non-empty range")
            self.subscription = subscription
            self.after = after
            self.through = through
        }

        public func covers(subscription: Subscription.ID?, periodEnd: Int64) -> Bool {
            subscription == self.subscription && after < periodEnd && periodEnd <= through
        }
    }

    public init(
        id: ID, customer: Customer.ID, name: String?, amount: Money, category: Category, scope: Scope,
        priority: Int, effectiveAt: Int64, expiresAt: Int64?, voidedAt: Int64?, costBasis: Int64?,
        fundingInvoice: Invoice.ID?, metadata: [String: String], created: Int64, sequence: Int64,
        allowance: Allowance.ID? = nil, coverage: Coverage? = nil, rolledOverFrom: ID? = nil
    ) {
        self.id = id
        self.customer = customer
        self.name = name
        self.amount = amount
        self.category = category
        self.scope = scope
        self.priority = priority
        self.effectiveAt = effectiveAt
        self.expiresAt = expiresAt
        self.voidedAt = voidedAt
        self.costBasis = costBasis
        self.fundingInvoice = fundingInvoice
        self.metadata = metadata
        self.created = created
        self.sequence = sequence
        self.allowance = allowance
        self.coverage = coverage
        self.rolledOverFrom = rolledOverFrom
    }

    /// The cost basis that applies: the given one, or the face value for a paid grant without
    /// one; promotional grants cost the customer nothing.
    public var effectiveCostBasis: Int64 {
        category == .promotional ? 0 : (costBasis ?? amount.amountMinor)
    }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension CreditGrant: Codable {}
extension CreditGrant.Category: Codable {}
extension CreditGrant.Scope: Codable {}
