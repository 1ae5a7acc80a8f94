import GRDB

/// What a caller gives to create a credit grant.
public struct GrantParams: Sendable {
    public var id: String?
    public var customer: Customer.ID
    public var amount: Int64
    public var currency: Currency
    public var category: CreditGrant.Category
    public var scope: CreditGrant.Scope
    public var priority: Int
    public var effectiveAt: Int64?
    public var expiresAt: Int64?
    public var name: String?
    public var costBasis: Int64?
    public var fundingInvoice: Invoice.ID?
    public var metadata: [String: String]

    public init(
        id: String? = nil, customer: Customer.ID, amount: Int64, currency: Currency,
        category: CreditGrant.Category = .paid,
        scope: CreditGrant.Scope, priority: Int = 50, effectiveAt: Int64? = nil, expiresAt: Int64? = nil,
        name: String? = nil, costBasis: Int64? = nil, fundingInvoice: Invoice.ID? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.customer = customer
        self.amount = amount
        self.currency = currency
        self.category = category
        self.scope = scope
        self.priority = priority
        self.effectiveAt = effectiveAt
        self.expiresAt = expiresAt
        self.name = name
        self.costBasis = costBasis
        self.fundingInvoice = fundingInvoice
        self.metadata = metadata
    }
}

/// A customer's credit balance in one currency (an entry of `billing.credit_balance_summary`).
public struct CreditBalance: Hashable, Sendable {
    public var currency: Currency
    /// Committed transactions effective by the instant.
    public var ledgerBalance: Int64
    /// Less credits expired but not yet booked, and credits held by draft invoices.
    public var availableBalance: Int64
}

/// The movements of one grant, by kind (face value, minor units).
public struct GrantTotals: Hashable, Sendable {
    public var granted: Int64 = 0
    public var applied: Int64 = 0
    public var reinstated: Int64 = 0
    public var expired: Int64 = 0
    public var voided: Int64 = 0

    /// granted + reinstated − applied − expired − voided.
    public var remaining: Int64 { granted + reinstated - applied - expired - voided }
}

extension Ledger {
    // MARK: Grants

