/// A journal account, named in a colon hierarchy as in ledger-cli and hledger
/// (`assets:receivable:cus_123`, `revenue:usage:price_789`, `liabilities:credits:credgr_456`).
public struct Account: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The top-level kinds of the chart of accounts.
    public static let roots: Set<String> = ["assets", "liabilities", "equity", "revenue", "expenses"]

    public let name: String

    /// - Throws: `invalid_request` when the name is not `root:segment:…` with a known root and
    ///   non-empty segments free of spaces.
    public init(_ name: String) throws {
        let segments = name.split(separator: ":", omittingEmptySubsequences: false)
        guard let root = segments.first, Self.roots.contains(String(root)),
            segments.allSatisfy({ !$0.isEmpty && !$0.contains(" ") && !$0.contains("\t") }),
            name.utf8.count <= 512
        else {
            throw LedgerError.invalidRequest(
                "account '\(name)' must be root:segment:… with root one of \(Self.roots.sorted().joined(separator: ", "))",
                param: "account")
        }
        self.name = name
    }

    public var description: String { name }

    /// Whether `self` is `other` or below it in the hierarchy (`assets:receivable:cus_1` is
    /// within `assets:receivable` and `assets`).
    public func isWithin(_ other: Account) -> Bool {
        name == other.name || name.hasPrefix(other.name + ":")
    }

    public static func < (lhs: Account, rhs: Account) -> Bool { lhs.name < rhs.name }

    // The chart of accounts (see the README).
    public static func receivable(_ customer: Customer.ID) -> Account {
        try! Account("assets:receivable:\(customer.rawValue)")
    }
    public static let cash = try! Account("assets:cash")
    /// Revenue of a metered price.
    public static func revenue(_ price: Price.ID) -> Account {
        try! Account("revenue:usage:\(price.rawValue)")
    }
    /// Revenue of a licensed (or one-time) price.
    public static func subscriptionRevenue(_ price: Price.ID) -> Account {
        try! Account("revenue:subscriptions:\(price.rawValue)")
    }
    public static let revenueInvoiceItems = try! Account("revenue:invoice_items")
    /// The unspent face value of a promotional grant.
    public static func credits(_ grant: CreditGrant.ID) -> Account {
        try! Account("liabilities:credits:\(grant.rawValue)")
    }
    /// What the customer paid for a paid grant and has not yet used: the prepayment, at cost.
    public static func prepayments(_ grant: CreditGrant.ID) -> Account {
        try! Account("liabilities:prepayments:\(grant.rawValue)")
    }
    /// The part of applied paid credit that was not paid for (face value above cost basis).
    public static func creditDiscounts(_ grant: CreditGrant.ID) -> Account {
        try! Account("revenue:credit_discounts:\(grant.rawValue)")
    }
    /// Paid credit that expired unused, at cost basis.
    public static func breakage(_ grant: CreditGrant.ID) -> Account {
        try! Account("revenue:breakage:\(grant.rawValue)")
    }
    public static let promotionalCredits = try! Account("expenses:promotional_credits")
    /// Receivables written off when an invoice is marked uncollectible.
    public static let uncollectible = try! Account("expenses:uncollectible")
}
