/// An auto top-up rule (README: Auto top-ups): each time a customer's credit balance in a
/// currency crosses down to `threshold` or below, a funding invoice and a paid grant tied to it.
public struct TopUpRule: Hashable, Sendable, Codable {
    public typealias ID = Identifier<TopUpRule>
    public static let idPrefix = "ctopup"

    public enum Status: String, Sendable, CaseIterable, Codable {
        case active, disabled
    }

    /// When the grant takes effect: at the crossing, or once the funding invoice is paid.
    public enum GrantOn: String, Sendable, CaseIterable, Codable {
        case issue, payment
    }

    /// A fixed face value, or what lifts the balance to a target.
    public enum Size: Hashable, Sendable, Codable {
        case amount(Int64)
        case target(Int64)
    }

    public var id: ID
    public var customer: Customer.ID
    public var currency: Currency
    /// Minor units: a top-up is made when the balance falls to this or below.
    public var threshold: Int64
    public var size: Size
    /// What the customer pays for each top-up of a fixed amount (default: its face value).
    public var costBasis: Int64?
    public var expiresAfterDays: Int?
    public var maxPerMonth: Int?
    public var scope: CreditGrant.Scope
    public var grantOn: GrantOn
    public var status: Status
    public var disabledAt: Int64?
    public var disabledReason: String?
    public var metadata: [String: String]
    public var created: Int64
    /// Whether the balance is at or below the threshold as of `evaluatedThrough`.
    public var below: Bool
    public var evaluatedThrough: Int64

    public init(
        id: ID, customer: Customer.ID, currency: Currency, threshold: Int64, size: Size, costBasis: Int64?,
        expiresAfterDays: Int?, maxPerMonth: Int?, scope: CreditGrant.Scope, grantOn: GrantOn, status: Status,
        disabledAt: Int64?, disabledReason: String?, metadata: [String: String], created: Int64, below: Bool,
        evaluatedThrough: Int64
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
        self.status = status
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.metadata = metadata
        self.created = created
        self.below = below
        self.evaluatedThrough = evaluatedThrough
    }

    /// The face value of a top-up made at `balance`: the fixed amount, or what lifts the balance
    /// to the target.
    public func face(at balance: Int64) -> Int64 {
        switch size {
        case .amount(let amount): return amount
        case .target(let target):
            precondition(balance <= threshold && threshold < target, "a top-up is made at or below the threshold")
            return target - balance
        }
    }

    /// What the customer pays for a top-up of `face`.
    public func cost(of face: Int64) -> Int64 { costBasis ?? face }
}

/// One top-up a rule made.
public struct TopUp: Hashable, Sendable, Codable {
    public typealias ID = Identifier<TopUp>
    public static let idPrefix = "tu"

    public enum Status: String, Sendable, CaseIterable, Codable {
        /// The funding invoice is open; the grant comes with its payment.
        case pending
        case granted
        /// The funding invoice was voided or written off before it paid for a grant.
        case canceled
    }

    public var id: ID
    public var rule: TopUpRule.ID
    public var customer: Customer.ID
    /// The instant the balance crossed, and the balance then.
    public var crossedAt: Int64
    public var balance: Int64
    public var amount: Int64
    public var costBasis: Int64
    public var invoice: Invoice.ID
    public var grant: CreditGrant.ID?
    public var status: Status
    public var created: Int64

    public init(
        id: ID, rule: TopUpRule.ID, customer: Customer.ID, crossedAt: Int64, balance: Int64, amount: Int64,
        costBasis: Int64, invoice: Invoice.ID, grant: CreditGrant.ID?, status: Status, created: Int64
    ) {
        self.id = id
        self.rule = rule
        self.customer = customer
        self.crossedAt = crossedAt
        self.balance = balance
        self.amount = amount
        self.costBasis = costBasis
        self.invoice = invoice
        self.grant = grant
        self.status = status
        self.created = created
    }
}

/// The calendar month (UTC) of an instant, `[start, end)`: the window of `max_per_month`.
public enum CalendarMonth {
    public static func of(_ instant: Int64) -> (start: Int64, end: Int64) {
        let (days, _) = Instant.split(instant)
        let civil = Instant.civilFromDays(days)
        let start = Instant.daysFromCivil(year: civil.year, month: civil.month, day: 1) * 86400
        let next = civil.month == 12 ? (civil.year + 1, Int64(1)) : (civil.year, civil.month + 1)
        return (start, Instant.daysFromCivil(year: next.0, month: next.1, day: 1) * 86400)
    }
}
