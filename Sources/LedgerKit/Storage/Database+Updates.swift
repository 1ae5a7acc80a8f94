/// The rows the update and delete verbs write: customers, products, prices, invoices, invoice
/// items, and the dated item changes of subscriptions (0011).
extension StorageTransaction {
    // MARK: Customers

    func update(_ customer: Customer) throws {
        try db.execute(
            sql: "UPDATE customer SET name = ?, email = ?, metadata = ? WHERE id = ?",
            arguments: [
                customer.name, customer.email, MetadataJSON.encode(customer.metadata), customer.id.rawValue,
            ])
    }

    /// What still names the customer, in the order a refusal names it: nil when nothing does.
    func customerUse(_ id: Customer.ID) throws -> String? {
        let seq = try customerSeq(id)
        let uses: [(String, String, SQLBindable)] = [
            ("invoices", "SELECT 1 FROM invoice WHERE customerId = ? LIMIT 1", id.rawValue),
            ("credit grants", "SELECT 1 FROM creditGrant WHERE customerId = ? LIMIT 1", id.rawValue),
            ("subscriptions", "SELECT 1 FROM subscription WHERE customerId = ? LIMIT 1", id.rawValue),
            ("invoice items", "SELECT 1 FROM invoiceItem WHERE customerId = ? LIMIT 1", id.rawValue),
            ("meter events", "SELECT 1 FROM meterEvent WHERE customerSeq = ? LIMIT 1", seq),
        ]
        for (what, sql, key) in uses where try Bool.fetchOne(db, sql: sql, arguments: [key]) == true {
            return what
        }
        return nil
    }

    func delete(_ customer: Customer.ID) throws {
        try db.execute(sql: "DELETE FROM customer WHERE id = ?", arguments: [customer.rawValue])
    }

    // MARK: Products and prices

    func update(_ product: Product) throws {
        try db.execute(
            sql: "UPDATE product SET name = ?, description = ?, active = ?, metadata = ? WHERE id = ?",
            arguments: [
                product.name, product.description, product.active, MetadataJSON.encode(product.metadata),
                product.id.rawValue,
            ])
    }

    /// Writes what may change on a price: active, lookup_key, nickname, metadata.
    func update(_ price: Price) throws {
        try db.execute(
            sql: "UPDATE price SET active = ?, lookupKey = ?, nickname = ?, metadata = ? WHERE id = ?",
            arguments: [
                price.active, price.lookupKey, price.nickname, MetadataJSON.encode(price.metadata), price.id.rawValue,
            ])
    }

    /// Takes the lookup key off `price` (a transfer moves it to another price).
    func clearLookupKey(of price: String) throws {
        try db.execute(sql: "UPDATE price SET lookupKey = NULL WHERE id = ?", arguments: [price])
    }

    // MARK: Invoices and invoice items

    func updateDraft(_ id: Invoice.ID, description: String?, metadata: [String: String]) throws {
        try db.execute(
            sql: "UPDATE invoice SET description = ?, metadata = ? WHERE id = ? AND status = 'draft'",
            arguments: [description, MetadataJSON.encode(metadata), id.rawValue])
    }

    /// Deletes an invoice item and, when it is on a draft, its line; the lines after it move up
    /// one position, so positions stay 0, 1, 2, … (a line added next takes the count).
    func delete(_ item: InvoiceItem) throws {
        if let invoice = item.invoice {
            let position = try Int.fetchOne(
                db, sql: "SELECT position FROM invoiceLine WHERE invoiceId = ? AND invoiceItemId = ?",
                arguments: [invoice.rawValue, item.id.rawValue])
            try db.execute(
                sql: "DELETE FROM invoiceLine WHERE invoiceId = ? AND invoiceItemId = ?",
                arguments: [invoice.rawValue, item.id.rawValue])
            if let position {
                // Two steps: past every position first, then back, so no step meets a taken one.
                let shift = 1 << 40
                try db.execute(
                    sql: "UPDATE invoiceLine SET position = position + ? WHERE invoiceId = ? AND position > ?",
                    arguments: [shift, invoice.rawValue, position])
                try db.execute(
                    sql: "UPDATE invoiceLine SET position = position - ? - 1 WHERE invoiceId = ? AND position > ?",
                    arguments: [shift, invoice.rawValue, shift])
            }
        }
        try db.execute(sql: "DELETE FROM invoiceItem WHERE id = ?", arguments: [item.id.rawValue])
    }

