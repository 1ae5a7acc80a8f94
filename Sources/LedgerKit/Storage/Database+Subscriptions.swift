/// Subscriptions and their items.
extension StorageTransaction {
    func fetchSubscription(_ id: Subscription.ID) throws -> Subscription {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM subscription WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("subscription", id.rawValue, param: "subscription") }
        return try subscription(row)
    }

    func subscription(_ row: SQLRow) throws -> Subscription {
        let id: String = row["id"]
        let periodStart: Int64 = row["currentPeriodStart"]
        let periodEnd: Int64 = row["currentPeriodEnd"]
        // Every item row, with its quantity at the current period's start and at its end (the
        // next period's start): the items of each period are those in effect at its start (0011).
        var items: [SubscriptionItem] = []
        var next: [SubscriptionItem] = []
        var changed = false
        for item in try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, priceId, effectiveFrom, effectiveUntil,
                        coalesce((SELECT q.quantity FROM subscriptionItemQuantity q WHERE q.itemId = i.id
                            AND q.effectiveFrom <= ?1 ORDER BY q.effectiveFrom DESC LIMIT 1), quantity) AS quantityNow,
                        coalesce((SELECT q.quantity FROM subscriptionItemQuantity q WHERE q.itemId = i.id
                            AND q.effectiveFrom <= ?2 ORDER BY q.effectiveFrom DESC LIMIT 1), quantity) AS quantityNext
                    FROM subscriptionItem i WHERE subscriptionId = ?3 ORDER BY position
                    """),
            arguments: [periodStart, periodEnd, id]
        ) {
            let from: Int64? = item["effectiveFrom"]
            let until: Int64? = item["effectiveUntil"]
            func inEffect(at start: Int64) -> Bool { (from ?? .min) <= start && (until ?? .max) > start }
            let now = inEffect(at: periodStart)
            let later = inEffect(at: periodEnd)
            let quantityNow: Int64? = item["quantityNow"]
            let quantityNext: Int64? = item["quantityNext"]
            if now {
                items.append(
                    SubscriptionItem(id: .init(item["id"]), price: .init(item["priceId"]), quantity: quantityNow))
            }
            if later {
                next.append(
                    SubscriptionItem(id: .init(item["id"]), price: .init(item["priceId"]), quantity: quantityNext))
            }
            if now != later || (now && quantityNow != quantityNext) { changed = true }
        }
        var subscription = Subscription(
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
        if changed { subscription.nextPeriodItems = next }
        subscription.collection = try Collection(
            method: try stored(Collection.Method(rawValue: row["collectionMethod"]), "collectionMethod"),
            daysUntilDue: row["daysUntilDue"])
        return subscription
    }

    func insert(_ subscription: Subscription) throws {
        try db.execute(
            sql: """
                INSERT INTO subscription (id, customerId, status, billingMode, currency, interval, intervalCount,
                    startDate, billingCycleAnchor, currentPeriodStart, currentPeriodEnd, graceSeconds, metadata, created,
                    collectionMethod, daysUntilDue)
                VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                subscription.id.rawValue, subscription.customer.rawValue, subscription.billingMode.rawValue,
                subscription.currency.code, subscription.interval.rawValue, subscription.intervalCount,
                subscription.startDate, subscription.billingCycleAnchor, subscription.currentPeriodStart,
                subscription.currentPeriodEnd, subscription.graceSeconds, MetadataJSON.encode(subscription.metadata),
                subscription.created, subscription.collection.method.rawValue, subscription.collection.daysUntilDue,
            ])
        for (position, item) in subscription.items.enumerated() {
            try db.execute(
                sql:
                    "INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created, customerId) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    item.id.rawValue, subscription.id.rawValue, position, item.price.rawValue, item.quantity,
                    subscription.created, subscription.customer.rawValue,
                ])
        }
    }

    /// Subscriptions, oldest first, optionally of one customer.
    func subscriptions(customer: Customer.ID?) throws -> [Subscription] {
        try SQLRow.fetchAll(
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
