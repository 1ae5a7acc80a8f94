extension Ledger {
    // MARK: Balances

    /// The customer's credit balance per currency as of `asOf` (default now), optionally for one
    /// grant or for the grants that can pay one price.
    /// - Throws: `invalid_time` (`asOf` or now outside `Instant.range`), `resource_missing`.
    public func creditBalances(
        customer: Customer.ID, grant: CreditGrant.ID? = nil, price: Price.ID? = nil, asOf: Int64? = nil
    ) throws -> [CreditBalance] {
        let now = try self.now
        let instant = try Instant.check(asOf ?? now, param: "as_of")
        return try store.read { tx in
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
                ledger[state.grant.amount.currency, default: 0] += state.totals.remaining
                available[state.grant.amount.currency, default: 0] += Self.available(state, at: instant)
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