    // MARK: Subscriptions

    /// Every item row of a subscription, in position order, with its dated range.
    func itemRows(of subscription: Subscription.ID) throws -> [SubscriptionItemRow] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT id, priceId, quantity, effectiveFrom, effectiveUntil FROM subscriptionItem
                WHERE subscriptionId = ? ORDER BY position
                """,
            arguments: [subscription.rawValue]
        ).map {
            SubscriptionItemRow(
                id: .init($0["id"]), price: .init($0["priceId"]), quantity: $0["quantity"],
                effectiveFrom: $0["effectiveFrom"], effectiveUntil: $0["effectiveUntil"])
        }
    }

    /// Adds an item that takes effect at `effectiveFrom`, after the subscription's last one.
    func insertItem(
        _ item: SubscriptionItem, of subscription: Subscription.ID, customer: Customer.ID, effectiveFrom: Int64,
        created: Int64
    ) throws {
        let position = try Int64.fetchOne(
            db, sql: "SELECT coalesce(max(position) + 1, 0) FROM subscriptionItem WHERE subscriptionId = ?",
            arguments: [subscription.rawValue])
        try db.execute(
            sql: """
                INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created, effectiveFrom,
                    customerId)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                item.id.rawValue, subscription.rawValue, position, item.price.rawValue, item.quantity,
                created, effectiveFrom, customer.rawValue,
            ])
    }

    /// Ends an item at `instant`: the period starting then no longer bills it.
    func endItem(_ item: SubscriptionItem.ID, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE subscriptionItem SET effectiveUntil = ? WHERE id = ?", arguments: [instant, item.rawValue])
    }

    /// Deletes an item that never took effect (added and removed within one period).
    func deleteUnstartedItem(_ item: SubscriptionItem.ID) throws {
        try db.execute(sql: "DELETE FROM subscriptionItemQuantity WHERE itemId = ?", arguments: [item.rawValue])
        try db.execute(sql: "DELETE FROM subscriptionItem WHERE id = ?", arguments: [item.rawValue])
    }

    /// A licensed item's quantity from `effectiveFrom` on (replacing a change already made for then).
    func scheduleQuantity(
        _ item: SubscriptionItem.ID, of customer: Customer.ID, _ quantity: Int64, from effectiveFrom: Int64,
        created: Int64
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO subscriptionItemQuantity (itemId, effectiveFrom, quantity, created, customerId)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (customerId, itemId, effectiveFrom)
                    DO UPDATE SET quantity = excluded.quantity, created = excluded.created
                """,
            arguments: [item.rawValue, effectiveFrom, quantity, created, customer.rawValue])
    }

    /// Sets or clears cancel_at_period_end (`canceled_at` is the request's instant, or cleared).
    func setCancelAtPeriodEnd(_ id: Subscription.ID, _ cancel: Bool, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE subscription SET cancelAtPeriodEnd = ?, canceledAt = ? WHERE id = ?",
            arguments: [cancel, cancel ? instant : nil, id.rawValue])
    }

    func updateMetadata(of id: Subscription.ID, _ metadata: [String: String]) throws {
        try db.execute(
            sql: "UPDATE subscription SET metadata = ? WHERE id = ?",
            arguments: [MetadataJSON.encode(metadata), id.rawValue])
    }
}

/// A subscription item as stored: its base quantity and the range of periods it is in effect for.
struct SubscriptionItemRow {
    let id: SubscriptionItem.ID
    let price: Price.ID
    let quantity: Int64?
    let effectiveFrom: Int64?
    let effectiveUntil: Int64?
}

extension StorageTransaction {
    /// Records an invoice's `auto_advance`.
    func setAutoAdvance(_ id: Invoice.ID, _ value: Bool) throws {
        try db.execute(sql: "UPDATE invoice SET autoAdvance = ? WHERE id = ?", arguments: [value, id.rawValue])
    }
}
