/// What a caller changes on a subscription (Stripe: POST /v1/subscriptions/:id), without
/// proration: item changes take effect at the end of the current period, as of the update.
public struct SubscriptionUpdate: Sendable {
    /// New items: a recurring price in the subscription's currency and interval, with a quantity
    /// for a licensed price (default 1) and none for a metered one.
    public var addItems: [SubscriptionParams.Item]
    /// Items to stop billing from the next period on.
    public var removeItems: [SubscriptionItem.ID]
    /// New quantities of licensed items, from the next period on.
    public var itemQuantities: [SubscriptionItem.ID: Int64]
    /// Set, or clear, cancel_at_period_end; nil leaves it.
    public var cancelAtPeriodEnd: Bool?
    /// Merged into the metadata (an empty value removes its key).
    public var metadata: [String: String]

    public init(
        addItems: [SubscriptionParams.Item] = [], removeItems: [SubscriptionItem.ID] = [],
        itemQuantities: [SubscriptionItem.ID: Int64] = [:], cancelAtPeriodEnd: Bool? = nil,
        metadata: [String: String] = [:]
    ) {
        self.addItems = addItems
        self.removeItems = removeItems
        self.itemQuantities = itemQuantities
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.metadata = metadata
    }

    var changesItems: Bool { !addItems.isEmpty || !removeItems.isEmpty || !itemQuantities.isEmpty }
}

extension Ledger {
    /// Updates an active subscription at now. Item changes are dated facts: they take effect at
    /// the end of the current period (as of now, every due step run first), so the current
    /// period's invoice is unchanged and the next one bills the new items and quantities,
    /// whether `bill` runs at each step or once. A removed metered item still bills the current
    /// period's usage; an added one bills usage from the next period on. Returns the subscription
    /// with `nextPeriodItems` showing what the next period bills.
    /// - Throws: `resource_missing` (subscription, price, item), `subscription_canceled`,
    ///   `price_inactive`, `product_inactive`, `currency_mismatch`, `invalid_request` (interval,
    ///   one_time price, a price already on the subscription, a quantity on a metered item, a
    ///   negative quantity, the last item removed, an item named twice, item changes on a
    ///   subscription that ends at its period's end), `invalid_metadata`.
    public func updateSubscription(_ id: Subscription.ID, _ update: SubscriptionUpdate) throws -> Subscription {
        let now = try self.now
        try Metadata.validate(update.metadata)
        if Set(update.removeItems).count != update.removeItems.count {
            throw LedgerError.invalidRequest("an item is removed twice", param: "remove_items")
        }
        if let both = update.removeItems.first(where: { update.itemQuantities[$0] != nil }) {
            throw LedgerError.invalidRequest(
                "item '\(both)' is both removed and given a quantity", param: "item_quantities")
        }
        if Set(update.addItems.map(\.price)).count != update.addItems.count {
            throw LedgerError.invalidRequest("a price appears twice in the items to add", param: "add_items")
        }
        if let negative = update.itemQuantities.first(where: { $0.value < 0 }) {
            throw LedgerError.invalidRequest(
                "item '\(negative.key)': a quantity cannot be negative", param: "item_quantities")
        }
        return try write(at: now) { tx, now in
            let sub = try tx.fetchSubscription(id)
            guard sub.status == .active else {
                throw LedgerError(
                    .subscriptionCanceled, "subscription '\(id)' is canceled and cannot change", param: "subscription")
            }
            if update.changesItems && (update.cancelAtPeriodEnd ?? sub.cancelAtPeriodEnd) {
                throw LedgerError.invalidRequest(
                    "subscription '\(id)' ends at its period's end: item changes would never take effect",
                    param: "items")
            }
            let effective = sub.currentPeriodEnd
            try Self.changeItems(tx, sub, update, effective: effective, now: now)
            if let cancel = update.cancelAtPeriodEnd, cancel != sub.cancelAtPeriodEnd {
                try tx.setCancelAtPeriodEnd(id, cancel, at: now)
            }
            if !update.metadata.isEmpty {
                try tx.updateMetadata(of: id, try Metadata.merge(sub.metadata, update.metadata))
            }
            let changed = try tx.fetchSubscription(id)
            try tx.appendFeed(.subscriptionUpdated, .subscription(changed), at: now)
            return changed
        }
    }

