extension Ledger {
    /// Creates a subscription and, in the same transaction, its first invoice: the first
    /// period's licensed items in advance (classic: plus a zero line per metered item) and the
    /// customer's pending items, finalized at once. Flexible mode makes no invoice when there is
    /// nothing to bill in advance.
    /// - Throws: `resource_missing`, `price_inactive`, `product_inactive`, `currency_mismatch`,
    ///   `invalid_request` (items, quantities, intervals, anchor, backdate, grace), `resource_already_exists`,
    ///   `invalid_time` (an instant outside `Instant.range`, or a first period ending after it).
    public func createSubscription(_ params: SubscriptionParams) throws -> (Subscription, Invoice?) {
        let now = try self.now
        if let anchor = params.billingCycleAnchor { try Instant.check(anchor, param: "billing_cycle_anchor") }
        if let start = params.backdateStartDate { try Instant.check(start, param: "backdate_start_date") }
        try Metadata.validate(params.metadata)
        if params.items.isEmpty || params.items.count > Limits.subscriptionItemsMax {
            throw LedgerError.invalidRequest(
                "a subscription needs 1–\(Limits.subscriptionItemsMax) items", param: "items")
        }
        if Set(params.items.map(\.price)).count != params.items.count {
            throw LedgerError.invalidRequest("a price appears twice in the items", param: "items")
        }
        if params.graceSeconds < 0 || params.graceSeconds > Limits.finalizationGraceSecondsMax {
            throw LedgerError.invalidRequest(
                "the finalization grace must be 0–\(Limits.finalizationGraceSecondsMax) seconds", param: "grace")
        }
        let start = params.backdateStartDate ?? now
        if start > now {
            throw LedgerError.invalidRequest(
                "backdate_start_date must not be in the future", param: "backdate_start_date")
        }
        let anchor = params.billingCycleAnchor ?? start
        if anchor < start {
            throw LedgerError.invalidRequest(
                "billing_cycle_anchor \(Instant.format(anchor)) is before the start \(Instant.format(start))",
                param: "billing_cycle_anchor")
        }
        let id = try newID(params.id, prefix: Subscription.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "subscription", id: id, kind: "subscription")
            _ = try tx.customerSeq(params.customer)
            var cache: [Price.ID: PriceInfo] = [:]
            var items: [SubscriptionItem] = []
            var first: Price?
            for (index, item) in params.items.enumerated() {
                let info = try tx.priceInfo(item.price, cache: &cache)
                let price = info.price
                try Self.requireUsable(tx, price, param: "items[\(index)].price")
                guard let recurring = price.recurring else {
                    throw LedgerError.invalidRequest(
                        "price '\(price.id)' is one_time; a subscription needs recurring prices",
                        param: "items[\(index)].price")
                }
                if let first {
                    if first.currency != price.currency {
                        throw LedgerError.currencyMismatch(first.currency, price.currency)
                    }
                    if first.recurring!.interval != recurring.interval
                        || first.recurring!.intervalCount != recurring.intervalCount
                    {
                        throw LedgerError.invalidRequest(
                            "all items must share one interval: '\(first.id)' and '\(price.id)' differ",
                            param: "items[\(index)].price")
                    }
                } else {
                    first = price
                }
                var quantity = item.quantity
                if recurring.usageType == .metered {
                    if quantity != nil {
                        throw LedgerError.invalidRequest(
                            "price '\(price.id)' is metered: its quantity comes from usage",
                            param: "items[\(index)].quantity")
                    }
                } else {
                    quantity = quantity ?? 1
                    if quantity! < 0 {
                        throw LedgerError.invalidRequest(
                            "a quantity cannot be negative", param: "items[\(index)].quantity")
                    }
                }
                items.append(
                    SubscriptionItem(
                        id: .init(IDs.generate(prefix: SubscriptionItem.idPrefix)), price: price.id, quantity: quantity)
                )
            }
            let recurring = first!.recurring!
            let cycle = BillingCycle(
                anchor: anchor, interval: recurring.interval, intervalCount: recurring.intervalCount)
            let periodEnd = try cycle.boundary(after: start)
            var subscription = Subscription(
                id: .init(id), customer: params.customer, status: .active, billingMode: params.billingMode,
                currency: first!.currency, interval: recurring.interval, intervalCount: recurring.intervalCount,
                startDate: start, billingCycleAnchor: anchor, currentPeriodStart: start, currentPeriodEnd: periodEnd,
                graceSeconds: params.graceSeconds, cancelAtPeriodEnd: false, canceledAt: nil, endedAt: nil,
                items: items, metadata: params.metadata, created: now)
            subscription.collection = params.collection
            try tx.insert(subscription)
            try tx.appendFeed(.subscriptionCreated, .subscription(subscription), at: now)
            let lines = try Self.subscriptionLines(
                tx,
                subscription, usage: nil, advance: (start, periodEnd),
                zeroMetered: params.billingMode == .classic ? (start, periodEnd) : nil, asOf: now,
                pendingItems: true, cache: &cache)
            guard !lines.isEmpty else { return (subscription, nil) }
            // As Stripe: the creation invoice's own period is the start instant (its lines carry
            // the period they bill); a cycle invoice's period is the period that just ended.
            let invoice = try InvoiceAssembly.draft(
                customer: params.customer, subscription: subscription.id, reason: .subscriptionCreate,
                currency: subscription.currency, period: (start, start), lines: lines, description: nil,
                created: now, finalizesAt: now, collection: subscription.collection)
            try tx.insert(invoice)
            try tx.appendFeed(.invoiceCreated, .invoice(invoice), at: now)
            return (subscription, try Self.finalize(invoice.id, at: now, tx))
        }
    }

    /// - Throws: `resource_missing`.
    public func subscription(_ id: Subscription.ID) throws -> Subscription {
        try store.read { tx in try tx.fetchSubscription(id) }
    }

    /// Subscriptions, oldest first, optionally of one customer.
    public func subscriptions(customer: Customer.ID? = nil) throws -> [Subscription] {
        try store.read { tx in
            try tx.subscriptions(customer: customer)
        }
    }

    /// Cancels a subscription now (a final invoice bills metered usage to date and pending items,
    /// finalizing after the grace period) or at the end of its current period (no further
    /// periods; the boundary invoice bills the last period's usage only).
    /// - Throws: `resource_missing`, `subscription_canceled`.
    public func cancelSubscription(_ id: Subscription.ID, atPeriodEnd: Bool = false) throws -> (Subscription, Invoice?)
    {
        let now = try self.now
        return try write(at: now) { tx, now in
            var sub = try tx.fetchSubscription(id)
            guard sub.status == .active else {
                throw LedgerError(
                    .subscriptionCanceled, "subscription '\(id)' is already canceled", param: "subscription")
            }
            if atPeriodEnd {
                try tx.setCancelAtPeriodEnd(id, canceledAt: now)
                let changed = try tx.fetchSubscription(id)
                try tx.appendFeed(.subscriptionUpdated, .subscription(changed), at: now)
                return (changed, nil)
            }
            // Usage up to now, in arrears; nothing more in advance.
            let end = max(now, sub.currentPeriodStart)
            try tx.end(id, endedAt: end, canceledAt: now)
            var cache: [Price.ID: PriceInfo] = [:]
            sub.status = .canceled
            let lines = try Self.subscriptionLines(
                tx,
                sub, usage: (sub.currentPeriodStart, end), advance: nil, zeroMetered: nil, asOf: now,
                pendingItems: true, cache: &cache)
            var invoice: Invoice?
            if !lines.isEmpty {
                let draft = try InvoiceAssembly.draft(
                    customer: sub.customer, subscription: id, reason: .subscriptionCancel, currency: sub.currency,
                    period: (sub.currentPeriodStart, end), lines: lines, description: nil, created: now,
                    finalizesAt: now + sub.graceSeconds, collection: sub.collection)
                try tx.insert(draft)
                invoice = try tx.fetchInvoice(draft.id)
            }
            let ended = try tx.fetchSubscription(id)
            try tx.appendFeed(.subscriptionDeleted, .subscription(ended), at: now)
            if invoice == nil {
                try Self.settleAllowances(tx, subscription: id, through: nil, at: now)
            }
            if let invoice { try tx.appendFeed(.invoiceCreated, .invoice(invoice), at: now) }
            return (ended, invoice)
        }
    }

    /// The invoice a subscription's period boundary makes (SPEC §2.4), at the boundary's instant:
    /// the ended period's usage, the next period's licensed items unless the subscription ends
    /// there, and pending items. Advances the subscription, or ends it. Returns the draft, if any,
    /// and whether the subscription ended.
    static func closePeriod(
        _ tx: StorageTransaction, _ sub: Subscription, cache: inout [Price.ID: PriceInfo]
    ) throws -> (invoice: Invoice?, ended: Bool) {
        let id = sub.id
        precondition(sub.status == .active, "only active subscriptions have due periods")
        let boundary = sub.currentPeriodEnd
        let next = try sub.cycle.boundary(after: boundary)
        let ends = sub.cancelAtPeriodEnd
        var lines: [InvoiceLine]
        var failure: LedgerError?
        do {
            lines = try Self.subscriptionLines(
                tx,
                sub, usage: (sub.currentPeriodStart, boundary), advance: ends ? nil : (boundary, next),
                zeroMetered: nil, asOf: boundary, pendingItems: true, cache: &cache, advanceItems: sub.nextPeriodItems)
        } catch let error as LedgerError where error.code == .amountOverflow {
            // The period still closes, on a draft that names why it cannot be billed as is.
            failure = error
            lines = try Self.subscriptionLines(
                tx,
                sub, usage: (sub.currentPeriodStart, boundary), advance: ends ? nil : (boundary, next),
                zeroMetered: nil, asOf: boundary, pendingItems: true, cache: &cache, placeholderOnOverflow: true,
                advanceItems: sub.nextPeriodItems)
        }
        var after = sub
        if ends {
            try tx.end(id, endedAt: boundary)
            after.status = .canceled
            after.endedAt = boundary
        } else {
            try tx.advance(id, periodStart: boundary, periodEnd: next)
            after.currentPeriodStart = boundary
            after.currentPeriodEnd = next
            after.items = sub.nextPeriodItems ?? sub.items
            after.nextPeriodItems = nil
        }
        try tx.appendFeed(ends ? .subscriptionDeleted : .subscriptionUpdated, .subscription(after), at: boundary)
        if lines.isEmpty {
            // Nothing to invoice: the period's allowance grants settle as it closes.
            try settleAllowances(tx, subscription: id, through: ends ? nil : boundary, at: boundary)
        }
        if !ends { try issueAllowances(tx, after, at: boundary) }
        guard !lines.isEmpty else { return (nil, ends) }
        var invoice: Invoice
        do {
            invoice = try InvoiceAssembly.draft(
                customer: sub.customer, subscription: id, reason: ends ? .subscriptionCancel : .subscriptionCycle,
                currency: sub.currency, period: (sub.currentPeriodStart, boundary), lines: lines, description: nil,
                created: boundary, finalizesAt: boundary + sub.graceSeconds, collection: sub.collection)
        } catch let error as LedgerError where error.code == .amountOverflow {
            // The lines fit one by one but not their sum: the draft shows no total until fixed.
            failure = failure ?? error
            invoice = try InvoiceAssembly.draft(
                customer: sub.customer, subscription: id, reason: ends ? .subscriptionCancel : .subscriptionCycle,
                currency: sub.currency, period: (sub.currentPeriodStart, boundary), lines: lines, description: nil,
                created: boundary, finalizesAt: boundary + sub.graceSeconds, collection: sub.collection,
                subtotalOverride: 0)
        }
        invoice.failure = failure.map { Invoice.Failure(code: $0.code.rawValue, message: $0.message, failedAt: nil) }
        try tx.insert(invoice, cache: &cache)
        try tx.appendFeed(.invoiceCreated, .invoice(invoice), at: boundary)
        return (invoice, ends)
    }
}
