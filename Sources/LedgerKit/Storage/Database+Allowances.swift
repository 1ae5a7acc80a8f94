/// Recurring credit allowances (0015) and the grants they issue.
extension StorageTransaction {
    func insert(_ allowance: Allowance) throws {
        try db.execute(
            sql: """
                INSERT INTO allowance (id, subscriptionId, customerId, name, currency, amount, category, scopeType,
                    priority, rolloverMax, rolloverPeriods, status, canceledAt, metadata, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                allowance.id.rawValue, allowance.subscription.rawValue, allowance.customer.rawValue, allowance.name,
                allowance.amount.currency.code, allowance.amount.amountMinor, allowance.category.rawValue,
                allowance.scope == .metered ? "metered" : "prices", allowance.priority, allowance.rolloverMax,
                allowance.rolloverPeriods, allowance.status.rawValue, allowance.canceledAt,
                MetadataJSON.encode(allowance.metadata), allowance.created,
            ])
        try insertScopePrices(
            allowance.scope, into: .allowance, id: allowance.id.rawValue, customer: allowance.customer)
    }

    /// - Throws: `resource_missing`.
    func fetchAllowance(_ id: Allowance.ID) throws -> Allowance {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM allowance WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("allowance", id.rawValue, param: "allowance") }
        return try allowance(row)
    }

    /// Allowances oldest first, of one subscription, or one customer, or all.
    func allowances(subscription: Subscription.ID?, customer: Customer.ID?) throws -> [Allowance] {
        if let subscription {
            return try SQLRow.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM allowance WHERE subscriptionId = ? ORDER BY seq"),
                arguments: [subscription.rawValue]
            ).map(allowance)
        }
        if let customer {
            return try SQLRow.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM allowance WHERE customerId = ? ORDER BY seq"),
                arguments: [customer.rawValue]
            ).map(allowance)
        }
        return try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM allowance ORDER BY seq")).map(allowance)
    }

    /// The subscription's active allowances, oldest first: read at every period boundary.
    func activeAllowances(subscription: Subscription.ID) throws -> [Allowance] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM allowance WHERE subscriptionId = ? AND status = 'active' ORDER BY seq"),
            arguments: [subscription.rawValue]
        ).map(allowance)
    }

    func cancel(_ allowance: Allowance.ID, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE allowance SET status = 'canceled', canceledAt = ? WHERE id = ?",
            arguments: [instant, allowance.rawValue])
    }

    /// The subscription's allowance grants not yet settled (nor voided) whose coverage ends at
    /// exactly `through` (every one when nil), in creation order.
    func openAllowanceGrants(subscription: Subscription.ID, through: Int64?) throws -> [CreditGrant] {
        guard let through else {
            return try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM creditGrant WHERE coversSubscriptionId = ? AND coversThrough IS NOT NULL
                            AND expiryBookedAt IS NULL AND voidedAt IS NULL ORDER BY seq
                        """),
                arguments: [subscription.rawValue]
            ).map(grant)
        }
        return try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM creditGrant WHERE coversSubscriptionId = ? AND coversThrough = ?
                        AND expiryBookedAt IS NULL AND voidedAt IS NULL ORDER BY seq
                    """),
            arguments: [subscription.rawValue, through]
        ).map(grant)
    }

    /// Whether the subscription's cycle invoice of the period ending `periodEnd` is still a draft.
    func hasCycleDraft(subscription: Subscription.ID, periodEnd: Int64) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT EXISTS (SELECT 1 FROM invoice WHERE subscriptionId = ? AND periodEnd = ?
                        AND billingReason = 'subscription_cycle' AND status = 'draft')
                    """),
            arguments: [subscription.rawValue, periodEnd]) ?? false
    }

    /// The grants an allowance issued, oldest first.
    func grants(allowance: Allowance.ID) throws -> [CreditGrant] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM creditGrant WHERE allowanceId = ? ORDER BY seq"),
            arguments: [allowance.rawValue]
        ).map(grant)
    }

    private func allowance(_ row: SQLRow) throws -> Allowance {
        let id: String = row["id"]
        let scope = try scope(row["scopeType"], from: .allowance, id: id)
        return Allowance(
            id: .init(id), subscription: .init(row["subscriptionId"]), customer: .init(row["customerId"]),
            name: row["name"], amount: Money(amountMinor: row["amount"], currency: try Currency(code: row["currency"])),
            category: try stored(CreditGrant.Category(rawValue: row["category"]), "category"), scope: scope,
            priority: row["priority"], rolloverMax: row["rolloverMax"], rolloverPeriods: row["rolloverPeriods"],
            status: try stored(Allowance.Status(rawValue: row["status"]), "allowance status"),
            canceledAt: row["canceledAt"], metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
    }
}
