extension Ledger {
    // MARK: Balances

    /// The customer's credit balance per currency as of `asOf` (default now), optionally for one
    /// grant or for the grants that can pay one price. The figures include every step due by
    /// then and by now whether or not a billing run has booked it (`readBooked`): a period's
    /// allowance, a finalization's burndown and rollover. (The objects themselves, grants and
    /// their transactions, appear once a write or `bill` books them.)
    /// - Throws: `invalid_time` (`asOf` or now outside `Instant.range`), `resource_missing`.
    public func creditBalances(
        customer: Customer.ID, grant: CreditGrant.ID? = nil, price: Price.ID? = nil, asOf: Int64? = nil
    ) throws -> [CreditBalance] {
        let now = try self.now
        let instant = try Instant.check(asOf ?? now, param: "as_of")
        return try readBooked(asOf: instant, now: now) { tx in
            try Self.creditBalances(tx, customer: customer, grant: grant, price: price, at: instant, now: now)
        }
    }

    /// `creditBalances` inside the caller's read.
    static func creditBalances(
        _ tx: StorageTransaction, customer: Customer.ID, grant: CreditGrant.ID? = nil, price: Price.ID? = nil,
        at instant: Int64, now: Int64
    ) throws -> [CreditBalance] {
        _ = try tx.customerSeq(customer)
        let states = try tx.grantStates(customer: customer, at: instant)
        var grants = states
        if let grant {
            grants = grants.filter { $0.grant.id == grant }
            if grants.isEmpty {
                throw LedgerError.missing("credit grant of this customer", grant.rawValue, param: "credit_grant")
            }
        }
        var currencies: Set<Currency> = []
        if let price {
            // Only grants that could pay this price: metered, in scope, same currency.
            let terms = try tx.price(price)
            currencies.insert(terms.currency)
            let metered = terms.recurring?.usageType == .metered
            grants = grants.filter { state in
                let g = state.grant
                guard metered, g.amount.currency == terms.currency else { return false }
                if case .prices(let prices) = g.scope { return prices.contains(price) }
                return true
            }
        }
        var ledger: [Currency: Int64] = [:]
        var available: [Currency: Int64] = [:]
        for currency in currencies { ledger[currency] = 0 }
        for state in grants {
            let currency = state.grant.amount.currency
            ledger[currency] = try MinorUnits.sum([ledger[currency] ?? 0, state.totals.remaining])
            available[currency] = try MinorUnits.sum([available[currency] ?? 0, Self.available(state, at: instant)])
        }
        // Drafts hold credits provisionally, as if they finalized at the instant, one after
        // the other in finalization order: they lower what is available, not the ledger.
        if instant >= now {
            let ids = Set(grants.map(\.grant.id))
            let currencyOf = Dictionary(
                uniqueKeysWithValues: grants.map { ($0.grant.id, $0.grant.amount.currency) })
            for plan in try Self.holds(tx, customer: customer, at: instant, states: states) {
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

    /// The customer's balance now with what the usage of its open periods would take: each
    /// active subscription's current period so far, priced as its invoice would be, and the credit
    /// the grants would pay it if those invoices finalized now, after the drafts (the same planner
    /// as finalization, grant by grant in the burndown order). `balance --live`.
    /// - Throws: `resource_missing`, `invalid_time`.
    public func liveBalances(customer: Customer.ID) throws -> LiveBalances {
        let now = try self.now
        return try readBooked(asOf: now, now: now) { tx in
            let balances = try Self.creditBalances(tx, customer: customer, at: now, now: now)
            var cache: [Price.ID: PriceInfo] = [:]
            let previews = try tx.subscriptions(customer: customer).filter { $0.status == .active }.map {
                try Self.upcoming(tx, $0, at: now, cache: &cache)
            }
            var usage: [Currency: Int64] = [:]
            for line in previews.flatMap(\.lines) where line.meter != nil {
                usage[line.currency, default: 0] = try MinorUnits.sum([usage[line.currency] ?? 0, line.amount])
            }
            var pending: [Currency: Int64] = [:]
            let plans = try Self.holds(tx, customer: customer, at: now, upcoming: previews)
            let lineCurrency = Dictionary(
                previews.flatMap(\.lines).map { ($0.id, $0.currency) }, uniquingKeysWith: { first, _ in first })
            for application in plans.suffix(previews.count).joined() {
                let currency = try stored(lineCurrency[application.line], "preview line")
                pending[currency, default: 0] += application.amount
            }
            let byCurrency = Dictionary(uniqueKeysWithValues: balances.map { ($0.currency, $0) })
            let currencies = Set(balances.map(\.currency)).union(usage.keys).sorted()
            return LiveBalances(
                balances: currencies.map { currency in
                    let balance =
                        byCurrency[currency]
                        ?? CreditBalance(currency: currency, ledgerBalance: 0, availableBalance: 0)
                    let credit = pending[currency] ?? 0
                    assert(credit <= balance.availableBalance, "usage never takes more than is available")
                    return LiveBalance(
                        balance: balance, unbilledUsage: usage[currency] ?? 0, pendingCredit: credit,
                        availableAfterUsage: balance.availableBalance - credit)
                }, latestMeterEvent: try tx.latestEventTimestamp(customer: customer, asOf: now), asOf: now)
        }
    }

    /// The customer's credit balance transactions effective by `asOf` (default: now; a grant
    /// effective later has not been granted yet), oldest first, optionally of one grant.
    /// - Throws: `invalid_time` (`asOf` or now outside `Instant.range`), `resource_missing`.
    public func creditTransactions(customer: Customer.ID, grant: CreditGrant.ID? = nil, asOf: Int64? = nil) throws
        -> [CreditBalanceTransaction]
    {
        let asOf = try Instant.check(asOf ?? now, param: asOf == nil ? "now" : "as_of")
        return try store.read { tx in
            _ = try tx.customerSeq(customer)
            return try tx.creditTransactions(customer: customer, grant: grant, asOf: asOf)
        }
    }
}

/// A customer's balance now with its open periods' usage (`Ledger.liveBalances`).
public struct LiveBalances: Hashable, Sendable {
    public var balances: [LiveBalance]
    /// The newest timestamp of the customer's events counted now (Stripe's `latest_meter_event`);
    /// nil without any.
    public var latestMeterEvent: Int64?
    public var asOf: Int64
}

/// One currency of `LiveBalances`.
public struct LiveBalance: Hashable, Sendable {
    public var balance: CreditBalance
    /// The open periods' metered usage so far, priced as their invoices would price it.
    public var unbilledUsage: Int64
    /// The credit that usage would take if its invoices finalized now, after the drafts.
    public var pendingCredit: Int64
    /// The available balance less `pendingCredit`.
    public var availableAfterUsage: Int64
}
