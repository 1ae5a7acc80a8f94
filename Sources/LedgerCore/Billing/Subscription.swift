/// A customer's recurring purchase of one or more prices: Stripe's `subscription`.
public struct Subscription: Hashable, Sendable {
    public typealias ID = Identifier<Subscription>
    public static let idPrefix = "sub"

    public enum Status: String, Sendable, CaseIterable {
        case active, canceled
    }

    /// `classic` puts a zero line per metered item on the first invoice; `flexible` leaves
    /// metered items off it (and makes no invoice when it would be empty).
    public enum BillingMode: String, Sendable, CaseIterable {
        case classic, flexible
    }

    public var id: ID
    public var customer: Customer.ID
    public var status: Status
    public var billingMode: BillingMode
    public var currency: Currency
    public var interval: Price.Interval
    public var intervalCount: Int
    public var startDate: Int64
    public var billingCycleAnchor: Int64
    public var currentPeriodStart: Int64
    public var currentPeriodEnd: Int64
    /// Seconds after a period's end before its invoice finalizes.
    public var graceSeconds: Int64
    public var cancelAtPeriodEnd: Bool
    public var canceledAt: Int64?
    public var endedAt: Int64?
    /// The items in effect for the current period, with their quantities then.
    public var items: [SubscriptionItem]
    /// The items the next period bills when an update changed them (`subscriptions update`
    /// takes effect at the current period's end); nil when they are `items`.
    public var nextPeriodItems: [SubscriptionItem]?
    public var metadata: [String: String]
    public var created: Int64
    /// How the subscription's invoices ask to be paid (each invoice takes it when made).
    public var collection = Collection.chargeAutomatically

    public init(
        id: ID, customer: Customer.ID, status: Status, billingMode: BillingMode, currency: Currency,
        interval: Price.Interval, intervalCount: Int, startDate: Int64, billingCycleAnchor: Int64,
        currentPeriodStart: Int64, currentPeriodEnd: Int64, graceSeconds: Int64,
        cancelAtPeriodEnd: Bool, canceledAt: Int64?, endedAt: Int64?, items: [SubscriptionItem],
        metadata: [String: String], created: Int64
    ) {
        self.id = id
        self.customer = customer
        self.status = status
        self.billingMode = billingMode
        self.currency = currency
        self.interval = interval
        self.intervalCount = intervalCount
        self.startDate = startDate
        self.billingCycleAnchor = billingCycleAnchor
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
        self.graceSeconds = graceSeconds
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.canceledAt = canceledAt
        self.endedAt = endedAt
        self.items = items
        self.metadata = metadata
        self.created = created
    }

    public var cycle: BillingCycle {
        BillingCycle(anchor: billingCycleAnchor, interval: interval, intervalCount: intervalCount)
    }

    /// How many periods a billing run up to `until` closes: none before the current period ends,
    /// one when the subscription ends there, else one per boundary from the current period's
    /// end through `until`. Counting stops after `limit + 1`, so the cost is bounded.
    /// - Throws: `invalid_time` when a boundary would fall after `Instant.range`.
    public func periodsDue(until: Int64, limit: Int) throws -> Int {
        guard status == .active, currentPeriodEnd <= until else { return 0 }
        if cancelAtPeriodEnd { return 1 }
        var count = 0
        var boundary = currentPeriodEnd
        while boundary <= until && count <= limit {
            count += 1
            guard boundary < until else { break }
            boundary = try cycle.boundary(after: boundary)
        }
        return count
    }

    /// Refuses a billing run up to `until` that would close more than `maxPeriods` periods of
    /// this subscription at once.
    /// - Throws: `too_many_periods` naming the subscription and the flag that allows more.
    public func checkPeriodsDue(until: Int64, maxPeriods: Int) throws {
        guard try periodsDue(until: until, limit: maxPeriods) > maxPeriods else { return }
        throw LedgerError(
            .tooManyPeriods,
            "subscription '\(id)' has more than \(maxPeriods) periods due by \(Instant.format(until)) (from \(Instant.format(currentPeriodEnd))); one billing run closes at most \(maxPeriods) per subscription: run bill with --max-periods N (library: maxPeriods) to close more",
            param: "max_periods")
    }
}

/// One price of a subscription; licensed items carry a quantity, metered items none.
public struct SubscriptionItem: Hashable, Sendable {
    public typealias ID = Identifier<SubscriptionItem>
    public static let idPrefix = "si"

    public var id: ID
    public var price: Price.ID
    public var quantity: Int64?

    public init(id: ID, price: Price.ID, quantity: Int64?) {
        self.id = id
        self.price = price
        self.quantity = quantity
    }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension Subscription: Codable {}
extension Subscription.Status: Codable {}
extension Subscription.BillingMode: Codable {}
extension SubscriptionItem: Codable {}
