import Foundation
import LedgerKit

/// Grants for a third of the customers (every third one): two or three each, a promotional
/// one first in burn order and paid ones with a cost basis, scoped to metered prices, effective
/// at `instant`. Returns how many.
func grantCredits(_ path: String, at instant: Int64) throws -> Int {
    let ledger = try Ledger(path: path, clock: { instant })
    let usd = try Currency(code: "usd")
    var count = 0
    for c in stride(from: 0, to: min(options.subscriptions, options.customers), by: 3) {
        for g in 0..<(2 + c % 2) {
            _ = try ledger.createGrant(
                .init(
                    customer: .init(customerID(c)), amount: Money(amountMinor: Int64(500 + 250 * g), currency: usd),
                    category: g == 0 ? .promotional : .paid, scope: .metered, priority: g,
                    costBasis: g == 0 ? nil : Int64(400 + 200 * g)))
            count += 1
        }
    }
    return count
}

/// Percentile `q` of sorted seconds, in milliseconds.
func percentile(_ sorted: [Double], _ q: Double) -> String { fmt(sorted[Int(Double(sorted.count - 1) * q)] * 1000, 3) }

/// The reads on the billed file with grants: the library's credit balance of a customer with
/// grants (p50, p99), the CLI's `balance --customer` against `ledger --version`'s own start-up
/// (medians of 15 runs each), and `verify` with and without `--full`.
func benchReads(_ path: String, at instant: Int64) throws {
    let ledger = try Ledger(path: path, clock: { instant })
    var seconds: [Double] = []
    let withGrants = Array(stride(from: 0, to: min(options.subscriptions, options.customers), by: 3))
    for n in 0..<2_000 {
        let customer = Customer.ID(customerID(withGrants[(n * 7_919) % withGrants.count]))
        seconds.append(try elapsed { _ = try ledger.creditBalances(customer: customer) })
    }
    seconds.sort()
    say(
        "credit balance of a customer with grants (library creditBalances, 2000 reads): p50 \(percentile(seconds, 0.5)) ms, p99 \(percentile(seconds, 0.99)) ms"
    )
    func median(_ args: [String]) throws -> Double {
        var runs: [Double] = []
        for _ in 0..<15 { runs.append(try runLedger(args).0) }
        return runs.sorted()[7]
    }
    let version = try median(["--version"])
    let balance = try median(["--db", path, "--now", String(instant), "balance", "--customer", customerID(3)])
    say(
        "ledger balance --customer: median \(fmt(balance * 1000, 1)) ms; ledger --version: median \(fmt(version * 1000, 1)) ms; ratio \(fmt(balance / version, 2))"
    )
    for flag in [[], ["--full"]] {
        let (took, rss, output) = try runLedger(["--db", path, "--now", String(instant), "verify"] + flag)
        guard output.hasPrefix("ok:") else { throw BenchError("verify: \(output)") }
        say("ledger verify \(flag.joined()): \(fmt(took, 2)) s (peak RSS \(fmt(rss, 1)) MiB)")
    }
}

/// The credit balance read of a customer whose paid grant has paid one invoice, and then 24:
/// the read must not grow with a grant's history. Its own file: one monthly metered
/// subscription, ten events a month, billed month by month through the library.
func benchHistory() throws {
    final class Clock: @unchecked Sendable { var now: Int64 = start }
    let clock = Clock()
    let path = work.appendingPathComponent("history.sqlite").path
    try removeDatabase(path)
    let ledger = try Ledger(path: path, clock: { clock.now })
    let usd = try Currency(code: "usd")
    let customer = try ledger.createCustomer(.init(id: "cus_history", name: "History")).id
    let meter = try ledger.createMeter(.init(id: .init("mtr_history"), displayName: "Calls", eventName: "calls")).id
    let product = try ledger.createProduct(.init(name: "Calls"))
    let price = try ledger.createPrice(
        .init(
            product: product.id, currency: usd, kind: .recurring,
            recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: meter),
            scheme: .perUnit(unitAmount: ExactDecimal(1), transform: nil)))
    _ = try ledger.createSubscription(.init(customer: customer, items: [.init(price: price.id)]))
    _ = try ledger.createGrant(
        .init(
            customer: customer, amount: Money(amountMinor: 100_000_000, currency: usd), category: .paid,
            scope: .metered, priority: 0, costBasis: 80_000_000))
    let cycle = BillingCycle(anchor: start, interval: .month, intervalCount: 1)
    func reads() throws -> [Double] {
        try (0..<2_000).map { _ in try elapsed { _ = try ledger.creditBalances(customer: customer) } }.sorted()
    }
    var after: [Int: [Double]] = [:]
    for month in 1...24 {
        let from = try cycle.boundary(Int64(month - 1))
        for n in 0..<10 {
            let at = from + Int64(n) * 3_600
            clock.now = max(clock.now, at)
            _ = try ledger.record(
                EventSubmission(
                    eventName: "calls", identifier: "h-\(month)-\(n)", timestamp: at, customer: customer,
                    value: ExactDecimal(1_000)))
        }
        clock.now = try cycle.boundary(Int64(month)) + Limits.finalizationGraceSeconds
        _ = try ledger.bill()
        if month == 1 || month == 24 { after[month] = try reads() }
    }
    let applied = try ledger.creditTransactions(customer: customer).count
    say(
        "credit balance of a customer whose grant paid 1 invoice: p50 \(percentile(after[1]!, 0.5)) ms, p99 \(percentile(after[1]!, 0.99)) ms; after 24 monthly invoices (\(applied) credit transactions): p50 \(percentile(after[24]!, 0.5)) ms, p99 \(percentile(after[24]!, 0.99)) ms"
    )
}
