/// Credit grants and their balance transactions.
extension StorageTransaction {
    func insert(_ grant: CreditGrant) throws {
        try db.execute(
            sql: """
                INSERT INTO creditGrant (id, customerId, name, currency, amount, category, scopeType, priority,
                    effectiveAt, expiresAt, costBasis, fundingInvoiceId, metadata, created, allowanceId,
                    coversSubscriptionId, coversAfter, coversThrough, rolledOverFrom)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                grant.id.rawValue, grant.customer.rawValue, grant.name, grant.amount.currency.code,
                grant.amount.amountMinor, grant.category.rawValue, grant.scope == .metered ? "metered" : "prices",
                grant.priority, grant.effectiveAt, grant.expiresAt, grant.costBasis, grant.fundingInvoice?.rawValue,
                MetadataJSON.encode(grant.metadata), grant.created, grant.allowance?.rawValue,
                grant.coverage?.subscription.rawValue, grant.coverage?.after, grant.coverage?.through,
                grant.rolledOverFrom?.rawValue,
            ])
        try insertScopePrices(grant.scope, into: .grant, id: grant.id.rawValue, customer: grant.customer)
    }

    /// Where a scope's prices are kept: a grant's, an allowance's, a top-up rule's.
    enum ScopeTable {
        case grant, allowance, topUpRule

        var table: String {
            switch self {
            case .grant: "creditGrantPrice"
            case .allowance: "allowancePrice"
            case .topUpRule: "topUpRulePrice"
            }
        }

        var key: String {
            switch self {
            case .grant: "grantId"
            case .allowance: "allowanceId"
            case .topUpRule: "ruleId"
            }
        }
    }

    /// Writes the prices of a price scope (nothing for `metered`) of `customer`'s `id`.
    func insertScopePrices(_ scope: CreditGrant.Scope, into table: ScopeTable, id: String, customer: Customer.ID)
        throws
    {
        guard case .prices(let prices) = scope else { return }
        for price in prices {
            try db.execute(
                sql: "INSERT INTO \(table.table) (\(table.key), priceId, customerId) VALUES (?, ?, ?)",
                arguments: [id, price.rawValue, customer.rawValue])
        }
    }

    /// The scope stored as `scopeType` with its prices.
    func scope(_ scopeType: String, from table: ScopeTable, id: String) throws -> CreditGrant.Scope {
        guard scopeType == "prices" else { return .metered }
        return .prices(
            try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT priceId FROM \(table.table) WHERE \(table.key) = ? ORDER BY priceId"),
                arguments: [id]
            ).map { .init($0) })
    }

    /// Grants of the customer neither voided, expired (booked or due by `now`) nor ever applied.
    func unusedGrantCount(customer: Customer.ID, at now: Int64) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM creditGrant g WHERE g.customerId = ? AND g.voidedAt IS NULL
                    AND g.expiryBookedAt IS NULL AND (g.expiresAt IS NULL OR g.expiresAt > ?)
                    AND NOT EXISTS (SELECT 1 FROM creditBalanceTransaction t WHERE t.grantId = g.id AND t.kind = 'credits_applied')
                """,
            arguments: [customer.rawValue, now]) ?? 0
    }