    /// Creates a credit grant (SPEC §2.6) and books `credits_granted` at its effective instant.
    /// - Throws: `invalid_amount`, `invalid_request` (scope, priority, dates, cost basis),
    ///   `resource_missing`, `currency_mismatch`, `grants_limit_reached`, `resource_already_exists`.
    public func createGrant(_ params: GrantParams) throws -> CreditGrant {
        let now = self.now
        guard params.amount > 0 else {
            throw LedgerError(.invalidAmount, "a grant's amount must be greater than 0", param: "amount")
        }
        guard (0...100).contains(params.priority) else {
            throw LedgerError.invalidRequest("priority \(params.priority) must be 0–100", param: "priority")
        }
        let effectiveAt = params.effectiveAt ?? now
        if let expiresAt = params.expiresAt, expiresAt <= effectiveAt {
            throw LedgerError.invalidRequest(
                "expires_at \(Instant.format(expiresAt)) must be after effective_at \(Instant.format(effectiveAt))",
                param: "expires_at")
        }
        // A grant is never created already expired: that would rewrite balances already read.
        if let expiresAt = params.expiresAt, expiresAt <= now {
            throw LedgerError.invalidRequest(
                "expires_at \(Instant.format(expiresAt)) is not after now (\(Instant.format(now)))", param: "expires_at"
            )
        }
        if let costBasis = params.costBasis {
            guard params.category == .paid else {
                throw LedgerError.invalidRequest("only a paid grant has a cost basis", param: "cost_basis")
            }
            guard costBasis >= 0 else {
                throw LedgerError(.invalidAmount, "cost_basis cannot be negative", param: "cost_basis")
            }
        }
        if params.fundingInvoice != nil && params.category != .paid {
            throw LedgerError.invalidRequest("only a paid grant has a funding invoice", param: "funding_invoice")
        }
        if case .prices(let prices) = params.scope {
            if prices.isEmpty || prices.count > Limits.grantScopePricesMax {
                throw LedgerError.invalidRequest(
                    "a price scope names 1–\(Limits.grantScopePricesMax) metered prices",
                    param: "applicability_config.scope.prices")
            }
            if Set(prices).count != prices.count {
                throw LedgerError.invalidRequest(
                    "a price appears twice in the scope", param: "applicability_config.scope.prices")
            }
        }
        try Text.validate(params.name, param: "name")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: CreditGrant.idPrefix)
        return try write(at: now) { db in
            try requireAbsent(db, table: "creditGrant", id: id, kind: "credit grant")
            _ = try Self.customerSeq(db, params.customer)
            if case .prices(let prices) = params.scope {
                for (index, priceID) in prices.enumerated() {
                    let price = try Self.fetchPrice(db, priceID)
                    guard price.recurring?.usageType == .metered else {
                        throw LedgerError.invalidRequest(
                            "price '\(priceID)' is not metered: grants pay metered usage only",
                            param: "applicability_config.scope.prices[\(index)]")
                    }
                    guard price.currency == params.currency else {
                        throw LedgerError.currencyMismatch(params.currency, price.currency)
                    }
                }
            }
            if let funding = params.fundingInvoice {
                let invoice = try Self.fetchInvoice(db, funding)
                guard invoice.customer == params.customer else {
                    throw LedgerError.invalidRequest(
                        "funding invoice '\(funding)' belongs to another customer", param: "funding_invoice")
                }
                guard invoice.currency == params.currency else {
                    throw LedgerError.currencyMismatch(params.currency, invoice.currency)
                }
                guard invoice.status == .open || invoice.status == .paid else {
                    throw LedgerError.invalidRequest(
                        "funding invoice '\(funding)' is \(invoice.status.rawValue); it must be finalized (open or paid)",
                        param: "funding_invoice")
                }
            }
            let unused =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM creditGrant g WHERE g.customerId = ? AND g.voidedAt IS NULL
                            AND g.expiryBookedAt IS NULL AND (g.expiresAt IS NULL OR g.expiresAt > ?)
                            AND NOT EXISTS (SELECT 1 FROM creditBalanceTransaction t WHERE t.grantId = g.id AND t.kind = 'credits_applied')
                        """,
                    arguments: [params.customer.rawValue, now]) ?? 0
            if unused >= Limits.unusedGrantsMax {
                throw LedgerError(
                    .grantsLimitReached,
                    "customer '\(params.customer)' already has \(unused) unused grants; at most \(Limits.unusedGrantsMax)",
                    param: "customer")
            }
            try db.execute(
                sql: """
                    INSERT INTO creditGrant (id, customerId, name, currency, amount, category, scopeType, priority,
                        effectiveAt, expiresAt, costBasis, fundingInvoiceId, metadata, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, params.customer.rawValue, params.name, params.currency.code, params.amount,
                    params.category.rawValue,
                    params.scope == .metered ? "metered" : "prices", params.priority, effectiveAt, params.expiresAt,
                    params.costBasis, params.fundingInvoice?.rawValue, MetadataJSON.encode(params.metadata), now,
                ])
            if case .prices(let prices) = params.scope {
                for price in prices {
                    try db.execute(
                        sql: "INSERT INTO creditGrantPrice (grantId, priceId) VALUES (?, ?)",
                        arguments: [id, price.rawValue])
                }
            }
            let grant = try Self.fetchGrant(db, .init(id))
            try Self.book(db, grant: grant, kind: .creditsGranted, amount: params.amount, at: effectiveAt, now: now)
            try Self.postGranted(db, grant)
            return grant
        }
    }

    /// Credit liability against promotional expense, or (paid) the prepayment: reclassified from
    /// the funding invoice's sale, or received outside the ledger (cash).
    static func postGranted(_ db: Database, _ grant: CreditGrant) throws {
        let currency = grant.amount.currency
        let postings: [Posting]
        switch grant.category {
        case .promotional:
            postings = [
                Posting(account: .promotionalCredits, amountMinor: grant.amount.amountMinor, currency: currency),
                Posting(account: .credits(grant.id), amountMinor: -grant.amount.amountMinor, currency: currency),
            ]
        case .paid:
            let cost = grant.effectiveCostBasis
            guard cost > 0 else { return }
            postings = [
                Posting(
                    account: grant.fundingInvoice == nil ? .cash : .revenueInvoiceItems, amountMinor: cost,
                    currency: currency),
                Posting(account: .prepayments(grant.id), amountMinor: -cost, currency: currency),
            ]
        }
        try post(
            JournalEntry.balanced(
                postedAt: grant.effectiveAt, description: "Credit grant \(grant.id) granted",
                sourceType: "credit_grant.granted",
                sourceId: grant.id.rawValue, postings: postings), db)
    }

    static func book(
        _ db: Database, grant: CreditGrant, kind: CreditBalanceTransaction.Kind, amount: Int64, at instant: Int64,
        now: Int64, invoice: Invoice.ID? = nil, line: InvoiceLine.ID? = nil
    ) throws {
        precondition(amount > 0, "balance transactions move a positive amount")
        try db.cachedStatement(
            sql: """
                INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, effectiveAt,
                    invoiceId, invoiceLineId, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            IDs.generate(prefix: CreditBalanceTransaction.idPrefix), grant.id.rawValue, grant.customer.rawValue,
            kind.type,
            kind.rawValue, amount, grant.amount.currency.code, instant, invoice?.rawValue, line?.rawValue, now,
        ])
    }

    static func fetchGrant(_ db: Database, _ id: CreditGrant.ID) throws -> CreditGrant {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM creditGrant WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("credit grant", id.rawValue, param: "credit_grant") }
        return try grant(db, row)
    }

    static func grant(_ db: Database, _ row: Row) throws -> CreditGrant {
        let id: String = row["id"]
        let scope: CreditGrant.Scope
        if row["scopeType"] == "metered" {
            scope = .metered
        } else {
            scope = .prices(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT priceId FROM creditGrantPrice WHERE grantId = ? ORDER BY priceId"),
                    arguments: [id]
                ).map { .init($0) })
        }
        return CreditGrant(
            id: .init(id), customer: .init(row["customerId"]), name: row["name"],
            amount: Money(amountMinor: row["amount"], currency: try Currency(code: row["currency"])),
            category: .init(rawValue: row["category"])!, scope: scope, priority: row["priority"],
            effectiveAt: row["effectiveAt"], expiresAt: row["expiresAt"], voidedAt: row["voidedAt"],
            costBasis: row["costBasis"], fundingInvoice: (row["fundingInvoiceId"] as String?).map { .init($0) },
            metadata: MetadataJSON.decode(row["metadata"]), created: row["created"], sequence: row["seq"])
    }

    /// - Throws: `resource_missing`.
    public func grant(_ id: CreditGrant.ID) throws -> CreditGrant {
        try store.read { db in try Self.fetchGrant(db, id) }
    }

    /// Grants, oldest first, optionally of one customer.
    public func grants(customer: Customer.ID? = nil) throws -> [CreditGrant] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM creditGrant WHERE customerId IS ? OR ? ORDER BY seq",
                arguments: [customer?.rawValue, customer == nil]
            ).map { try Self.grant(db, $0) }
        }
    }

    /// A grant's movements by kind, counting transactions effective by `asOf`.
    static func totals(_ db: Database, _ grant: CreditGrant.ID, asOf: Int64 = .max) throws -> GrantTotals {
        var totals = GrantTotals()
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql:
                    "SELECT kind, sum(amount) AS total FROM creditBalanceTransaction WHERE grantId = ? AND effectiveAt <= ? GROUP BY kind"
            ),
            arguments: [grant.rawValue, asOf])
        {
            let total: Int64 = row["total"]
            switch CreditBalanceTransaction.Kind(rawValue: row["kind"])! {
            case .creditsGranted: totals.granted = total
            case .creditsApplied: totals.applied = total
            case .creditsApplicationInvoiceVoided: totals.reinstated = total
            case .creditsExpired: totals.expired = total
            case .creditsVoided: totals.voided = total
            }
        }
        return totals
    }

    /// A grant's movements by kind (all transactions).
    public func grantTotals(_ id: CreditGrant.ID, asOf: Int64? = nil) throws -> GrantTotals {
        try store.read { db in
            _ = try Self.fetchGrant(db, id)
            return try Self.totals(db, id, asOf: asOf ?? .max)
        }
    }

    /// What a grant can pay at `instant`: its balance then, or nothing once it has expired (booked
    /// or not), been voided, or before it is effective.
    static func available(_ db: Database, _ grant: CreditGrant, at instant: Int64) throws -> Int64 {
        if grant.voidedAt != nil || grant.effectiveAt > instant { return 0 }
        if let expiresAt = grant.expiresAt, expiresAt <= instant { return 0 }
        if let booked = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT expiryBookedAt FROM creditGrant WHERE id = ?"),
            arguments: [grant.id.rawValue]),
            booked <= instant
        {
            return 0
        }
        return try totals(db, grant.id, asOf: instant).remaining
    }

    /// Updates what may change on a grant: its expiry (nil: never) and metadata.
    /// - Throws: `resource_missing`, `invalid_request` (expiry not after the effective instant),
    ///   `grant_inactive` (voided or expired).
    public func updateGrant(
        _ id: CreditGrant.ID, expiresAt: Int64??, metadata: [String: String]?
    ) throws -> CreditGrant {
        let now = self.now
        return try write(at: now) { db in
            let grant = try Self.fetchGrant(db, id)
            if let expiresAt {
                let booked = try Int64.fetchOne(
                    db, sql: "SELECT expiryBookedAt FROM creditGrant WHERE id = ?", arguments: [id.rawValue])
                guard grant.voidedAt == nil, booked == nil else {
                    throw LedgerError(.grantInactive, "grant '\(id)' is voided or expired", param: "expires_at")
                }
                if let value = expiresAt, value <= grant.effectiveAt {
                    throw LedgerError.invalidRequest("expires_at must be after effective_at", param: "expires_at")
                }
                // What an instant already decided stays decided: an expiry cannot move into the past.
                if let value = expiresAt, value <= now {
                    throw LedgerError.invalidRequest(
                        "expires_at \(Instant.format(value)) is not after now (\(Instant.format(now)))",
                        param: "expires_at")
                }
                try db.execute(
                    sql: "UPDATE creditGrant SET expiresAt = ? WHERE id = ?", arguments: [expiresAt, id.rawValue])
            }
            if let metadata {
                try Metadata.validate(metadata)
                try db.execute(
                    sql: "UPDATE creditGrant SET metadata = ? WHERE id = ?",
                    arguments: [MetadataJSON.encode(metadata), id.rawValue])
            }
            return try Self.fetchGrant(db, id)
        }
    }

    /// Voids a grant that was never applied: its balance is taken back and its granting entry
    /// reversed.
    /// - Throws: `resource_missing`, `grant_already_applied`, `grant_inactive` (already voided).
    public func voidGrant(_ id: CreditGrant.ID) throws -> CreditGrant {
        let now = self.now
        return try write(at: now) { db in
            let grant = try Self.fetchGrant(db, id)
            guard grant.voidedAt == nil else {
                throw LedgerError(.grantInactive, "grant '\(id)' is already voided", param: "credit_grant")
            }
            let totals = try Self.totals(db, id)
            guard totals.applied == 0 else {
                throw LedgerError(
                    .grantAlreadyApplied, "grant '\(id)' was applied to an invoice; expire it instead",
                    param: "credit_grant")
            }
            let at = max(now, grant.effectiveAt)
            if totals.remaining > 0 {
                try Self.book(db, grant: grant, kind: .creditsVoided, amount: totals.remaining, at: at, now: now)
            }
            try Self.reverseEntries(
                db, sourceType: "credit_grant.granted", sourceId: id.rawValue, at: at,
                description: "Credit grant \(id) voided", newSource: "credit_grant.voided")
            try Self.reverseEntries(
                db, sourceType: "credit_grant.expired", sourceId: id.rawValue, at: at,
                description: "Credit grant \(id) voided", newSource: "credit_grant.voided")
            try db.execute(sql: "UPDATE creditGrant SET voidedAt = ? WHERE id = ?", arguments: [now, id.rawValue])
            return try Self.fetchGrant(db, id)
        }
    }

    static func reverseEntries(
        _ db: Database, sourceType: String, sourceId: String, at: Int64, description: String, newSource: String
    ) throws {
        for entry in try entries(db, sourceType: sourceType, sourceId: sourceId) {
            try post(
                JournalEntry.balanced(
                    postedAt: at, description: description, sourceType: newSource, sourceId: sourceId,
                    postings: entry.postings.map {
                        Posting(account: $0.account, amountMinor: -$0.amountMinor, currency: $0.currency)
                    }),
                db)
        }
    }

    /// Expires a grant's remaining balance now.
    /// - Throws: `resource_missing`, `grant_inactive` (voided or already expired).
    public func expireGrant(_ id: CreditGrant.ID) throws -> CreditGrant {
        let now = self.now
        return try write(at: now) { db in
            let grant = try Self.fetchGrant(db, id)
            let booked = try Int64.fetchOne(
                db, sql: "SELECT expiryBookedAt FROM creditGrant WHERE id = ?", arguments: [id.rawValue])
            guard grant.voidedAt == nil, booked == nil else {
                throw LedgerError(.grantInactive, "grant '\(id)' is voided or already expired", param: "credit_grant")
            }
            let at = min(now, grant.expiresAt ?? now)
            try Self.bookExpiry(db, grant, at: max(at, grant.effectiveAt), now: now)
            return try Self.fetchGrant(db, id)
        }
    }

    /// Books a grant's expiry at `instant`: `credits_expired` for its remaining balance then, and
    /// the journal (promotional: the unused expense reversed; paid: the prepayment left becomes
    /// breakage).
    static func bookExpiry(_ db: Database, _ grant: CreditGrant, at instant: Int64, now: Int64) throws {
        let remaining = try totals(db, grant.id, asOf: instant).remaining
        if remaining > 0 {
            try book(db, grant: grant, kind: .creditsExpired, amount: remaining, at: instant, now: now)
        }
        try postExpiry(db, grant, face: remaining, at: instant)
        try db.cachedStatement(sql: "UPDATE creditGrant SET expiryBookedAt = ? WHERE id = ?").execute(arguments: [
            instant, grant.id.rawValue,
        ])
    }

    static func postExpiry(_ db: Database, _ grant: CreditGrant, face: Int64, at instant: Int64) throws {
        let currency = grant.amount.currency
        let postings: [Posting]
        switch grant.category {
        case .promotional:
            guard face > 0 else { return }
            postings = [
                Posting(account: .credits(grant.id), amountMinor: face, currency: currency),
                Posting(account: .promotionalCredits, amountMinor: -face, currency: currency),
            ]
        case .paid:
            let left = -(try accountBalance(db, .prepayments(grant.id), currency, asOf: instant))
            guard left > 0 else { return }
            postings = [
                Posting(account: .prepayments(grant.id), amountMinor: left, currency: currency),
                Posting(account: .breakage(grant.id), amountMinor: -left, currency: currency),
            ]
        }
        try post(
            JournalEntry.balanced(
                postedAt: instant, description: "Credit grant \(grant.id) expired", sourceType: "credit_grant.expired",
                sourceId: grant.id.rawValue, postings: postings), db)
    }

    /// An account's balance from the entries posted at or before `asOf`.
    static func accountBalance(_ db: Database, _ account: Account, _ currency: Currency, asOf: Int64) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT coalesce(sum(amountMinor), 0) FROM posting WHERE account = ? AND currency = ? AND postedAt <= ?"
            ),
            arguments: [account.name, currency.code, asOf]) ?? 0
    }

    // MARK: Burndown at finalization

    /// Applies the customer's grants to a subscription invoice finalizing at `instant` (SPEC
    /// §2.6): the planner's applications, each a `credits_applied` transaction. Returns the
    /// invoice with its lines' credit amounts.
    static func applyCredits(
        _ db: Database, _ invoice: Invoice, at instant: Int64, now: Int64, cache: inout [Price.ID: PriceInfo]
    ) throws
        -> Invoice
    {
        guard invoice.subscription != nil else { return invoice }
        let plan = try planCredits(db, invoice, at: instant, cache: &cache)
        guard !plan.applications.isEmpty else { return invoice }
        var invoice = invoice
        for application in plan.applications {
            let grant = plan.grants[application.grant]!
            try book(
                db, grant: grant, kind: .creditsApplied, amount: application.amount, at: instant, now: now,
                invoice: invoice.id, line: application.line)
            let transaction = try String.fetchOne(
                db, sql: "SELECT id FROM creditBalanceTransaction WHERE seq = last_insert_rowid()")
            let index = invoice.lines.firstIndex { $0.id == application.line }!
            invoice.lines[index].creditAmounts.append(
                CreditAmount(amount: application.amount, transaction: transaction, grant: grant.id.rawValue))
        }
        return invoice
    }

    /// The planner's applications for `invoice` at `instant`, with the grants it drew on.
    static func planCredits(_ db: Database, _ invoice: Invoice, at instant: Int64, cache: inout [Price.ID: PriceInfo])
        throws
        -> (applications: [BurndownPlanner.Application], grants: [CreditGrant.ID: CreditGrant])
    {
        let (candidates, grants) = try plannerGrants(db, customer: invoice.customer, at: instant)
        guard !candidates.isEmpty else { return ([], [:]) }
        let lines = try plannerLines(db, invoice, cache: &cache)
        return (BurndownPlanner.plan(grants: candidates, lines: lines), grants)
    }

    /// The customer's grants that can pay something at `instant`, as the planner sees them.
    static func plannerGrants(_ db: Database, customer: Customer.ID, at instant: Int64) throws
        -> ([BurndownPlanner.Grant], [CreditGrant.ID: CreditGrant])
    {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM creditGrant WHERE customerId = ? AND voidedAt IS NULL AND effectiveAt <= ?"),
            arguments: [customer.rawValue, instant])
        var grants: [CreditGrant.ID: CreditGrant] = [:]
        var candidates: [BurndownPlanner.Grant] = []
        for row in rows {
            let grant = try grant(db, row)
            let available = try available(db, grant, at: instant)
            guard available > 0 else { continue }
            grants[grant.id] = grant
            candidates.append(
                BurndownPlanner.Grant(
                    id: grant.id, currency: grant.amount.currency, scope: grant.scope, priority: grant.priority,
                    expiresAt: grant.expiresAt, category: grant.category, effectiveAt: grant.effectiveAt,
                    sequence: grant.sequence, available: available))
        }
        return (candidates, grants)
    }

    static func plannerLines(_ db: Database, _ invoice: Invoice, cache: inout [Price.ID: PriceInfo]) throws
        -> [BurndownPlanner.Line]
    {
        try invoice.lines.map { line in
            BurndownPlanner.Line(
                id: line.id, price: line.price,
                metered: try line.price.map { try priceInfo(db, $0, cache: &cache).isMetered } ?? false,
                currency: line.currency, amount: line.amount, periodEnd: line.periodEnd)
        }
    }

    /// What the customer's subscription drafts would take if they finalized at `instant`, in
    /// finalization order, each after the ones before it; `upcoming` (a preview) goes last.
    /// Returns the plans of the drafts and, last, the plan of `upcoming` when given.
    static func holds(
        _ db: Database, customer: Customer.ID, at instant: Int64, upcoming: Invoice? = nil,
        cache: inout [Price.ID: PriceInfo]
    ) throws -> [[BurndownPlanner.Application]] {
        let (candidates, _) = try plannerGrants(db, customer: customer, at: instant)
        guard !candidates.isEmpty else { return [] }
        var invoices = try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM invoice WHERE customerId = ? AND status = 'draft' AND subscriptionId IS NOT NULL
                ORDER BY finalizesAt, seq
                """,
            arguments: [customer.rawValue]
        ).map { try Self.invoice(db, $0) }
        if let upcoming { invoices.append(upcoming) }
        let lines = try invoices.map { try plannerLines(db, $0, cache: &cache) }
        return BurndownPlanner.plan(grants: candidates, invoices: lines)
    }

    /// The journal postings of a finalization's credit applications: the credit liability
    /// (promotional) or the prepayment at cost and the discount (paid) instead of receivable.
    static func creditPostings(_ db: Database, _ invoice: Invoice) throws -> [Posting] {
        var postings: [Posting] = []
        var perGrant: [(String, Int64)] = []
        for credit in invoice.creditAmounts {
            if let index = perGrant.firstIndex(where: { $0.0 == credit.grant }) {
                perGrant[index].1 += credit.amount
            } else {
                perGrant.append((credit.grant, credit.amount))
            }
        }
        for (grantID, applied) in perGrant {
            let grant = try fetchGrant(db, .init(grantID))
            switch grant.category {
            case .promotional:
                postings.append(Posting(account: .credits(grant.id), amountMinor: applied, currency: invoice.currency))
            case .paid:
                // Cost recognized so far follows the net face applied: round(C × applied / A),
                // so the pieces add up to C exactly when everything is used. (The transactions
                // of this invoice are already booked.)
                let totals = try totals(db, grant.id)
                let netAfter = totals.applied - totals.reinstated
                let netBefore = netAfter - applied
                let cost = grant.effectiveCostBasis
                let face = grant.amount.amountMinor
                let recognized = try share(cost, netAfter, face) - share(cost, netBefore, face)
                let left =
                    -(try accountBalance(db, .prepayments(grant.id), invoice.currency, asOf: invoice.finalizedAt!))
                let atCost = min(recognized, left)
                if atCost != 0 {
                    postings.append(
                        Posting(account: .prepayments(grant.id), amountMinor: atCost, currency: invoice.currency))
                }
                if applied - atCost != 0 {
                    postings.append(
                        Posting(
                            account: .creditDiscounts(grant.id), amountMinor: applied - atCost,
                            currency: invoice.currency))
                }
            }
        }
        return postings
    }

    /// round(cost × part / whole), half away from zero, exactly.
    static func share(_ cost: Int64, _ part: Int64, _ whole: Int64) throws -> Int64 {
        precondition(whole > 0, "a grant's face value is positive")
        let exact = ExactDecimal(significand: Int128(cost) * Int128(part), scale: 0)
        return try exact.divided(byInteger: whole, rounding: .halfAwayFromZero).int64Exactly()
    }

    /// On an invoice's void: each application returns to its grant; to a grant expired by then
    /// it expires again at once.
    static func reinstateCredits(_ db: Database, _ invoice: Invoice, at instant: Int64) throws {
        for row in try Row.fetchAll(
            db,
            sql: "SELECT * FROM creditBalanceTransaction WHERE invoiceId = ? AND kind = 'credits_applied' ORDER BY seq",
            arguments: [invoice.id.rawValue])
        {
            let grant = try fetchGrant(db, .init(row["grantId"]))
            let amount: Int64 = row["amount"]
            try book(
                db, grant: grant, kind: .creditsApplicationInvoiceVoided, amount: amount, at: instant, now: instant,
                invoice: invoice.id, line: .init(row["invoiceLineId"] as String))
            let booked = try Int64.fetchOne(
                db, sql: "SELECT expiryBookedAt FROM creditGrant WHERE id = ?", arguments: [grant.id.rawValue])
            let expired = booked != nil || (grant.expiresAt.map { $0 <= instant } ?? false)
            if expired || grant.voidedAt != nil {
                try book(db, grant: grant, kind: .creditsExpired, amount: amount, at: instant, now: instant)
                try postExpiry(db, grant, face: amount, at: instant)
            }
        }
    }

    /// Books every expiry due by `until` not yet booked (the billing run), each at its instant.
    static func nextExpiry(_ db: Database, until: Int64) throws -> (CreditGrant.ID, Int64)? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, expiresAt FROM creditGrant WHERE expiryBookedAt IS NULL AND voidedAt IS NULL
                            AND expiresAt <= ? ORDER BY expiresAt, seq LIMIT 1
                        """),
                arguments: [until])
        else { return nil }
        return (.init(row["id"]), row["expiresAt"])
    }

    // MARK: Balances

    /// The customer's credit balance per currency as of `asOf` (default now), optionally for one
    /// grant or for the grants that can pay one price.
    /// - Throws: `resource_missing`.
    public func creditBalances(
        customer: Customer.ID, grant: CreditGrant.ID? = nil, price: Price.ID? = nil, asOf: Int64? = nil
    ) throws -> [CreditBalance] {
        let now = self.now
        let instant = asOf ?? now
        return try store.read { db in
            _ = try Self.customerSeq(db, customer)
            var grants = try Row.fetchAll(
                db, sql: "SELECT * FROM creditGrant WHERE customerId = ? ORDER BY seq", arguments: [customer.rawValue]
            ).map { try Self.grant(db, $0) }
            if let grant {
                grants = grants.filter { $0.id == grant }
                if grants.isEmpty {
                    throw LedgerError.missing("credit grant of this customer", grant.rawValue, param: "credit_grant")
                }
            }
            var currencies: Set<Currency> = []
            if let price {
                // Only grants that could pay this price: metered, in scope, same currency.
                let terms = try Self.fetchPrice(db, price)
                currencies.insert(terms.currency)
                let metered = terms.recurring?.usageType == .metered
                grants = grants.filter { g in
                    guard metered, g.amount.currency == terms.currency else { return false }
                    if case .prices(let prices) = g.scope { return prices.contains(price) }
                    return true
                }
            }
            var ledger: [Currency: Int64] = [:]
            var available: [Currency: Int64] = [:]
            for currency in currencies { ledger[currency] = 0 }
            for g in grants {
                let balance = try Self.totals(db, g.id, asOf: instant).remaining
                ledger[g.amount.currency, default: 0] += balance
                available[g.amount.currency, default: 0] += try Self.available(db, g, at: instant)
            }
            // Drafts hold credits provisionally, as if they finalized at the instant, one after
            // the other in finalization order: they lower what is available, not the ledger.
            if instant >= now {
                var cache: [Price.ID: PriceInfo] = [:]
                let ids = Set(grants.map(\.id))
                let currencyOf = Dictionary(uniqueKeysWithValues: grants.map { ($0.id, $0.amount.currency) })
                for plan in try Self.holds(db, customer: customer, at: instant, cache: &cache) {
                    for application in plan where ids.contains(application.grant) {
                        available[currencyOf[application.grant]!, default: 0] -= application.amount
                    }
                }
            }
            return ledger.keys.sorted().map { currency in
                let held = available[currency] ?? 0
                assert(held >= 0, "drafts never hold more than the grants have")
                return CreditBalance(
                    currency: currency, ledgerBalance: ledger[currency]!, availableBalance: max(0, held))
            }
        }
    }

    /// The customer's credit balance transactions effective by `asOf` (default: now; a grant
    /// effective later has not been granted yet), oldest first, optionally of one grant.
    public func creditTransactions(customer: Customer.ID, grant: CreditGrant.ID? = nil, asOf: Int64? = nil) throws
        -> [CreditBalanceTransaction]
    {
        let asOf = asOf ?? now
        return try store.read { db in
            _ = try Self.customerSeq(db, customer)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM creditBalanceTransaction WHERE customerId = ? AND (grantId IS ? OR ?) AND effectiveAt <= ?
                    ORDER BY effectiveAt, seq
                    """,
                arguments: [customer.rawValue, grant?.rawValue, grant == nil, asOf]
            ).map { row in
                CreditBalanceTransaction(
                    id: .init(row["id"]), grant: .init(row["grantId"]), customer: .init(row["customerId"]),
                    kind: .init(rawValue: row["kind"])!,
                    amount: Money(amountMinor: row["amount"], currency: try Currency(code: row["currency"])),
                    effectiveAt: row["effectiveAt"], invoice: (row["invoiceId"] as String?).map { .init($0) },
                    invoiceLine: (row["invoiceLineId"] as String?).map { .init($0) }, created: row["created"])
            }
        }
    }
}
