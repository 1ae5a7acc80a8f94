/// What a caller gives to create a subscription.
public struct SubscriptionParams: Sendable {
    public struct Item: Sendable {
        public var price: Price.ID
        /// Licensed prices: default 1. Metered prices take none.
        public var quantity: Int64?

        public init(price: Price.ID, quantity: Int64? = nil) {
            self.price = price
            self.quantity = quantity
        }
    }

    public var id: Subscription.ID?
    public var customer: Customer.ID
    public var items: [Item]
    public var billingMode: Subscription.BillingMode
    public var billingCycleAnchor: Int64?
    public var backdateStartDate: Int64?
    public var graceSeconds: Int64
    public var metadata: [String: String]
    /// How its invoices ask to be paid (`collection_method`, `days_until_due`).
    public var collection: Collection

    public init(
        id: Subscription.ID? = nil, customer: Customer.ID, items: [Item],
        billingMode: Subscription.BillingMode = .flexible,
        billingCycleAnchor: Int64? = nil, backdateStartDate: Int64? = nil,
        graceSeconds: Int64 = Limits.finalizationGraceSeconds, metadata: [String: String] = [:],
        collection: Collection = .chargeAutomatically
    ) {
        self.collection = collection
        self.id = id
        self.customer = customer
        self.items = items
        self.billingMode = billingMode
        self.billingCycleAnchor = billingCycleAnchor
        self.backdateStartDate = backdateStartDate
        self.graceSeconds = graceSeconds
        self.metadata = metadata
    }
}

/// What a caller gives to create an invoice item.
public struct InvoiceItemParams: Sendable {
    public enum Amount: Sendable {
        case whole(Int64)
        case unitTimesQuantity(unitAmount: ExactDecimal, quantity: ExactDecimal)
    }

    public var id: InvoiceItem.ID?
    public var customer: Customer.ID
    public var currency: Currency
    public var amount: Amount
    public var description: String?
    public var subscription: Subscription.ID?
    public var invoice: Invoice.ID?
    public var metadata: [String: String]

    public init(
        id: InvoiceItem.ID? = nil, customer: Customer.ID, currency: Currency, amount: Amount,
        description: String? = nil,
        subscription: Subscription.ID? = nil, invoice: Invoice.ID? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.customer = customer
        self.currency = currency
        self.amount = amount
        self.description = description
        self.subscription = subscription
        self.invoice = invoice
        self.metadata = metadata
    }
}

/// What a billing run did.
public struct BillReport: Hashable, Sendable {
    public var invoicesCreated = 0
    public var invoicesFinalized = 0
    public var subscriptionsEnded = 0
    public var grantsExpired = 0
    /// Drafts whose finalization failed in this run (left as drafts with their reason).
    public var failures: [FinalizationFailure] = []
}

/// A draft the billing run could not finalize, and why.
public struct FinalizationFailure: Hashable, Sendable {
    public var invoice: Invoice.ID
    public var customer: Customer.ID
    /// The scheduled instant whose finalization failed.
    public var at: Int64
    public var code: LedgerError.Code
    public var message: String
}

extension Ledger {
    /// The usage a metered line bills: events recorded by `asOf` and not cancelled by then, a
    /// negative total billing as 0.
    static func meteredQuantity(
        _ tx: StorageTransaction, customerSeq: Int64, info: PriceInfo, start: Int64, end: Int64, asOf: Int64
    ) throws -> ExactDecimal {
        let total = try tx.aggregate(
            customerSeq: customerSeq, meterSeq: info.meterSeq!, formula: info.formula!, start: start, end: end,
            asOf: asOf)
        return max(total, .zero)
    }

    /// The lines of a subscription invoice: metered usage for `usage` (in arrears), licensed items
    /// for `advance` (in advance), zero metered lines for `zeroMetered` (classic first invoice),
    /// and the customer's pending items in the subscription's currency. Usage and zero lines bill
    /// the current period's items; the advance bills `advanceItems` (the next period's, when an
    /// update changed them), else the current ones.
    static func subscriptionLines(
        _ tx: StorageTransaction, _ sub: Subscription, usage: (Int64, Int64)?, advance: (Int64, Int64)?,
        zeroMetered: (Int64, Int64)?, asOf: Int64, pendingItems: Bool, cache: inout [Price.ID: PriceInfo],
        placeholderOnOverflow: Bool = false, advanceItems: [SubscriptionItem]? = nil
    ) throws -> [InvoiceLine] {
        var lines: [InvoiceLine] = []
        let customerSeq = try tx.customerSeq(sub.customer)
        for item in sub.items {
            let info = try tx.priceInfo(item.price, cache: &cache)
            if info.isMetered {
                if let (start, end) = usage {
                    let quantity = try meteredQuantity(
                        tx, customerSeq: customerSeq, info: info, start: start, end: end, asOf: asOf)
                    lines.append(
                        try InvoiceAssembly.subscriptionLine(
                            item: item, price: info.price, productName: info.productName, quantity: quantity,
                            currency: sub.currency, start: start, end: end,
                            placeholderOnOverflow: placeholderOnOverflow))
                } else if let (start, end) = zeroMetered {
                    var line = try InvoiceAssembly.subscriptionLine(
                        item: item, price: info.price, productName: info.productName, quantity: .zero,
                        currency: sub.currency, start: start, end: end)
                    line.amount = 0  // classic: a placeholder line, billed in arrears later
                    lines.append(line)
                }
            }
        }
        if let (start, end) = advance {
            for item in advanceItems ?? sub.items {
                let info = try tx.priceInfo(item.price, cache: &cache)
                guard !info.isMetered else { continue }
                lines.append(
                    try InvoiceAssembly.subscriptionLine(
                        item: item, price: info.price, productName: info.productName,
                        quantity: ExactDecimal(item.quantity ?? 1), currency: sub.currency,
                        start: start, end: end))
            }
        }
        if pendingItems {
            lines += try pendingLines(
                tx, customer: sub.customer, currency: sub.currency, subscription: sub.id, at: asOf)
        }
        return lines
    }

    /// Lines for the customer's pending invoice items in `currency`: those of `subscription`, and
    /// those of no subscription.
    static func pendingLines(
        _ tx: StorageTransaction, customer: Customer.ID, currency: Currency, subscription: Subscription.ID?, at: Int64
    ) throws -> [InvoiceLine] {
        try tx.pendingItems(customer: customer, currency: currency, subscription: subscription, anySubscription: false)
            .map { item in
                InvoiceAssembly.line(for: item)
            }
    }
}
