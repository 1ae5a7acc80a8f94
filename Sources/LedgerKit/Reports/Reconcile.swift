/// One prepaid contract: the paid grants sold by one funding invoice (or one paid grant without
/// one), with every figure a finance person checks and the difference of each identity.
public struct ContractReconciliation: Hashable, Sendable {
    public var customer: Customer.ID
    public var fundingInvoice: Invoice.ID?
    public var grants: [CreditGrant.ID]
    public var currency: Currency
    /// What the customer committed to pay: the grants' cost basis.
    public var committed: Int64 = 0
    /// The funding invoice's total (finalized), or the cost basis when sold outside the ledger.
    public var invoiced: Int64 = 0
    /// What was paid on it.
    public var paid: Int64 = 0
    public var granted: Int64 = 0
    public var applied: Int64 = 0
    public var reinstated: Int64 = 0
    public var expired: Int64 = 0
    public var voided: Int64 = 0
    /// The balance left, from the signed sum of transactions (independent of the totals above).
    public var remaining: Int64 = 0
    /// Revenue recognized at cost basis as credits were applied (journal).
    public var recognized: Int64 = 0
    /// Expired paid credit at cost basis (journal).
    public var breakage: Int64 = 0
    /// The prepayment not yet recognized (journal).
    public var prepaymentLeft: Int64 = 0

    /// granted + reinstated − applied − expired − voided − remaining.
    public var balanceDifference: Int64 { granted + reinstated - applied - expired - voided - remaining }
    /// committed − invoiced.
    public var invoicedDifference: Int64 { committed - invoiced }
    /// invoiced − paid.
    public var paidDifference: Int64 { invoiced - paid }
    /// committed − (recognized + breakage + prepayment left): every paid unit is accounted for.
    public var costDifference: Int64 { committed - recognized - breakage - prepaymentLeft }

    public var differences: [(String, Int64)] {
        [
            ("balance", balanceDifference), ("invoiced", invoicedDifference), ("paid", paidDifference),
            ("cost", costDifference),
        ]
    }

    public var balanced: Bool { differences.allSatisfy { $0.1 == 0 } }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.grants == rhs.grants && lhs.committed == rhs.committed && lhs.remaining == rhs.remaining
            && lhs.recognized == rhs.recognized && lhs.breakage == rhs.breakage && lhs.paid == rhs.paid
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(grants) }
}

/// Usage recorded after its period was invoiced: stored, never billed.
public struct LateUsage: Hashable, Sendable {
    public var customer: Customer.ID
    public var meter: Meter.ID
    public var events: Int64
    public var value: ExactDecimal
}

extension Ledger {
    /// Prepaid-contract reconciliation: one row per funding invoice of paid grants (or per paid
    /// grant without one), optionally for one customer or one grant.
    /// - Throws: `resource_missing`.
    public func reconcile(customer: Customer.ID? = nil, grant: CreditGrant.ID? = nil) throws -> [ContractReconciliation]
    {
        try store.read { tx in
            if let customer { _ = try tx.customerSeq(customer) }
            if let grant { _ = try tx.fetchGrant(grant) }
            let grants = try tx.paidGrants(customer: customer, grant: grant)
            // Read once for every grant: totals, and the prepayment and breakage accounts.
            let states = Dictionary(
                try tx.grantStates(customer: customer, at: .max, exact: true).map { ($0.grant.id, $0) },
                uniquingKeysWith: { a, _ in a })
            let recognized = try tx.balances(
                below: "liabilities:prepayments", sources: ["invoice.finalized", "invoice.voided"])
            let prepayments = try tx.balances(below: "liabilities:prepayments")
            let breakage = try tx.balances(below: "revenue:breakage")
            var rows: [ContractReconciliation] = []
            var rowOfInvoice: [Invoice.ID: Int] = [:]  // a funding invoice's row (a linear search was quadratic)
            for g in grants {
                let key = g.fundingInvoice
                var index = key.flatMap { rowOfInvoice[$0] }
                if index == nil {
                    var row = ContractReconciliation(
                        customer: g.customer, fundingInvoice: key, grants: [], currency: g.amount.currency)
                    if let key {
                        let invoice = try tx.fetchInvoice(key)
                        row.invoiced = invoice.status == .draft ? 0 : invoice.total
                        row.paid = invoice.amountPaid
                    }
                    rows.append(row)
                    index = rows.count - 1
                    if let key { rowOfInvoice[key] = index }
                }
                let i = index!
                rows[i].grants.append(g.id)
                rows[i].committed += g.effectiveCostBasis
                if key == nil {
                    // Sold outside the ledger: the grant itself records the payment.
                    rows[i].invoiced += g.effectiveCostBasis
                    rows[i].paid += g.effectiveCostBasis
                }
                let state = try stored(states[g.id], "grant")
                let totals = state.totals
                rows[i].granted += totals.granted
                rows[i].applied += totals.applied
                rows[i].reinstated += totals.reinstated
                rows[i].expired += totals.expired
                rows[i].voided += totals.voided
                rows[i].remaining += state.signed
                let currency = g.amount.currency
                rows[i].recognized += recognized[Account.prepayments(g.id).name]?[currency] ?? 0
                rows[i].breakage += -(breakage[Account.breakage(g.id).name]?[currency] ?? 0)
                rows[i].prepaymentLeft += -(prepayments[Account.prepayments(g.id).name]?[currency] ?? 0)
                if g.voidedAt != nil {
                    // A voided grant's sale was reversed with it: nothing is owed or recognized.
                    rows[i].committed -= g.effectiveCostBasis
                    if key == nil {
                        rows[i].invoiced -= g.effectiveCostBasis
                        rows[i].paid -= g.effectiveCostBasis
                    }
                }
            }
            return rows
        }
    }

    /// Late usage per customer and meter: recorded after its period's invoice was finalized,
    /// aggregated with the meter's own formula (a count meter counts, a max meter takes the max).
    public func lateUsage(customer: Customer.ID? = nil) throws -> [LateUsage] {
        try store.read { tx in
            var result: [LateUsage] = []
            var aggregator: UsageAggregator?
            for event in try tx.lateEvents(customer: customer) {
                if let last = result.last, last.customer == event.customer, last.meter == event.meter {
                    result[result.count - 1].events += 1
                } else {
                    result.append(LateUsage(customer: event.customer, meter: event.meter, events: 1, value: .zero))
                    aggregator = UsageAggregator(event.aggregation)
                }
                try aggregator?.add(timestamp: event.timestamp, seq: event.seq, value: event.value)
                result[result.count - 1].value = aggregator?.result ?? .zero
            }
            return result
        }
    }
}
