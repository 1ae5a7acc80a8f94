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

/// One line of a journal entry: an amount in minor units on one account.
///
/// Sign convention (hledger's): a debit is positive, a credit negative. Assets and expenses
/// carry positive balances; liabilities, equity and revenue negative ones.
public struct Posting: Hashable, Sendable {
    public var account: Account
    public var amountMinor: Int64
    public var currency: Currency

    public init(account: Account, amountMinor: Int64, currency: Currency) {
        self.account = account
        self.amountMinor = amountMinor
        self.currency = currency
    }
}

/// A balanced, append-only record of one movement of money or credit.
///
/// Invariant: at least two postings, and per currency the postings sum to zero. The only way to
/// build one is `JournalEntry.balanced(...)`, which checks it; storage checks it again in SQL.
public struct JournalEntry: Hashable, Sendable {
    public typealias ID = Identifier<JournalEntry>
    public static let idPrefix = "je"

    public let id: ID
    /// Unix seconds: the instant the movement takes effect.
    public let postedAt: Int64
    public let description: String
    /// The object that caused it (`invoice`, `credit_grant`, …) and its ID.
    public let sourceType: String
    public let sourceId: String
    public let postings: [Posting]

    private init(
        id: ID, postedAt: Int64, description: String, sourceType: String, sourceId: String,
        postings: [Posting]
    ) {
        self.id = id
        self.postedAt = postedAt
        self.description = description
        self.sourceType = sourceType
        self.sourceId = sourceId
        self.postings = postings
    }

    /// Builds an entry after checking that it balances.
    /// - Throws: `unbalanced_entry` when there are fewer than two postings or a currency's
    ///   postings do not sum to zero; `amount_overflow` when a sum does not fit 64 bits.
    public static func balanced(
        id: ID = ID(IDs.generate(prefix: idPrefix)), postedAt: Int64, description: String,
        sourceType: String, sourceId: String, postings: [Posting]
    ) throws -> JournalEntry {
        try checkBalanced(postings)
        return JournalEntry(
            id: id, postedAt: postedAt, description: description, sourceType: sourceType,
            sourceId: sourceId, postings: postings)
    }

    /// - Throws: `unbalanced_entry` or `amount_overflow`.
    public static func checkBalanced(_ postings: [Posting]) throws {
        guard postings.count >= 2 else {
            throw LedgerError(
                .unbalancedEntry, "a journal entry needs at least two postings, got \(postings.count)")
        }
        var sums: [Currency: Int64] = [:]
        for posting in postings {
            let (sum, overflow) = (sums[posting.currency] ?? 0).addingReportingOverflow(
                posting.amountMinor)
            if overflow { throw LedgerError.amountOverflow("journal entry postings do not fit 64 bits") }
            sums[posting.currency] = sum
        }
        for (currency, sum) in sums.sorted(by: { $0.key < $1.key }) where sum != 0 {
            throw LedgerError(
                .unbalancedEntry, "postings in \(currency) sum to \(sum), not 0")
        }
    }
}
