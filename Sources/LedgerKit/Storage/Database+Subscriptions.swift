import GRDB

/// Subscriptions and their items.
extension StorageTransaction {
    func fetchSubscription(_ id: Subscription.ID) throws -> Subscription {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM subscription WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("subscription", id.rawValue, param: "subscription") }
        return try subscription(row)
    }

    func subscription(_ row: Row) throws -> Subscription {
        let id: String = row["id"]
        let items = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT id, priceId, quantity FROM subscriptionItem WHERE subscriptionId = ? ORDER BY position"),
            arguments: [id]
        ).map { SubscriptionItem(id: .init($0["id"]), price: .init($0["priceId"]), quantity: $0["quantity"]) }
        return Subscription(
            id: .init(id), customer: .init(row["customerId"]),
            status: try stored(Subscription.Status(rawValue: row["status"]), "status"),
            billingMode: try stored(Subscription.BillingMode(rawValue: row["billingMode"]), "billingMode"),
            currency: try Currency(code: row["currency"]),
            interval: try stored(Price.Interval(rawValue: row["interval"]), "interval"),
            intervalCount: row["intervalCount"],
            startDate: row["startDate"], billingCycleAnchor: row["billingCycleAnchor"],
            currentPeriodStart: row["currentPeriodStart"], currentPeriodEnd: row["currentPeriodEnd"],
            graceSeconds: row["graceSeconds"], cancelAtPeriodEnd: row["cancelAtPeriodEnd"],
            canceledAt: row["canceledAt"], endedAt: row["endedAt"], items: items,
            metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
    }

    func insert(_ subscription: Subscription) throws {
        try db.execute(
            sql: """
                INSERT INTO subscription (id, customerId, status, billingMode, currency, interval, intervalCount,
                    startDate, billingCycleAnchor, currentPeriodStart, currentPeriodEnd, graceSeconds, metadata, created)
                VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                subscription.id.rawValue, subscription.customer.rawValue, subscription.billingMode.rawValue,
                subscription.currency.code, subscription.interval.rawValue, subscription.intervalCount,
                subscription.startDate, subscription.billingCycleAnchor, subscription.currentPeriodStart,
                subscription.currentPeriodEnd, subscription.graceSeconds, MetadataJSON.encode(subscription.metadata),
                subscription.created,
            ])
        for (position, item) in subscription.items.enumerated() {
            try db.execute(
                sql:
                    "INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    item.id.rawValue, subscription.id.rawValue, position, item.price.rawValue, item.quantity,
                    subscription.created,
                ])
        }
    }

    /// Subscriptions, oldest first, optionally of one customer.
    func subscriptions(customer: Customer.ID?) throws -> [Subscription] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM subscription WHERE customerId IS ? OR ? ORDER BY created, seq",
            arguments: [customer?.rawValue, customer == nil]
        ).map(subscription)
    }

    func setCancelAtPeriodEnd(_ id: Subscription.ID, canceledAt: Int64) throws {
        try db.execute(
            sql: "UPDATE subscription SET cancelAtPeriodEnd = 1, canceledAt = ? WHERE id = ?",
            arguments: [canceledAt, id.rawValue])
    }

    /// Ends a subscription at `endedAt` (canceled at `canceledAt` when given, else as asked before).
    func end(_ id: Subscription.ID, endedAt: Int64, canceledAt: Int64? = nil) throws {
        try db.execute(
            sql:
                "UPDATE subscription SET status = 'canceled', canceledAt = coalesce(?, canceledAt), endedAt = ? WHERE id = ?",
            arguments: [canceledAt, endedAt, id.rawValue])
    }

    /// Moves a subscription to its next period.
    func advance(_ id: Subscription.ID, periodStart: Int64, periodEnd: Int64) throws {
        try db.cachedStatement(sql: "UPDATE subscription SET currentPeriodStart = ?, currentPeriodEnd = ? WHERE id = ?")
            .execute(arguments: [periodStart, periodEnd, id.rawValue])
    }
}
