/// One state change a host app would act on, as Stripe's `event`: its type, the instant the
/// change happened, and the object as it was then. The ledger appends it in the transaction that
/// made the change, so an event exists exactly when its change was committed (README: The event
/// feed).
public struct FeedEvent: Hashable, Sendable {
    public typealias ID = Identifier<FeedEvent>
    public static let idPrefix = "evt"

    /// Stripe's event type names.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case customerCreated = "customer.created"
        case customerUpdated = "customer.updated"
        case customerDeleted = "customer.deleted"
        case subscriptionCreated = "customer.subscription.created"
        case subscriptionUpdated = "customer.subscription.updated"
        case subscriptionDeleted = "customer.subscription.deleted"
        case invoiceCreated = "invoice.created"
        case invoiceUpdated = "invoice.updated"
        case invoiceFinalized = "invoice.finalized"
        case invoicePaid = "invoice.paid"
        case invoiceVoided = "invoice.voided"
        case invoiceMarkedUncollectible = "invoice.marked_uncollectible"
        case invoiceDeleted = "invoice.deleted"
        case grantCreated = "billing.credit_grant.created"
        case grantUpdated = "billing.credit_grant.updated"
        case alertTriggered = "billing.alert.triggered"
        case alertRecovered = "billing.alert.recovered"
    }

    /// The object an event carries, as it was when the change happened.
    public enum Object: Hashable, Sendable, Codable {
        case customer(Customer)
        case subscription(Subscription)
        case invoice(Invoice)
        case grant(CreditGrant)
        case alert(AlertCrossing)

        /// The object's ID.
        public var id: String {
            switch self {
            case .customer(let c): c.id.rawValue
            case .subscription(let s): s.id.rawValue
            case .invoice(let i): i.id.rawValue
            case .grant(let g): g.id.rawValue
            case .alert(let a): a.alert.id.rawValue
            }
        }

        /// The customer the object belongs to (every object of the feed has one).
        public var customer: Customer.ID {
            switch self {
            case .customer(let c): c.id
            case .subscription(let s): s.customer
            case .invoice(let i): i.customer
            case .grant(let g): g.customer
            case .alert(let a): a.alert.customer
            }
        }

        /// What kind of object it is, as stored: `customer`, `subscription`, `invoice`,
        /// `credit_grant`, `alert`.
        public var kind: String {
            switch self {
            case .customer: "customer"
            case .subscription: "subscription"
            case .invoice: "invoice"
            case .grant: "credit_grant"
            case .alert: "alert"
            }
        }
    }

    public var id: ID
    /// The event's place in the feed: later events have larger ones (a cursor).
    public var sequence: Int64
    public var kind: Kind
    /// The instant the change happened (a billing run's scheduled instant, not when it ran).
    public var created: Int64
    public var object: Object

    public init(id: ID, sequence: Int64, kind: Kind, created: Int64, object: Object) {
        self.id = id
        self.sequence = sequence
        self.kind = kind
        self.created = created
        self.object = object
    }
}
