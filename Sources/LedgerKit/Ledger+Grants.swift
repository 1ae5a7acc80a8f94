/// What a caller gives to create a credit grant.
public struct GrantParams: Sendable {
    public var id: CreditGrant.ID?
    public var customer: Customer.ID
    /// The face value: what the grant can pay, in its currency.
    public var amount: Money
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
        id: CreditGrant.ID? = nil, customer: Customer.ID, amount: Money,
        category: CreditGrant.Category = .paid,
        scope: CreditGrant.Scope, priority: Int = 50, effectiveAt: Int64? = nil, expiresAt: Int64? = nil,
        name: String? = nil, costBasis: Int64? = nil, fundingInvoice: Invoice.ID? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.customer = customer
        self.amount = amount
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
    /// - Throws: `invalid_time` (an instant outside `Instant.range`), `invalid_amount`,
    ///   `invalid_request` (scope, priority, dates, cost basis),
    ///   `resource_missing`, `currency_mismatch`, `grants_limit_reached`, `resource_already_exists`.
    public func createGrant(_ params: GrantParams) throws -> CreditGrant {
        let now = try self.now
        if let effectiveAt = params.effectiveAt { try Instant.check(effectiveAt, param: "effective_at") }
        if let expiresAt = params.expiresAt { try Instant.check(expiresAt, param: "expires_at") }
        guard params.amount.amountMinor > 0 else {
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
        try Self.checkScope(params.scope)
        try Text.validate(params.name, param: "name")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: CreditGrant.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "creditGrant", id: id, kind: "credit grant")
            _ = try tx.customerSeq(params.customer)
            try Self.checkScopePrices(params.scope, currency: params.amount.currency, tx)
            if let funding = params.fundingInvoice {
                let invoice = try tx.fetchInvoice(funding)
                guard invoice.customer == params.customer else {
                    throw LedgerError.invalidRequest(
                        "funding invoice '\(funding)' belongs to another customer", param: "funding_invoice")
                }
                guard invoice.currency == params.amount.currency else {
                    throw LedgerError.currencyMismatch(params.amount.currency, invoice.currency)
                }
                guard invoice.status == .open || invoice.status == .paid else {
                    throw LedgerError.invalidRequest(
                        "funding invoice '\(funding)' is \(invoice.status.rawValue); it must be finalized (open or paid)",
                        param: "funding_invoice")
                }
            }
            let unused = try tx.unusedGrantCount(customer: params.customer, at: now)
            if unused >= Limits.unusedGrantsMax {
                throw LedgerError(
                    .grantsLimitReached,
                    "customer '\(params.customer)' already has \(unused) unused grants; at most \(Limits.unusedGrantsMax)",
                    param: "customer")
            }
            let grant = try Self.bookNew(
                CreditGrant(
                    id: .init(id), customer: params.customer, name: params.name,
                    amount: params.amount, category: params.category,
                    scope: params.scope, priority: params.priority, effectiveAt: effectiveAt,
                    expiresAt: params.expiresAt,
                    voidedAt: nil, costBasis: params.costBasis, fundingInvoice: params.fundingInvoice,
                    metadata: params.metadata, created: now, sequence: 0), tx)
            try Self.judgeAlerts(tx, customer: grant.customer, through: now)
            return grant
        }
    }

    /// Stores a new grant and books it: `credits_granted` at its effective instant, its granting
    /// entry, `billing.credit_grant.created` at its creation. Returns it as stored.
    static func bookNew(_ grant: CreditGrant, _ tx: StorageTransaction) throws -> CreditGrant {
        try tx.insert(grant)
        let stored = try tx.fetchGrant(grant.id)
        try tx.book(
            grant: stored, kind: .creditsGranted, amount: stored.amount.amountMinor, at: stored.effectiveAt,
            now: stored.created)
        try postGranted(tx, stored)
        try tx.appendFeed(.grantCreated, .grant(stored), at: stored.created)
        return stored
    }

    /// A price scope names 1–20 distinct prices.
    /// - Throws: `invalid_request`.
    static func checkScope(_ scope: CreditGrant.Scope) throws {
        guard case .prices(let prices) = scope else { return }
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

    /// Every price of a price scope exists, is metered and is in `currency`.
    /// - Throws: `resource_missing`, `invalid_request`, `currency_mismatch`.
    static func checkScopePrices(_ scope: CreditGrant.Scope, currency: Currency, _ tx: StorageTransaction) throws {
        guard case .prices(let prices) = scope else { return }
        for (index, priceID) in prices.enumerated() {
            let price = try tx.price(priceID)
            guard price.recurring?.usageType == .metered else {
                throw LedgerError.invalidRequest(
                    "price '\(priceID)' is not metered: grants pay metered usage only",
                    param: "applicability_config.scope.prices[\(index)]")
            }
            guard price.currency == currency else { throw LedgerError.currencyMismatch(currency, price.currency) }
        }
    }

    /// Credit liability against promotional expense, or (paid) the prepayment: reclassified from
    /// the funding invoice's sale, or received outside the ledger (cash).
    static func postGranted(_ tx: StorageTransaction, _ grant: CreditGrant) throws {
        let postings = PostingRules.granted(grant: grant)
        guard !postings.isEmpty else { return }
        try tx.post(
            JournalEntry.balanced(
                postedAt: grant.effectiveAt, description: "Credit grant \(grant.id) granted",
                sourceType: "credit_grant.granted", sourceId: grant.id.rawValue, postings: postings),
            customer: grant.customer)
    }

    /// - Throws: `resource_missing`.
    public func grant(_ id: CreditGrant.ID) throws -> CreditGrant {
        try store.read { tx in try tx.fetchGrant(id) }
    }

    /// Grants, oldest first, optionally of one customer.
    public func grants(customer: Customer.ID? = nil) throws -> [CreditGrant] {
        try store.read { tx in
            try tx.grants(customer: customer)
        }
    }

    /// A grant's movements by kind (all transactions).
    /// - Throws: `invalid_time` (`asOf` outside `Instant.range`), `resource_missing`.
    public func grantTotals(_ id: CreditGrant.ID, asOf: Int64? = nil) throws -> GrantTotals {
        if let asOf { try Instant.check(asOf, param: "as_of") }
        return try store.read { tx in
            _ = try tx.fetchGrant(id)
            return try tx.totals(id, asOf: asOf ?? .max)
        }
    }

    /// What a grant can pay at `instant`: its balance then, or nothing once it has expired (booked
    /// or not), been voided, or before it is effective.
    static func available(_ state: GrantState, at instant: Int64) -> Int64 {
        let grant = state.grant
        if grant.voidedAt != nil || grant.effectiveAt > instant { return 0 }
        if let expiresAt = grant.expiresAt, expiresAt <= instant { return 0 }
        if let booked = state.expiryBookedAt, booked <= instant { return 0 }
        return state.totals.remaining
    }

    /// Updates what may change on a grant: its expiry (nil: never) and metadata.
    /// - Throws: `invalid_time` (outside `Instant.range`), `resource_missing`, `invalid_request`
    ///   (expiry not after the effective instant),
    ///   `grant_inactive` (voided or expired).
    public func updateGrant(
        _ id: CreditGrant.ID, expiresAt: Int64??, metadata: [String: String]?
    ) throws -> CreditGrant {
        let now = try self.now
        if let expiresAt = expiresAt ?? nil { try Instant.check(expiresAt, param: "expires_at") }
        return try write(at: now) { tx, now in
            let grant = try tx.fetchGrant(id)
            if let expiresAt {
                let booked = try tx.expiryBookedAt(id)
                guard grant.voidedAt == nil, booked == nil else {
                    throw LedgerError(.grantInactive, "grant '\(id)' is voided or expired", param: "expires_at")
                }
                guard grant.coverage == nil else {
                    throw LedgerError.invalidRequest(
                        "grant '\(id)' is an allowance's: it expires when the last period it covers is invoiced",
                        param: "expires_at")
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
                try tx.setExpiry(id, expiresAt)
            }
            if let metadata {
                try Metadata.validate(metadata)
                try tx.setMetadata(id, metadata)
            }
            let changed = try tx.fetchGrant(id)
            try tx.appendFeed(.grantUpdated, .grant(changed), at: now)
            try Self.judgeAlerts(tx, customer: changed.customer, through: now)
            return changed
        }
    }

    /// Voids a grant that was never applied: its balance is taken back and its granting entry
    /// reversed.
    /// - Throws: `resource_missing`, `grant_already_applied`, `grant_inactive` (already voided).
    public func voidGrant(_ id: CreditGrant.ID) throws -> CreditGrant {
        let now = try self.now
        return try write(at: now) { tx, now in
            let grant = try tx.fetchGrant(id)
            guard grant.voidedAt == nil else {
                throw LedgerError(.grantInactive, "grant '\(id)' is already voided", param: "credit_grant")
            }
            let totals = try tx.totals(id)
            guard totals.applied == 0 else {
                throw LedgerError(
                    .grantAlreadyApplied, "grant '\(id)' was applied to an invoice; expire it instead",
                    param: "credit_grant")
            }
            let at = max(now, grant.effectiveAt)
            if totals.remaining > 0 {
                try tx.book(grant: grant, kind: .creditsVoided, amount: totals.remaining, at: at, now: now)
            }
            try Self.reverseEntries(
                tx, sourceType: "credit_grant.granted", sourceId: id.rawValue, at: at,
                description: "Credit grant \(id) voided", newSource: "credit_grant.voided", customer: grant.customer)
            try Self.reverseEntries(
                tx, sourceType: "credit_grant.expired", sourceId: id.rawValue, at: at,
                description: "Credit grant \(id) voided", newSource: "credit_grant.voided", customer: grant.customer)
            try tx.markVoided(id, at: now)
            let changed = try tx.fetchGrant(id)
            try tx.appendFeed(.grantUpdated, .grant(changed), at: now)
            try Self.judgeAlerts(tx, customer: changed.customer, through: now)
            return changed
        }
    }

    static func reverseEntries(
        _ tx: StorageTransaction, sourceType: String, sourceId: String, at: Int64, description: String,
        newSource: String, customer: Customer.ID
    ) throws {
        for entry in try tx.entries(sourceType: sourceType, sourceId: sourceId) {
            try tx.post(
                JournalEntry.balanced(
                    postedAt: at, description: description, sourceType: newSource, sourceId: sourceId,
                    postings: PostingRules.reversed(entry.postings)), customer: customer)
        }
    }

    /// Expires a grant's remaining balance now.
    /// - Throws: `resource_missing`, `grant_inactive` (voided or already expired).
    public func expireGrant(_ id: CreditGrant.ID) throws -> CreditGrant {
        let now = try self.now
        return try write(at: now) { tx, now in
            let grant = try tx.fetchGrant(id)
            let booked = try tx.expiryBookedAt(id)
            guard grant.voidedAt == nil, booked == nil else {
                throw LedgerError(.grantInactive, "grant '\(id)' is voided or already expired", param: "credit_grant")
            }
            let at = min(now, grant.expiresAt ?? now)
            try Self.bookExpiry(tx, grant, at: max(at, grant.effectiveAt), now: now)
            let changed = try tx.fetchGrant(id)
            try tx.appendFeed(.grantUpdated, .grant(changed), at: now)
            try Self.judgeAlerts(tx, customer: changed.customer, through: now)
            return changed
        }
    }

    /// Books a grant's expiry at `instant`: `credits_expired` for its remaining balance then, and
    /// the journal (promotional: the unused expense reversed; paid: the prepayment left becomes
    /// breakage).
    static func bookExpiry(_ tx: StorageTransaction, _ grant: CreditGrant, at instant: Int64, now: Int64) throws {
        // What is left then and not spent later (only an allowed clock regression books an
        // expiry before a later application): credit is never spent twice.
        let remaining = min(try tx.totals(grant.id, asOf: instant).remaining, try tx.debitable(grant.id, at: instant))
        if remaining > 0 {
            try tx.book(grant: grant, kind: .creditsExpired, amount: remaining, at: instant, now: now)
        }
        try postExpiry(tx, grant, face: remaining, at: instant)
        try tx.markExpiryBooked(grant.id, at: instant)
    }

    static func postExpiry(_ tx: StorageTransaction, _ grant: CreditGrant, face: Int64, at instant: Int64) throws {
        let left = -(try tx.accountBalance(.prepayments(grant.id), grant.amount.currency, asOf: instant))
        let postings = PostingRules.expired(grant: grant, face: face, prepaymentLeft: left)
        guard !postings.isEmpty else { return }
        try tx.post(
            JournalEntry.balanced(
                postedAt: instant, description: "Credit grant \(grant.id) expired", sourceType: "credit_grant.expired",
                sourceId: grant.id.rawValue, postings: postings), customer: grant.customer)
    }
}
