/// Credit balance alerts (0014) and the balance timeline they are judged on.
extension StorageTransaction {
    func insert(_ alert: Alert, nextCheckAt: Int64?) throws {
        try db.execute(
            sql: """
                INSERT INTO alert (id, customerId, alertType, currency, lte, meterId, gte, recurrence, periodStart,
                    title, status, created, archivedAt, triggered, evaluatedThrough, nextCheckAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                alert.id.rawValue, alert.customer.rawValue,
                alert.usage == nil ? "credit_balance_threshold" : "usage_threshold", alert.lte?.currency.code,
                alert.lte?.amountMinor, alert.usage?.meter.rawValue, alert.usage?.gte.description,
                alert.usage?.recurrence.rawValue, alert.periodStart, alert.title, alert.status.rawValue,
                alert.created, alert.archivedAt, alert.triggered, alert.evaluatedThrough, nextCheckAt,
            ])
    }

    /// - Throws: `resource_missing`.
    func fetchAlert(_ id: Alert.ID) throws -> Alert {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id.rawValue])
        else { throw LedgerError.missing("alert", id.rawValue, param: "alert") }
        return try alert(row)
    }

    /// Alerts oldest first, optionally of one customer.
    func alerts(customer: Customer.ID?) throws -> [Alert] {
        try SQLRow.fetchAll(
            db, sql: "SELECT * FROM alert WHERE customerId IS ? OR ? ORDER BY seq",
            arguments: [customer?.rawValue, customer == nil]
        ).map(alert)
    }

    /// The customer's active alerts, oldest first: read by every finalization that applies
    /// credit, so through the `alert_customer` index.
    func activeAlerts(customer: Customer.ID) throws -> [Alert] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM alert WHERE customerId = ? AND status = 'active'
                        AND alertType = 'credit_balance_threshold' ORDER BY seq
                    """),
            arguments: [customer.rawValue]
        ).map(alert)
    }

    /// The customer's active usage alerts on the meter, oldest first.
    func activeUsageAlerts(customer: Customer.ID, meter: Meter.ID) throws -> [Alert] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM alert WHERE customerId = ? AND meterId = ? AND alertType = 'usage_threshold'
                        AND status = 'active' ORDER BY seq
                    """),
            arguments: [customer.rawValue, meter.rawValue]
        ).map(alert)
    }

    /// Whether any usage alert is active: what an event write reads once, to skip the judgment.
    func anyActiveUsageAlert() throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM alert WHERE alertType = 'usage_threshold' AND status = 'active')")
        ) ?? false
    }

    /// Records a usage alert's judgment.
    func saveUsageJudgment(_ alert: Alert) throws {
        try db.cachedStatement(
            sql: "UPDATE alert SET triggered = ?, periodStart = ?, evaluatedThrough = ? WHERE id = ?"
        ).execute(arguments: [alert.triggered, alert.periodStart, alert.evaluatedThrough, alert.id.rawValue])
    }

    private func alert(_ row: SQLRow) throws -> Alert {
        let currency: String? = row["currency"]
        let meter: String? = row["meterId"]
        return Alert(
            id: .init(row["id"]), customer: .init(row["customerId"]),
            lte: try currency.map { Money(amountMinor: row["lte"], currency: try Currency(code: $0)) },
            title: row["title"], status: try stored(Alert.Status(rawValue: row["status"]), "alert status"),
            created: row["created"], archivedAt: row["archivedAt"], triggered: row["triggered"],
            evaluatedThrough: row["evaluatedThrough"],
            usage: try meter.map {
                Alert.UsageThreshold(
                    meter: .init($0), gte: try stored(ExactDecimal(parsing: try stored(row["gte"], "gte")), "gte"),
                    recurrence: try stored(
                        Alert.UsageThreshold.Recurrence(rawValue: try stored(row["recurrence"], "recurrence")),
                        "recurrence"))
            }, periodStart: row["periodStart"])
    }

    /// Records what an alert's judgment through `evaluatedThrough` decided.
    func saveJudgment(_ alert: Alert, nextCheckAt: Int64?) throws {
        try db.cachedStatement(
            sql: "UPDATE alert SET triggered = ?, evaluatedThrough = ?, nextCheckAt = ? WHERE id = ?"
        ).execute(arguments: [alert.triggered, alert.evaluatedThrough, nextCheckAt, alert.id.rawValue])
    }

    func archive(_ id: Alert.ID, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE alert SET status = 'archived', archivedAt = ?, nextCheckAt = NULL WHERE id = ?",
            arguments: [instant, id.rawValue])
    }

    /// The customer's credit balance in `currency` effective by `instant`: the sum of its balance
    /// transactions, credits less debits.
    func creditBalance(customer: Customer.ID, currency: Currency, at instant: Int64) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)
                    FROM creditBalanceTransaction WHERE customerId = ? AND currency = ? AND effectiveAt <= ?
                    """),
            arguments: [customer.rawValue, currency.code, instant]) ?? 0
    }

    /// The customer's balance changes in `currency` effective in `(after, through]`, one per
    /// instant (the net of its transactions), in time order.
    func creditChanges(customer: Customer.ID, currency: Currency, after: Int64, through: Int64) throws
        -> [(at: Int64, amount: Int64)]
    {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT effectiveAt, sum(CASE type WHEN 'credit' THEN amount ELSE -amount END) AS net
                    FROM creditBalanceTransaction
                    WHERE customerId = ? AND currency = ? AND effectiveAt > ? AND effectiveAt <= ?
                    GROUP BY effectiveAt ORDER BY effectiveAt
                    """),
            arguments: [customer.rawValue, currency.code, after, through]
        ).map { ($0["effectiveAt"], $0["net"]) }
    }

    /// The earliest instant after `after` at which one of the customer's transactions in
    /// `currency` takes effect.
    func nextCreditChange(customer: Customer.ID, currency: Currency, after: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT min(effectiveAt) FROM creditBalanceTransaction
                    WHERE customerId = ? AND currency = ? AND effectiveAt > ?
                    """),
            arguments: [customer.rawValue, currency.code, after])
    }

    /// The earliest active alert to judge by `until` (a transaction of its customer takes effect
    /// then): its customer and instant.
    func nextAlertCheck(until: Int64) throws -> (customer: Customer.ID, at: Int64)? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT customerId, nextCheckAt FROM alert
                    WHERE status = 'active' AND nextCheckAt IS NOT NULL AND nextCheckAt <= ?
                    ORDER BY nextCheckAt, seq LIMIT 1
                    """),
            arguments: [until]
        ).map { (Customer.ID($0["customerId"]), $0["nextCheckAt"]) }
    }
}
