/// One movement of a grant's balance: Stripe's `billing.credit_balance_transaction`.
public struct CreditBalanceTransaction: Hashable, Sendable {
    public typealias ID = Identifier<CreditBalanceTransaction>
    public static let idPrefix = "cbtxn"

    public enum Kind: String, Sendable, CaseIterable {
        case creditsGranted = "credits_granted"
        case creditsApplied = "credits_applied"
        case creditsExpired = "credits_expired"
        case creditsVoided = "credits_voided"
        case creditsApplicationInvoiceVoided = "credits_application_invoice_voided"

        /// `credit` adds to the balance, `debit` takes from it.
        public var type: String {
            switch self {
            case .creditsGranted, .creditsApplicationInvoiceVoided: return "credit"
            case .creditsApplied, .creditsExpired, .creditsVoided: return "debit"
            }
        }
    }

    public var id: ID
    public var grant: CreditGrant.ID
    public var customer: Customer.ID
    public var kind: Kind
    /// Always positive; `kind.type` says the direction.
    public var amount: Money
    /// When it takes effect on the balance.
    public var effectiveAt: Int64
    public var invoice: Invoice.ID?
    public var invoiceLine: InvoiceLine.ID?
    public var created: Int64

    public init(
        id: ID, grant: CreditGrant.ID, customer: Customer.ID, kind: Kind, amount: Money, effectiveAt: Int64,
        invoice: Invoice.ID?, invoiceLine: InvoiceLine.ID?, created: Int64
    ) {
        self.id = id
        self.grant = grant
        self.customer = customer
        self.kind = kind
        self.amount = amount
        self.effectiveAt = effectiveAt
        self.invoice = invoice
        self.invoiceLine = invoiceLine
        self.created = created
    }

    /// The signed effect on the balance.
    public var signedAmount: Int64 { kind.type == "credit" ? amount.amountMinor : -amount.amountMinor }
}
