/// A bill: Stripe's `invoice`.
public struct Invoice: Hashable, Sendable {
    public typealias ID = Identifier<Invoice>
    public static let idPrefix = "in"

    public enum Status: String, Sendable, CaseIterable {
        case draft, open, paid, void, uncollectible
    }

    public enum BillingReason: String, Sendable, CaseIterable {
        case subscriptionCreate = "subscription_create"
        case subscriptionCycle = "subscription_cycle"
        case subscriptionCancel = "subscription_cancel"
        case manual
    }

    public var id: ID
    public var customer: Customer.ID
    public var subscription: Subscription.ID?
    public var billingReason: BillingReason
    public var status: Status
    public var number: String?
    public var currency: Currency
    public var periodStart: Int64
    public var periodEnd: Int64
    public var description: String?
    public var lines: [InvoiceLine]
    public var subtotal: Int64
    public var total: Int64
    public var amountDue: Int64
    public var amountPaid: Int64
    public var amountRemaining: Int64
    /// When the billing run finalizes this draft (subscription invoices).
    public var finalizesAt: Int64?
    public var finalizedAt: Int64?
    public var paidAt: Int64?
    public var voidedAt: Int64?
    public var markedUncollectibleAt: Int64?
    public var metadata: [String: String]
    public var created: Int64
    /// Why this draft could not be finalized (its amounts do not fit), when it could not.
    public var failure: Failure?
    /// Stripe's `collection_method`: a subscription's invoices take the subscription's.
    public var collectionMethod: Collection.Method = .chargeAutomatically
    /// When a `send_invoice` invoice is due: its creation plus `days_until_due` days.
    public var dueDate: Int64?
    /// Stripe's `auto_advance`: whether the invoice moves on without an explicit action. A
    /// subscription's drafts do (the billing run finalizes them); a manual draft does when created
    /// with it (it then finalizes at `finalizesAt`, an hour after creation); `finalize
    /// --auto-advance` sets it on the invoice it finalizes.
    public var autoAdvance = false

    /// A draft left unfinalized by the billing run: the error's code and message, and the
    /// scheduled instant whose finalization failed (nil while it is still to be tried).
    public struct Failure: Hashable, Sendable {
        public var code: String
        public var message: String
        public var failedAt: Int64?

        public init(code: String, message: String, failedAt: Int64?) {
            self.code = code
            self.message = message
            self.failedAt = failedAt
        }
    }

    /// A draft over `lines` (no number, nothing finalized, paid or voided), its totals their sum
    /// unless given; the other fields are set on the value.
    public init(
        id: ID, customer: Customer.ID, currency: Currency, periodStart: Int64, periodEnd: Int64, created: Int64,
        subscription: Subscription.ID? = nil, billingReason: BillingReason = .manual, lines: [InvoiceLine] = [],
        subtotal: Int64 = 0, description: String? = nil, finalizesAt: Int64? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.customer = customer
        self.subscription = subscription
        self.billingReason = billingReason
        self.status = .draft
        self.number = nil
        self.currency = currency
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.description = description
        self.lines = lines
        self.subtotal = subtotal
        self.total = subtotal
        self.amountDue = max(subtotal, 0)
        self.amountPaid = 0
        self.amountRemaining = max(subtotal, 0)
        self.finalizesAt = finalizesAt
        self.metadata = metadata
        self.created = created
    }

    /// The number format: `INV-000001`.
    public static func number(_ n: Int64) -> String {
        let digits = String(n)
        return "INV-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}

/// One line of an invoice.
public struct InvoiceLine: Hashable, Sendable {
    public typealias ID = Identifier<InvoiceLine>
    public static let idPrefix = "il"

    public enum Kind: String, Sendable {
        case subscription
        case invoiceItem = "invoiceitem"
    }

    public var id: ID
    public var kind: Kind
    public var price: Price.ID?
    public var subscriptionItem: SubscriptionItem.ID?
    public var invoiceItem: InvoiceItem.ID?
    /// The meter billed by a metered line.
    public var meter: Meter.ID?
    public var description: String?
    public var quantity: ExactDecimal
    public var amount: Int64
    public var currency: Currency
    public var periodStart: Int64
    public var periodEnd: Int64
    /// Credit grants applied to this line (`pretax_credit_amounts`).
    public var creditAmounts: [CreditAmount] = []

    public init(
        id: ID, kind: Kind, price: Price.ID?, subscriptionItem: SubscriptionItem.ID?,
        invoiceItem: InvoiceItem.ID?, meter: Meter.ID?, description: String?, quantity: ExactDecimal,
        amount: Int64, currency: Currency, periodStart: Int64, periodEnd: Int64
    ) {
        self.id = id
        self.kind = kind
        self.price = price
        self.subscriptionItem = subscriptionItem
        self.invoiceItem = invoiceItem
        self.meter = meter
        self.description = description
        self.quantity = quantity
        self.amount = amount
        self.currency = currency
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}

/// A credit applied to an invoice line: one `credits_applied` balance transaction.
public struct CreditAmount: Hashable, Sendable {
    public var amount: Int64
    /// The balance transaction (nil on a preview, where credits are provisional).
    public var transaction: String?
    public var grant: String

    public init(amount: Int64, transaction: String?, grant: String) {
        self.amount = amount
        self.transaction = transaction
        self.grant = grant
    }
}

extension Invoice {
    /// Every credit applied to the invoice (`total_pretax_credit_amounts`).
    public var creditAmounts: [CreditAmount] { lines.flatMap(\.creditAmounts) }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension Invoice: Codable {}
extension Invoice.Status: Codable {}
extension Invoice.BillingReason: Codable {}
extension Invoice.Failure: Codable {}
extension InvoiceLine: Codable {}
extension InvoiceLine.Kind: Codable {}
extension CreditAmount: Codable {}
