import Foundation

/// `Date` beside Unix seconds, for host apps that keep dates: each converts once, at the edge,
/// to whole seconds (floor, as every instant in the ledger is a whole UTC second).
extension Ledger {
    /// Whole Unix seconds of `date`, rounded down. A date no Int64 of seconds holds (or not a
    /// number) becomes `Int64.min` or `Int64.max`: outside `Instant.range`, so every operation
    /// refuses it as `invalid_time` instead of trapping here.
    public static func seconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        if let exact = Int64(exactly: seconds) { return exact }
        return seconds > 0 ? .max : .min
    }

    /// A ledger at `path` whose clock reads `dates` (a host app's own clock or test clock).
    public convenience init(path: String, dates: @escaping @Sendable () -> Date) throws {
        try self.init(path: path, clock: { Ledger.seconds(dates()) })
    }

    /// The billing run up to `date` (see `bill(until:)`).
    public func bill(until date: Date) throws -> BillReport {
        try bill(until: Self.seconds(date))
    }

    /// The customer's credit balances as of `date` (see `creditBalances(customer:grant:price:asOf:)`).
    public func creditBalances(
        customer: Customer.ID, grant: CreditGrant.ID? = nil, price: Price.ID? = nil, asOf date: Date
    ) throws -> [CreditBalance] {
        try creditBalances(customer: customer, grant: grant, price: price, asOf: Self.seconds(date))
    }

    /// Every account's balance as of `date`.
    public func accountBalances(asOf date: Date) throws -> [AccountBalance] {
        try accountBalances(asOf: Self.seconds(date))
    }
}

extension EventSubmission {
    /// An event at `date` (see `init(eventName:identifier:timestamp:customer:value:payload:)`).
    public init(
        eventName: String, identifier: String? = nil, date: Date, customer: Customer.ID? = nil,
        value: ExactDecimal? = nil,
        payload: [String: String] = [:]
    ) {
        self.init(
            eventName: eventName, identifier: identifier, timestamp: Ledger.seconds(date), customer: customer,
            value: value, payload: payload)
    }
}
