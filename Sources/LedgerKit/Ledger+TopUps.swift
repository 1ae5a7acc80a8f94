/// What a caller gives to create an auto top-up rule.
public struct TopUpParams: Sendable {
    public var id: TopUpRule.ID?
    public var customer: Customer.ID
    public var currency: Currency
    public var threshold: Int64
    public var size: TopUpRule.Size
    public var costBasis: Int64?
    public var expiresAfterDays: Int?
    public var maxPerMonth: Int?
    public var scope: CreditGrant.Scope
    public var grantOn: TopUpRule.GrantOn
    public var metadata: [String: String]

    public init(
        id: TopUpRule.ID? = nil, customer: Customer.ID, currency: Currency, threshold: Int64, size: TopUpRule.Size,
        costBasis: Int64? = nil, expiresAfterDays: Int? = nil, maxPerMonth: Int? = nil,
        scope: CreditGrant.Scope = .metered, grantOn: TopUpRule.GrantOn = .issue, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.customer = customer
        self.currency = currency
        self.threshold = threshold
        self.size = size
        self.costBasis = costBasis
        self.expiresAfterDays = expiresAfterDays
        self.maxPerMonth = maxPerMonth
        self.scope = scope
        self.grantOn = grantOn
        self.metadata = metadata
    }
}

extension Ledger {
    // MARK: Auto top-ups

