/// A one-off amount for a customer: Stripe's `invoiceitem`.
public struct InvoiceItem: Hashable, Sendable {
    public typealias ID = Identifier<InvoiceItem>
    public static let idPrefix = "ii"

    public var id: ID
    public var customer: Customer.ID
    public var currency: Currency
    public var amount: Int64
    public var unitAmount: ExactDecimal?
    public var quantity: ExactDecimal
    public var description: String?
    public var subscription: Subscription.ID?
    /// nil while pending.
    public var invoice: Invoice.ID?
    public var metadata: [String: String]
    public var created: Int64

    public init(
        id: ID, customer: Customer.ID, currency: Currency, amount: Int64, unitAmount: ExactDecimal?,
        quantity: ExactDecimal, description: String?, subscription: Subscription.ID?,
        invoice: Invoice.ID?, metadata: [String: String], created: Int64
    ) {
        self.id = id
        self.customer = customer
        self.currency = currency
        self.amount = amount
        self.unitAmount = unitAmount
        self.quantity = quantity
        self.description = description
        self.subscription = subscription
        self.invoice = invoice
        self.metadata = metadata
        self.created = created
    }
}
