/// Prepaid or promotional billing credit for a customer: Stripe's `billing.credit_grant`.
public struct CreditGrant: Hashable, Sendable {
    public typealias ID = Identifier<CreditGrant>
    public static let idPrefix = "credgr"

    public enum Category: String, Sendable, CaseIterable {
        case paid, promotional
    }

    /// `applicability_config.scope`: every metered price, or the listed metered prices.
    public enum Scope: Hashable, Sendable {
        case metered
        case prices([Price.ID])
    }

    public var id: ID
    public var customer: Customer.ID
    public var name: String?
    /// The face value granted, in minor units.
    public var amount: Money
    public var category: Category
    public var scope: Scope
    /// 0 is applied first; default 50.
    public var priority: Int
    public var effectiveAt: Int64
    public var expiresAt: Int64?
    public var voidedAt: Int64?
    /// What the customer paid for a paid grant (default: its face value).
    public var costBasis: Int64?
    public var fundingInvoice: Invoice.ID?
    public var metadata: [String: String]
    public var created: Int64
    /// Creation order, the fifth key of the burn order.
    public var sequence: Int64

    public init(
        id: ID, customer: Customer.ID, name: String?, amount: Money, category: Category, scope: Scope,
        priority: Int, effectiveAt: Int64, expiresAt: Int64?, voidedAt: Int64?, costBasis: Int64?,
        fundingInvoice: Invoice.ID?, metadata: [String: String], created: Int64, sequence: Int64
    ) {
        self.id = id
        self.customer = customer
        self.name = name
        self.amount = amount
        self.category = category
        self.scope = scope
        self.priority = priority
        self.effectiveAt = effectiveAt
        self.expiresAt = expiresAt
        self.voidedAt = voidedAt
        self.costBasis = costBasis
        self.fundingInvoice = fundingInvoice
        self.metadata = metadata
        self.created = created
        self.sequence = sequence
    }

    /// The cost basis that applies: the given one, or the face value for a paid grant without
    /// one; promotional grants cost the customer nothing.
    public var effectiveCostBasis: Int64 {
        category == .promotional ? 0 : (costBasis ?? amount.amountMinor)
    }
}

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

/// The burndown planner: which grants pay which invoice lines, in the stated total order.
///
/// Pure: grants with their available balances and lines in, applications out. The caller has
/// already judged eligibility of the invoice (a subscription invoice) and the instant (balances
/// as of finalization); the planner judges per line: metered, in scope, same currency, and the
/// grant effective by the line's period end and expiring after it.
public enum BurndownPlanner {
    /// A grant as the planner sees it.
    public struct Grant: Hashable, Sendable {
        public var id: CreditGrant.ID
        public var currency: Currency
        public var scope: CreditGrant.Scope
        public var priority: Int
        public var expiresAt: Int64?
        public var category: CreditGrant.Category
        public var effectiveAt: Int64
        public var sequence: Int64
        /// What can be spent now, in minor units.
        public var available: Int64

        public init(
            id: CreditGrant.ID, currency: Currency, scope: CreditGrant.Scope, priority: Int, expiresAt: Int64?,
            category: CreditGrant.Category, effectiveAt: Int64, sequence: Int64, available: Int64
        ) {
            self.id = id
            self.currency = currency
            self.scope = scope
            self.priority = priority
            self.expiresAt = expiresAt
            self.category = category
            self.effectiveAt = effectiveAt
            self.sequence = sequence
            self.available = available
        }
    }

    /// An invoice line as the planner sees it.
    public struct Line: Hashable, Sendable {
        public var id: InvoiceLine.ID
        public var price: Price.ID?
        public var metered: Bool
        public var currency: Currency
        public var amount: Int64
        public var periodEnd: Int64

        public init(
            id: InvoiceLine.ID, price: Price.ID?, metered: Bool, currency: Currency, amount: Int64, periodEnd: Int64
        ) {
            self.id = id
            self.price = price
            self.metered = metered
            self.currency = currency
            self.amount = amount
            self.periodEnd = periodEnd
        }
    }

    public struct Application: Hashable, Sendable {
        public var grant: CreditGrant.ID
        public var line: InvoiceLine.ID
        public var amount: Int64

        public init(grant: CreditGrant.ID, line: InvoiceLine.ID, amount: Int64) {
            self.grant = grant
            self.line = line
            self.amount = amount
        }
    }

    /// The burn order, a total order: priority ascending; expires_at ascending with non-expiring
    /// grants last; promotional before paid; effective_at ascending; creation order; ID.
    public static func precedes(_ a: Grant, _ b: Grant) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        switch (a.expiresAt, b.expiresAt) {
        case (let x?, let y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: break
        }
        if a.category != b.category { return a.category == .promotional }
        if a.effectiveAt != b.effectiveAt { return a.effectiveAt < b.effectiveAt }
        if a.sequence != b.sequence { return a.sequence < b.sequence }
        return a.id.rawValue < b.id.rawValue
    }

    /// Whether `grant` may pay `line` (apart from its balance).
    public static func eligible(_ grant: Grant, _ line: Line) -> Bool {
        guard line.metered, let price = line.price, grant.currency == line.currency else { return false }
        guard grant.effectiveAt <= line.periodEnd else { return false }
        if let expiresAt = grant.expiresAt, !(line.periodEnd < expiresAt) { return false }
        switch grant.scope {
        case .metered: return true
        case .prices(let prices): return prices.contains(price)
        }
    }

    /// Lines in invoice order; each takes from the eligible grants in burn order until it is
    /// covered or they are empty. Whole minor units, never more than a line or a balance.
    public static func plan(grants: [Grant], lines: [Line]) -> [Application] {
        var ordered = grants.sorted(by: precedes)
        var applications: [Application] = []
        for line in lines where line.amount > 0 {
            var due = line.amount
            for index in ordered.indices where due > 0 && ordered[index].available > 0 && eligible(ordered[index], line)
            {
                let take = min(due, ordered[index].available)
                ordered[index].available -= take
                due -= take
                applications.append(Application(grant: ordered[index].id, line: line.id, amount: take))
            }
        }
        return applications
    }

    /// Several invoices in the order they finalize: each is planned against what the invoices
    /// before it left, so together they never take more than a grant has (drafts holding credit,
    /// a preview behind them). Returns one plan per invoice, in the same order.
    public static func plan(grants: [Grant], invoices: [[Line]]) -> [[Application]] {
        var left = grants
        var plans: [[Application]] = []
        for lines in invoices {
            let applications = plan(grants: left, lines: lines)
            var taken: [CreditGrant.ID: Int64] = [:]
            for application in applications { taken[application.grant, default: 0] += application.amount }
            for index in left.indices { left[index].available -= taken[left[index].id] ?? 0 }
            assert(left.allSatisfy { $0.available >= 0 }, "no invoice takes more than a grant has left")
            plans.append(applications)
        }
        return plans
    }
}
