/// Auto top-up rules and the top-ups they made (0016).
extension StorageTransaction {
    func insert(_ rule: TopUpRule) throws {
        var amount: Int64?
        var target: Int64?
        switch rule.size {
        case .amount(let value): amount = value
        case .target(let value): target = value
        }
        try db.execute(
            sql: """
                INSERT INTO topUpRule (id, customerId, currency, threshold, amount, target, costBasis, expiresAfterDays,
                    maxPerMonth, scopeType, grantOn, status, disabledAt, disabledReason, below, evaluatedThrough,
                    metadata, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                rule.id.rawValue, rule.customer.rawValue, rule.currency.code, rule.threshold, amount, target,
                rule.costBasis, rule.expiresAfterDays, rule.maxPerMonth, rule.scope == .metered ? "metered" : "prices",
                rule.grantOn.rawValue, rule.status.rawValue, rule.disabledAt, rule.disabledReason, rule.below,
                rule.evaluatedThrough, MetadataJSON.encode(rule.metadata), rule.created,
            ])
        try insertScopePrices(rule.scope, into: .topUpRule, id: rule.id.rawValue, customer: rule.customer)
    }

    /// - Throws: `resource_missing`.
    func fetchTopUpRule(_ id: TopUpRule.ID) throws -> TopUpRule {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM topUpRule WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("top-up rule", id.rawValue, param: "top_up") }
        return try topUpRule(row)
    }

    /// Rules oldest first, optionally of one customer.
    func topUpRules(customer: Customer.ID?) throws -> [TopUpRule] {
        guard let customer else {
            return try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM topUpRule ORDER BY seq")).map(topUpRule)
        }
        return try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM topUpRule WHERE customerId = ? ORDER BY seq"),
            arguments: [customer.rawValue]
        ).map(topUpRule)
    }

    /// The customer's active rules, oldest first: read by every write that books credit.
    func activeTopUpRules(customer: Customer.ID) throws -> [TopUpRule] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM topUpRule WHERE customerId = ? AND status = 'active' ORDER BY seq"),
            arguments: [customer.rawValue]
        ).map(topUpRule)
    }

    func saveJudgment(_ rule: TopUpRule) throws {
        try db.cachedStatement(sql: "UPDATE topUpRule SET below = ?, evaluatedThrough = ? WHERE id = ?")
            .execute(arguments: [rule.below, rule.evaluatedThrough, rule.id.rawValue])
    }

    func disable(_ rule: TopUpRule.ID, at instant: Int64, reason: String) throws {
        try db.execute(
            sql: "UPDATE topUpRule SET status = 'disabled', disabledAt = ?, disabledReason = ? WHERE id = ?",
            arguments: [instant, reason, rule.rawValue])
    }

    func insert(_ topUp: TopUp) throws {
        try db.execute(
            sql: """
                INSERT INTO topUp (id, ruleId, customerId, crossedAt, balance, amount, costBasis, invoiceId, grantId,
                    status, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                topUp.id.rawValue, topUp.rule.rawValue, topUp.customer.rawValue, topUp.crossedAt, topUp.balance,
                topUp.amount, topUp.costBasis, topUp.invoice.rawValue, topUp.grant?.rawValue, topUp.status.rawValue,
                topUp.created,
            ])
    }

    /// A rule's top-ups, oldest first.
    func topUps(rule: TopUpRule.ID) throws -> [TopUp] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM topUp WHERE ruleId = ? ORDER BY seq"), arguments: [rule.rawValue]
        ).map(topUp)
    }

    /// The top-up an invoice funds, if any.
    func topUp(funding invoice: Invoice.ID) throws -> TopUp? {
        try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM topUp WHERE invoiceId = ?"), arguments: [invoice.rawValue]
        ).map(topUp)
    }

    /// Whether the rule has a top-up whose invoice is not paid yet (`grant_on payment`).
    func hasPendingTopUp(rule: TopUpRule.ID) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM topUp WHERE ruleId = ? AND status = 'pending')"),
            arguments: [rule.rawValue]) ?? false
    }

    /// How many top-ups (not canceled) the rule made with `created` in `[from, to)`.
    func topUpCount(rule: TopUpRule.ID, from: Int64, to: Int64) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT count(*) FROM topUp WHERE ruleId = ? AND created >= ? AND created < ? AND status <> 'canceled'
                    """),
            arguments: [rule.rawValue, from, to]) ?? 0
    }

    func markTopUp(_ id: TopUp.ID, status: TopUp.Status, grant: CreditGrant.ID?) throws {
        try db.execute(
            sql: "UPDATE topUp SET status = ?, grantId = ? WHERE id = ?",
            arguments: [status.rawValue, grant?.rawValue, id.rawValue])
    }

    private func topUp(_ row: SQLRow) throws -> TopUp {
        TopUp(
            id: .init(row["id"]), rule: .init(row["ruleId"]), customer: .init(row["customerId"]),
            crossedAt: row["crossedAt"], balance: row["balance"], amount: row["amount"], costBasis: row["costBasis"],
            invoice: .init(row["invoiceId"]), grant: (row["grantId"] as String?).map { .init($0) },
            status: try stored(TopUp.Status(rawValue: row["status"]), "top-up status"), created: row["created"])
    }

    private func topUpRule(_ row: SQLRow) throws -> TopUpRule {
        let id: String = row["id"]
        let scope = try scope(row["scopeType"], from: .topUpRule, id: id)
        let amount: Int64? = row["amount"]
        let size: TopUpRule.Size = try amount.map { .amount($0) } ?? .target(stored(row["target"], "target"))
        return TopUpRule(
            id: .init(id), customer: .init(row["customerId"]), currency: try Currency(code: row["currency"]),
            threshold: row["threshold"], size: size, costBasis: row["costBasis"],
            expiresAfterDays: row["expiresAfterDays"], maxPerMonth: row["maxPerMonth"], scope: scope,
            grantOn: try stored(TopUpRule.GrantOn(rawValue: row["grantOn"]), "grant on"),
            status: try stored(TopUpRule.Status(rawValue: row["status"]), "top-up status"),
            disabledAt: row["disabledAt"], disabledReason: row["disabledReason"],
            metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"], below: row["below"],
            evaluatedThrough: row["evaluatedThrough"])
    }
}