    /// Books a balance transaction effective at `instant`; returns its ID.
    @discardableResult
    func book(
        grant: CreditGrant, kind: CreditBalanceTransaction.Kind, amount: Int64, at instant: Int64, now: Int64,
        invoice: Invoice.ID? = nil, line: InvoiceLine.ID? = nil
    ) throws -> String {
        precondition(amount > 0, "balance transactions move a positive amount")
        // The trigger checks a debit against the balance at its own instant only; a write at an
        // earlier instant than later debits (allowed clock regression) must not spend them twice.
        if kind.type == "debit" {
            let most = try debitable(grant.id, at: instant)
            guard amount <= most else {
                throw LedgerError.invalidRequest(
                    "credit_balance_negative: a debit of \(amount) at \(Instant.format(instant)) exceeds the \(most) grant '\(grant.id)' holds then and at every later instant",
                    param: "credit_grant")
            }
        }
        let id = IDs.generate(prefix: CreditBalanceTransaction.idPrefix)
        try db.cachedStatement(
            sql: """
                INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, effectiveAt,
                    invoiceId, invoiceLineId, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, grant.id.rawValue, grant.customer.rawValue, kind.type, kind.rawValue, amount,
            grant.amount.currency.code, instant, invoice?.rawValue, line?.rawValue, now,
        ])
        return id
    }

    /// - Throws: `resource_missing`.
    func fetchGrant(_ id: CreditGrant.ID) throws -> CreditGrant {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM creditGrant WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("credit grant", id.rawValue, param: "credit_grant") }
        return try grant(row)
    }

    func grant(_ row: SQLRow) throws -> CreditGrant {
        let id: String = row["id"]
        let scope = try scope(row["scopeType"], from: .grant, id: id)
        return CreditGrant(
            id: .init(id), customer: .init(row["customerId"]), name: row["name"],
            amount: Money(amountMinor: row["amount"], currency: try Currency(code: row["currency"])),
            category: try stored(CreditGrant.Category(rawValue: row["category"]), "category"), scope: scope,
            priority: row["priority"],
            effectiveAt: row["effectiveAt"], expiresAt: row["expiresAt"], voidedAt: row["voidedAt"],
            costBasis: row["costBasis"], fundingInvoice: (row["fundingInvoiceId"] as String?).map { .init($0) },
            metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"], sequence: row["seq"],
            allowance: (row["allowanceId"] as String?).map { .init($0) },
            coverage: try (row["coversSubscriptionId"] as String?).map {
                CreditGrant.Coverage(
                    subscription: .init($0), after: try stored(row["coversAfter"], "coversAfter"),
                    through: try stored(row["coversThrough"], "coversThrough"))
            }, rolledOverFrom: (row["rolledOverFrom"] as String?).map { .init($0) })
    }

    /// Grants, oldest first, optionally of one customer.
    func grants(customer: Customer.ID?) throws -> [CreditGrant] {
        // Two statements, so that one customer's grants are found through its index (an
        // `IS ? OR ?` filter scanned every grant of the file).
        guard let customer else {
            return try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM creditGrant ORDER BY seq")).map(grant)
        }
        return try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM creditGrant WHERE customerId = ? ORDER BY seq"),
            arguments: [customer.rawValue]
        ).map(grant)
    }

    /// A customer's grants, oldest first, each with its totals as of `instant`: one statement for
    /// all of them (a statement per grant and per figure was most of a balance read).
    /// Without `customer`, every grant of the file (what `verify` checks).
    ///
    /// When none of the grants has a transaction effective after `instant` (any read of now or
    /// later), their sums come from the grant rows (0009_grant_totals.sql): one row per grant,
    /// whatever its history. `exact` sums the transactions themselves (verify and reconcile,
    /// which check the rows' sums against them).
    func grantStates(customer: Customer.ID?, at instant: Int64, exact: Bool = false) throws -> [GrantState] {
        if !exact {
            let rows = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT * FROM creditGrant WHERE \(customer == nil ? "?1 IS NULL" : "customerId = ?1") ORDER BY seq"
                ), arguments: [customer?.rawValue])
            if rows.allSatisfy({ (($0["lastEffectiveAt"] as Int64?) ?? .min) <= instant }) {
                return try rows.map { row in
                    let totals = try Self.totals(row, "total")
                    return GrantState(
                        grant: try grant(row), totals: totals, signed: totals.remaining,
                        expiryBookedAt: row["expiryBookedAt"], hasLater: false)
                }
            }
        }
        return try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT g.*,
                        coalesce(sum(CASE t.kind WHEN 'credits_granted' THEN t.amount END), 0) AS sumGranted,
                        coalesce(sum(CASE t.kind WHEN 'credits_applied' THEN t.amount END), 0) AS sumApplied,
                        coalesce(sum(CASE t.kind WHEN 'credits_application_invoice_voided' THEN t.amount END), 0)
                            AS sumReinstated,
                        coalesce(sum(CASE t.kind WHEN 'credits_expired' THEN t.amount END), 0) AS sumExpired,
                        coalesce(sum(CASE t.kind WHEN 'credits_voided' THEN t.amount END), 0) AS sumVoided,
                        coalesce(sum(CASE t.type WHEN 'credit' THEN t.amount ELSE -t.amount END), 0) AS signedTotal,
                        EXISTS (SELECT 1 FROM creditBalanceTransaction l WHERE l.grantId = g.id AND l.effectiveAt > ?2)
                            AS hasLater
                    FROM creditGrant g LEFT JOIN creditBalanceTransaction t ON t.grantId = g.id AND t.effectiveAt <= ?2
                    WHERE \(customer == nil ? "?1 IS NULL" : "g.customerId = ?1")
                    GROUP BY g.customerId, g.id ORDER BY g.seq
                    """),
            arguments: [customer?.rawValue, instant]
        ).map { row in
            GrantState(
                grant: try grant(row), totals: try Self.totals(row, "sum"), signed: row["signedTotal"],
                expiryBookedAt: row["expiryBookedAt"],
                hasLater: row["hasLater"])
        }
    }

    /// The five sums of a row, in the columns named `prefix` + kind: the grant row's own
    /// (`total…`) or the ones summed from its transactions (`sum…`).
    private static func totals(_ row: SQLRow, _ prefix: String) throws -> GrantTotals {
        func sum(_ kind: String) throws -> Int64 { try stored(row[prefix + kind], "grant total") }
        var totals = GrantTotals()
        totals.granted = try sum("Granted")
        totals.applied = try sum("Applied")
        totals.reinstated = try sum("Reinstated")
        totals.expired = try sum("Expired")
        totals.voided = try sum("Voided")
        return totals
    }

    /// Paid grants, oldest first, optionally of one customer or one grant.
    func paidGrants(customer: Customer.ID?, grant id: CreditGrant.ID?) throws -> [CreditGrant] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT * FROM creditGrant WHERE category = 'paid' AND (customerId IS ? OR ?) AND (id IS ? OR ?)
                ORDER BY seq
                """,
            arguments: [customer?.rawValue, customer == nil, id?.rawValue, id == nil]
        ).map(grant)
    }

    /// A grant's movements by kind, counting transactions effective by `asOf`.
    func totals(_ grant: CreditGrant.ID, asOf: Int64 = .max) throws -> GrantTotals {
        var totals = GrantTotals()
        for row in try SQLRow.fetchAll(
            db.cachedStatement(
                sql:
                    "SELECT kind, sum(amount) AS total FROM creditBalanceTransaction WHERE grantId = ? AND effectiveAt <= ? GROUP BY kind"
            ),
            arguments: [grant.rawValue, asOf])
        {
            let total: Int64 = row["total"]
            switch try stored(CreditBalanceTransaction.Kind(rawValue: row["kind"]), "kind") {
            case .creditsGranted: totals.granted = total
            case .creditsApplied: totals.applied = total
            case .creditsApplicationInvoiceVoided: totals.reinstated = total
            case .creditsExpired: totals.expired = total
            case .creditsVoided: totals.voided = total
            }
        }
        return totals
    }

    /// The most a debit at `instant` may take from the grant so that its balance stays at or above
    /// zero at `instant` and at every later effective instant: with the clock only moving forward
    /// this is the balance at `instant`; after an allowed clock regression, later applications and
    /// expiries already took their share.
    func debitable(_ grant: CreditGrant.ID, at instant: Int64) throws -> Int64 {
        // Nothing of the grant takes effect after the instant (the common case): its kept sums.
        let kept = try stored(
            SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM creditGrant WHERE id = ?"), arguments: [grant.rawValue]),
            "credit grant")
        if ((kept["lastEffectiveAt"] as Int64?) ?? .min) <= instant {
            return max(0, try Self.totals(kept, "total").remaining)
        }
        let row = try stored(
            SQLRow.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT
                            (SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)
                             FROM creditBalanceTransaction WHERE grantId = ?1 AND effectiveAt <= ?2) AS atInstant,
                            (SELECT min(balance) FROM (
                                SELECT effectiveAt, sum(CASE type WHEN 'credit' THEN amount ELSE -amount END)
                                    OVER (ORDER BY effectiveAt RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                                    AS balance
                                FROM creditBalanceTransaction WHERE grantId = ?1) AS running
                             WHERE effectiveAt > ?2) AS later
                        """),
                arguments: [grant.rawValue, instant]),
            "grant balance")
        let atInstant: Int64 = row["atInstant"]
        let later: Int64? = row["later"]
        return max(0, min(atInstant, later ?? atInstant))
    }

    /// When the grant's expiry was booked, if it was.
    func expiryBookedAt(_ grant: CreditGrant.ID) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT expiryBookedAt FROM creditGrant WHERE id = ?"), arguments: [grant.rawValue])
    }

    func setExpiry(_ grant: CreditGrant.ID, _ expiresAt: Int64?) throws {
        try db.execute(
            sql: "UPDATE creditGrant SET expiresAt = ? WHERE id = ?", arguments: [expiresAt, grant.rawValue])
    }

    func setMetadata(_ grant: CreditGrant.ID, _ metadata: [String: String]) throws {
        try db.execute(
            sql: "UPDATE creditGrant SET metadata = ? WHERE id = ?",
            arguments: [MetadataJSON.encode(metadata), grant.rawValue])
    }

    func markVoided(_ grant: CreditGrant.ID, at instant: Int64) throws {
        try db.execute(sql: "UPDATE creditGrant SET voidedAt = ? WHERE id = ?", arguments: [instant, grant.rawValue])
    }

    func markExpiryBooked(_ grant: CreditGrant.ID, at instant: Int64) throws {
        try db.cachedStatement(sql: "UPDATE creditGrant SET expiryBookedAt = ? WHERE id = ?")
            .execute(arguments: [instant, grant.rawValue])
    }

    /// The earliest expiry due by `until` and not booked.
    func nextExpiry(until: Int64) throws -> (CreditGrant.ID, Int64)? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT id, expiresAt FROM creditGrant WHERE expiryBookedAt IS NULL AND voidedAt IS NULL
                        AND expiresAt <= ? ORDER BY expiresAt, seq LIMIT 1
                    """),
            arguments: [until]
        ).map { (CreditGrant.ID($0["id"]), $0["expiresAt"]) }
    }

    /// The credit applications of an invoice, in the order they were booked.
    func creditApplications(of invoice: Invoice.ID) throws -> [CreditBalanceTransaction] {
        try transactions(
            sql: "SELECT * FROM creditBalanceTransaction WHERE invoiceId = ? AND kind = 'credits_applied' ORDER BY seq",
            [invoice.rawValue])
    }

    /// The customer's transactions effective by `asOf`, oldest first, optionally of one grant.
    func creditTransactions(customer: Customer.ID, grant: CreditGrant.ID?, asOf: Int64) throws
        -> [CreditBalanceTransaction]
    {
        try transactions(
            sql: """
                SELECT * FROM creditBalanceTransaction WHERE customerId = ? AND (grantId IS ? OR ?) AND effectiveAt <= ?
                ORDER BY effectiveAt, seq
                """,
            [customer.rawValue, grant?.rawValue, grant == nil, asOf])
    }

    private func transactions(sql: String, _ arguments: SQLArguments) throws -> [CreditBalanceTransaction] {
        try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map { row in
            CreditBalanceTransaction(
                id: .init(row["id"]), grant: .init(row["grantId"]), customer: .init(row["customerId"]),
                kind: try stored(CreditBalanceTransaction.Kind(rawValue: row["kind"]), "kind"),
                amount: Money(amountMinor: row["amount"], currency: try Currency(code: row["currency"])),
                effectiveAt: row["effectiveAt"], invoice: (row["invoiceId"] as String?).map { .init($0) },
                invoiceLine: (row["invoiceLineId"] as String?).map { .init($0) }, created: row["created"])
        }
    }
}

/// A grant and what its transactions add up to as of one instant (`grantStates`).
struct GrantState {
    let grant: CreditGrant
    let totals: GrantTotals
    /// The same transactions summed by their `type` (credits add, debits take): equal to
    /// `totals.remaining` unless a row was changed outside the ledger (reconcile compares them).
    let signed: Int64
    let expiryBookedAt: Int64?
    /// Whether some of its transactions take effect after the instant (a later start, or debits
    /// booked before the instant after an allowed clock regression): then what a debit may take
    /// must look at them (`debitable`).
    let hasLater: Bool
}