    /// Writes the item changes of `update` as facts effective at `effective`.
    private static func changeItems(
        _ tx: StorageTransaction, _ sub: Subscription, _ update: SubscriptionUpdate, effective: Int64, now: Int64
    ) throws {
        guard update.changesItems else { return }
        let rows = try tx.itemRows(of: sub.id)
        // The items the next period bills before this update: in effect at its start.
        let next = rows.filter { ($0.effectiveFrom ?? .min) <= effective && ($0.effectiveUntil ?? .max) > effective }
        var cache: [Price.ID: PriceInfo] = [:]
        for (index, itemID) in update.removeItems.enumerated() {
            guard let row = next.first(where: { $0.id == itemID }) else {
                throw LedgerError.missing(
                    "item of subscription '\(sub.id)'", itemID.rawValue, param: "remove_items[\(index)]")
            }
            if row.effectiveFrom == effective {
                try tx.deleteUnstartedItem(row.id)
            } else {
                try tx.endItem(row.id, at: effective)
            }
        }
        for (itemID, quantity) in update.itemQuantities.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let row = next.first(where: { $0.id == itemID }) else {
                throw LedgerError.missing("item of subscription '\(sub.id)'", itemID.rawValue, param: "item_quantities")
            }
            guard !(try tx.priceInfo(row.price, cache: &cache)).isMetered else {
                throw LedgerError.invalidRequest(
                    "item '\(itemID)' is metered: its quantity comes from usage", param: "item_quantities")
            }
            try tx.scheduleQuantity(itemID, of: sub.customer, quantity, from: effective, created: now)
        }
        for (index, item) in update.addItems.enumerated() {
            let param = "add_items[\(index)]"
            if rows.contains(where: { $0.price == item.price }) {
                throw LedgerError.invalidRequest(
                    "price '\(item.price)' is already on subscription '\(sub.id)' (an item removed keeps its price)",
                    param: param)
            }
            let price = try tx.priceInfo(item.price, cache: &cache).price
            try requireUsable(tx, price, param: "\(param).price")
            guard let recurring = price.recurring else {
                throw LedgerError.invalidRequest(
                    "price '\(price.id)' is one_time; a subscription needs recurring prices", param: "\(param).price")
            }
            guard price.currency == sub.currency else {
                throw LedgerError.currencyMismatch(sub.currency, price.currency)
            }
            guard recurring.interval == sub.interval && recurring.intervalCount == sub.intervalCount else {
                throw LedgerError.invalidRequest(
                    "price '\(price.id)' bills every \(recurring.intervalCount) \(recurring.interval.rawValue), the subscription every \(sub.intervalCount) \(sub.interval.rawValue)",
                    param: "\(param).price")
            }
            var quantity = item.quantity
            if recurring.usageType == .metered {
                if quantity != nil {
                    throw LedgerError.invalidRequest(
                        "price '\(price.id)' is metered: its quantity comes from usage", param: "\(param).quantity")
                }
            } else {
                quantity = quantity ?? 1
                if quantity! < 0 {
                    throw LedgerError.invalidRequest("a quantity cannot be negative", param: "\(param).quantity")
                }
            }
            try tx.insertItem(
                SubscriptionItem(
                    id: .init(IDs.generate(prefix: SubscriptionItem.idPrefix)), price: price.id, quantity: quantity),
                of: sub.id, customer: sub.customer, effectiveFrom: effective, created: now)
        }
        let count = next.count - update.removeItems.count + update.addItems.count
        if count < 1 {
            throw LedgerError.invalidRequest(
                "a subscription keeps at least one item: cancel it instead", param: "remove_items")
        }
        if count > Limits.subscriptionItemsMax {
            throw LedgerError.invalidRequest(
                "a subscription has at most \(Limits.subscriptionItemsMax) items", param: "add_items")
        }
    }

    /// Refuses a price that cannot start or join a subscription: archived, or of an archived
    /// product.
    /// - Throws: `price_inactive`, `product_inactive`.
    static func requireUsable(_ tx: StorageTransaction, _ price: Price, param: String) throws {
        guard price.active else {
            throw LedgerError(.priceInactive, "price '\(price.id)' is archived", param: param)
        }
        guard try tx.product(price.product).active else {
            throw LedgerError(
                .productInactive, "price '\(price.id)' belongs to archived product '\(price.product)'", param: param)
        }
    }
}