    /// Creates a rule, judged from now on; when the balance is already at or below the
    /// threshold, it tops up now.
    /// - Throws: `invalid_amount`, `invalid_request`, `resource_missing`, `currency_mismatch`,
    ///   `resource_already_exists`.
    public func createTopUpRule(_ params: TopUpParams) throws -> TopUpRule {
        let now = try self.now
        guard params.threshold >= 0 else {
            throw LedgerError(.invalidAmount, "threshold must be 0 or more", param: "threshold")
        }
        switch params.size {
        case .amount(let amount):
            guard amount > 0 else {
                throw LedgerError(.invalidAmount, "amount must be greater than 0", param: "amount")
            }
        case .target(let target):
            guard target > params.threshold else {
                throw LedgerError.invalidRequest("target must be above the threshold", param: "target")
            }
            if params.costBasis != nil {
                throw LedgerError.invalidRequest(
                    "a top-up to a target costs its face value: no cost_basis with target", param: "cost_basis")
            }
        }
        if let cost = params.costBasis, cost <= 0 {
            throw LedgerError(.invalidAmount, "cost_basis must be greater than 0", param: "cost_basis")
        }
        if let days = params.expiresAfterDays, !(1...3650).contains(days) {
            throw LedgerError.invalidRequest("expires_after_days must be 1–3650", param: "expires_after_days")
        }
        if let max = params.maxPerMonth, max < 1 {
            throw LedgerError.invalidRequest("max_per_month must be at least 1", param: "max_per_month")
        }
        try Self.checkScope(params.scope)
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: TopUpRule.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "topUpRule", id: id, kind: "top-up rule")
            _ = try tx.customerSeq(params.customer)
            try Self.checkScopePrices(params.scope, currency: params.currency, tx)
            var rule = TopUpRule(
                id: .init(id), customer: params.customer, currency: params.currency, threshold: params.threshold,
                size: params.size, costBasis: params.costBasis, expiresAfterDays: params.expiresAfterDays,
                maxPerMonth: params.maxPerMonth, scope: params.scope, grantOn: params.grantOn, status: .active,
                disabledAt: nil, disabledReason: nil, metadata: params.metadata, created: now, below: false,
                evaluatedThrough: now)
            let balance = try tx.creditBalance(customer: params.customer, currency: params.currency, at: now)
            try tx.insert(rule)
            if balance <= params.threshold {
                rule.below = true
                if try Self.topUp(tx, rule, at: now, balance: balance) {
                    rule.below =
                        try tx.creditBalance(customer: params.customer, currency: params.currency, at: now)
                        <= params.threshold
                }
                try tx.saveJudgment(rule)
                try Self.judgeAlerts(tx, customer: params.customer, through: now)
            }
            return try tx.fetchTopUpRule(rule.id)
        }
    }

    /// Disables a rule: it tops up no more. Disabling a disabled rule changes nothing.
    /// - Throws: `resource_missing`.
    public func disableTopUpRule(_ id: TopUpRule.ID) throws -> TopUpRule {
        let now = try self.now
        return try write(at: now) { tx, now in
            let rule = try tx.fetchTopUpRule(id)
            guard rule.status == .active else { return rule }
            try tx.disable(id, at: now, reason: "disabled on request")
            return try tx.fetchTopUpRule(id)
        }
    }

    /// - Throws: `resource_missing`.
    public func topUpRule(_ id: TopUpRule.ID) throws -> TopUpRule {
        try store.read { tx in try tx.fetchTopUpRule(id) }
    }

    /// Rules, oldest first, optionally of one customer.
    public func topUpRules(customer: Customer.ID? = nil) throws -> [TopUpRule] {
        try store.read { tx in try tx.topUpRules(customer: customer) }
    }

    /// The top-ups a rule made, oldest first.
    /// - Throws: `resource_missing`.
    public func topUps(rule id: TopUpRule.ID) throws -> [TopUp] {
        try store.read { tx in
            _ = try tx.fetchTopUpRule(id)
            return try tx.topUps(rule: id)
        }
    }

    // MARK: Steps (inside the caller's transaction)

    /// Judges the customer's active rules through `instant`, like alerts: each crossing down to
    /// the threshold or below by the balance's changes since a rule was last judged makes one
    /// top-up at the crossing's instant, whose grant (effective then) the rest of the walk sees.
    /// Called first by `judgeAlerts`, so alerts see the balance after the top-up.
    static func judgeTopUps(_ tx: StorageTransaction, customer: Customer.ID, through instant: Int64) throws {
        for var rule in try tx.activeTopUpRules(customer: customer) where instant >= rule.evaluatedThrough {
            while true {
                let from = try tx.creditBalance(customer: customer, currency: rule.currency, at: rule.evaluatedThrough)
                let changes = try tx.creditChanges(
                    customer: customer, currency: rule.currency, after: rule.evaluatedThrough, through: instant)
                let crossings = AlertRule.crossings(
                    at: rule.evaluatedThrough, from: from, triggered: rule.below, threshold: rule.threshold,
                    changes: changes)
                guard let down = crossings.first(where: \.triggered) else {
                    rule.below = crossings.last?.triggered ?? rule.below
                    rule.evaluatedThrough = instant
                    break
                }
                rule.evaluatedThrough = down.at
                rule.below = true
                if try topUp(tx, rule, at: down.at, balance: down.value) {
                    rule.below =
                        try tx.creditBalance(customer: customer, currency: rule.currency, at: down.at) <= rule.threshold
                }
                if down.at == instant { break }
            }
            try tx.saveJudgment(rule)
        }
    }

    /// One top-up of `rule` for the crossing at `instant` (balance `balance`): a funding invoice
    /// of one invoice item for the cost, finalized then, and (grant on issue) the paid grant tied
    /// to it, effective then. None while a top-up waits for its payment, or when the month's cap
    /// is reached. Returns whether a grant was made.
    static func topUp(_ tx: StorageTransaction, _ rule: TopUpRule, at instant: Int64, balance: Int64) throws -> Bool {
        if try tx.hasPendingTopUp(rule: rule.id) { return false }
        if let max = rule.maxPerMonth {
            let month = CalendarMonth.of(instant)
            if try tx.topUpCount(rule: rule.id, from: month.start, to: month.end) >= max { return false }
        }
        let face = rule.face(at: balance)
        let cost = rule.cost(of: face)
        let item = InvoiceItem(
            id: .init(IDs.generate(prefix: InvoiceItem.idPrefix)), customer: rule.customer, currency: rule.currency,
            amount: cost, unitAmount: nil, quantity: ExactDecimal(1),
            description: "Credit top-up: \(MoneyFormat.text(face, rule.currency)) of credit (\(rule.id))",
            subscription: nil, invoice: nil, metadata: [:], created: instant)
        try tx.insert(item)
        let draft = try InvoiceAssembly.draft(
            customer: rule.customer, subscription: nil, reason: .manual, currency: rule.currency,
            period: (instant, instant), lines: [InvoiceAssembly.line(for: item)], description: "Credit top-up",
            created: instant, finalizesAt: nil, collection: .chargeAutomatically)
        try tx.insert(draft)
        try tx.appendFeed(.invoiceCreated, .invoice(try tx.fetchInvoice(draft.id)), at: instant)
        let invoice = try finalize(draft.id, at: instant, tx)
        var topUp = TopUp(
            id: .init(IDs.generate(prefix: TopUp.idPrefix)), rule: rule.id, customer: rule.customer,
            crossedAt: instant, balance: balance, amount: face, costBasis: cost, invoice: invoice.id, grant: nil,
            status: .pending, created: instant)
        try tx.insert(topUp)
        guard rule.grantOn == .issue || invoice.status == .paid else { return false }
        topUp.grant = try grantTopUp(tx, rule, topUp, at: instant)
        return true
    }

    /// The paid grant of a top-up, effective at `instant`, tied to its funding invoice.
    @discardableResult
    static func grantTopUp(_ tx: StorageTransaction, _ rule: TopUpRule, _ topUp: TopUp, at instant: Int64) throws
        -> CreditGrant.ID
    {
        let grant = try bookNew(
            CreditGrant(
                id: .init(IDs.generate(prefix: CreditGrant.idPrefix)), customer: rule.customer, name: "Auto top-up",
                amount: Money(amountMinor: topUp.amount, currency: rule.currency), category: .paid, scope: rule.scope,
                priority: 50, effectiveAt: instant,
                expiresAt: rule.expiresAfterDays.map { instant + Int64($0) * 86400 }, voidedAt: nil,
                costBasis: topUp.costBasis, fundingInvoice: topUp.invoice, metadata: ["top_up": topUp.id.rawValue],
                created: instant, sequence: 0), tx)
        try tx.markTopUp(topUp.id, status: .granted, grant: grant.id)
        return grant.id
    }

    /// After a payment: a top-up waiting for this invoice gets its grant now.
    static func topUpPaid(_ tx: StorageTransaction, invoice: Invoice.ID, at instant: Int64) throws {
        guard let topUp = try tx.topUp(funding: invoice), topUp.status == .pending else { return }
        try grantTopUp(tx, try tx.fetchTopUpRule(topUp.rule), topUp, at: instant)
        try judgeAlerts(tx, customer: topUp.customer, through: instant)
    }

    /// After a void or a write-off of a funding invoice: its rule is disabled with the reason, and
    /// a top-up still waiting for the payment is canceled (a grant already made stays).
    static func topUpUnpaid(_ tx: StorageTransaction, invoice: Invoice.ID, why: String, at instant: Int64) throws {
        guard let topUp = try tx.topUp(funding: invoice) else { return }
        if topUp.status == .pending { try tx.markTopUp(topUp.id, status: .canceled, grant: nil) }
        let rule = try tx.fetchTopUpRule(topUp.rule)
        guard rule.status == .active else { return }
        try tx.disable(rule.id, at: instant, reason: "funding invoice \(invoice) \(why)")
    }
}
