import Foundation
import Testing

@testable import LedgerKit

/// Recurring allowances with rollover: a year of monthly periods against figures computed by hand.
@Suite struct AllowanceTests {
    static let catalog = Catalog.tokens
    static let usd = try! Currency(code: "usd")

    /// Tokens used each month of 2026 (1 cent each), recorded on the 15th.
    static let usage: [Int64] = [4000, 12000, 9000, 0, 10000, 15000, 2500, 7000, 13000, 10000, 500, 11000]

    /// Each month by hand, with an allowance of 100.00 a month rolling over at most 30.00 for one
    /// period. The period's grant burns first (its coverage ends with the rolled-over one's and it
    /// is effective earlier), then the rolled-over grant; a period's grant that has credit left
    /// rolls over up to 30.00 (and books its whole remainder as expired); a rolled-over grant's
    /// remainder expires.
    struct Month: Equatable {
        var periodTaken: Int64
        /// The rolled-over grant this month could use, and what it paid (nil: there was none).
        var carried: Int64?
        var carriedTaken: Int64
        var invoiceTotal: Int64
        var rolled: Int64
    }
    static let expected: [Month] = [
        .init(periodTaken: 4000, carried: nil, carriedTaken: 0, invoiceTotal: 0, rolled: 3000),
        .init(periodTaken: 10000, carried: 3000, carriedTaken: 2000, invoiceTotal: 0, rolled: 0),
        .init(periodTaken: 9000, carried: nil, carriedTaken: 0, invoiceTotal: 0, rolled: 1000),
        .init(periodTaken: 0, carried: 1000, carriedTaken: 0, invoiceTotal: 0, rolled: 3000),
        .init(periodTaken: 10000, carried: 3000, carriedTaken: 0, invoiceTotal: 0, rolled: 0),
        .init(periodTaken: 10000, carried: nil, carriedTaken: 0, invoiceTotal: 5000, rolled: 0),
        .init(periodTaken: 2500, carried: nil, carriedTaken: 0, invoiceTotal: 0, rolled: 3000),
        .init(periodTaken: 7000, carried: 3000, carriedTaken: 0, invoiceTotal: 0, rolled: 3000),
        .init(periodTaken: 10000, carried: 3000, carriedTaken: 3000, invoiceTotal: 0, rolled: 0),
        .init(periodTaken: 10000, carried: nil, carriedTaken: 0, invoiceTotal: 0, rolled: 0),
        .init(periodTaken: 500, carried: nil, carriedTaken: 0, invoiceTotal: 0, rolled: 3000),
        .init(periodTaken: 10000, carried: 3000, carriedTaken: 1000, invoiceTotal: 0, rolled: 0),
    ]

    static func month(_ index: Int) -> Int64 {
        try! BillingCycle.addMonths(jan1, Int64(index))
    }

    /// How often `bill` runs in a history.
    enum Cadence: CaseIterable {
        case once, monthly, hourly
    }

    /// The year's history: a subscription from 2026-01-01 with the allowance, usage on each
    /// 15th, billed at the cadence; the clock ends at 2027-01-01 02:00. `probe` reads at each of
    /// `probes` as the clock passes it (before that instant's billing, if any).
    static func history(
        _ cadence: Cadence, probes: [Int64] = [], probe: (World, Int64) throws -> Void = { _, _ in }
    ) throws -> (World, Allowance) {
        let w = try World(catalog)
        let (sub, _) = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        let (allowance, _) = try w.ledger.createAllowance(
            .init(
                subscription: sub.id, amount: Money(amountMinor: 10000, currency: usd), rolloverMax: 3000,
                name: "Monthly tokens"))
        let end = month(12) + 7200
        var writes: [(at: Int64, action: () throws -> Void)] = []
        for (index, tokens) in usage.enumerated() where tokens > 0 {
            let at = month(index) + 14 * 86400
            writes.append(
                (
                    at,
                    {
                        try w.record(
                            "\(tokens)", event: "tokens", at: Instant.format(at), id: "month-\(index)")
                    }
                ))
        }
        switch cadence {
        case .once: writes.append((end, { _ = try w.ledger.bill() }))
        case .monthly:
            for index in 1...12 { writes.append((month(index) + 7200, { _ = try w.ledger.bill() })) }
        case .hourly:
            for at in stride(from: jan1 + 3600, through: end, by: 3600) {
                writes.append((at, { _ = try w.ledger.bill() }))
            }
        }
        var pending = probes.sorted()[...]
        for write in writes.sorted(by: { $0.at < $1.at }) {
            while let next = pending.first, next <= write.at {
                w.clock.now = max(w.clock.now, next)
                try probe(w, next)
                pending = pending.dropFirst()
            }
            w.clock.now = max(w.clock.now, write.at)
            try write.action()
        }
        for next in pending {
            w.clock.now = max(w.clock.now, next)
            try probe(w, next)
        }
        return (w, allowance)
    }

    @Test("a year of monthly allowances: each period's grant, burn, rollover and expiry as computed by hand")
    func aYearByHand() throws {
        let (w, allowance) = try Self.history(.monthly)
        let grants = try w.ledger.grants(allowance: allowance.id)
        let transactions = try w.ledger.creditTransactions(customer: "cus_1")
        func moved(_ grant: CreditGrant, _ kind: CreditBalanceTransaction.Kind) -> Int64 {
            transactions.filter { $0.grant == grant.id && $0.kind == kind }.map(\.amount.amountMinor).reduce(0, +)
        }
        let invoices = try w.ledger.invoices(customer: "cus_1").filter { $0.billingReason == .subscriptionCycle }
        #expect(invoices.count == 12)
        for (index, month) in Self.expected.enumerated() {
            let start = Self.month(index)
            let end = Self.month(index + 1)
            let settled = end + 3600  // the invoice finalizes after the grace hour
            // The period's own grant: 100.00 effective at the period's start (the first: at the
            // allowance's creation, the same instant), covering this period only.
            let own = try #require(grants.first { $0.rolledOverFrom == nil && $0.coverage?.through == end })
            #expect(own.effectiveAt == start)
            #expect(own.amount.amountMinor == 10000)
            #expect(own.coverage?.after == start)
            #expect(own.expiresAt == settled)
            #expect(moved(own, .creditsApplied) == month.periodTaken, "month \(index + 1): the period's grant")
            #expect(moved(own, .creditsExpired) == 10000 - month.periodTaken)
            // The grant rolled over into this period from the last one.
            let carried = grants.first { $0.rolledOverFrom != nil && $0.coverage?.through == end }
            #expect(carried?.amount.amountMinor == month.carried, "month \(index + 1): what was carried")
            if let carried {
                #expect(carried.effectiveAt == start + 3600)
                #expect(carried.coverage?.after == start)
                #expect(carried.rolledOverFrom == grants.first { $0.coverage?.through == start }?.id)
                #expect(moved(carried, .creditsApplied) == month.carriedTaken)
                #expect(moved(carried, .creditsExpired) == carried.amount.amountMinor - month.carriedTaken)
                #expect(carried.expiresAt == settled)
            }
            // What this period rolls into the next.
            let rolled = grants.first { $0.rolledOverFrom == own.id }
            #expect(rolled?.amount.amountMinor ?? 0 == month.rolled, "month \(index + 1): the rollover")
            let invoice = try #require(invoices.first { $0.periodEnd == end })
            #expect(invoice.total == month.invoiceTotal, "month \(index + 1): the invoice")
            #expect(invoice.finalizedAt == settled)
        }
        // January 2027's grant is issued and open; nothing else is.
        let open = grants.filter { $0.expiresAt == nil }
        #expect(open.map(\.effectiveAt) == [Self.month(12)])
        #expect(grants.count == 12 + 1 + Self.expected.filter { $0.rolled > 0 }.count)
        #expect(try w.ledger.creditBalances(customer: "cus_1").map(\.availableBalance) == [10000])
        #expect(try w.ledger.verify().isEmpty)
    }

    /// Every period boundary and finalization, one second either side.
    static var probes: [Int64] {
        (0...12).flatMap { index -> [Int64] in
            let start = month(index)
            return [start - 1, start, start + 1, start + 3599, start + 3600, start + 3601]
        }.filter { $0 > jan1 }
    }

    /// A balance read as the clock passes an instant, and as of it once the year is over.
    struct Reading: Equatable {
        var at: Int64
        var ledger: Int64
        var available: Int64
    }

    static func reading(_ w: World, at instant: Int64, asOf: Bool) throws -> Reading {
        let balance = try w.ledger.creditBalances(customer: "cus_1", asOf: asOf ? instant : nil)
        return Reading(
            at: instant, ledger: balance.first?.ledgerBalance ?? 0, available: balance.first?.availableBalance ?? 0)
    }

    /// The journal with every generated ID replaced by its order of appearance, so that files
    /// written at different cadences compare.
    static func journal(_ w: World) throws -> [String] {
        var names: [String: String] = [:]
        let ids =
            try w.ledger.grants(customer: "cus_1").map(\.id.rawValue)
            + w.ledger.invoices(customer: "cus_1").map(\.id.rawValue)
        for (index, id) in ids.enumerated() { names[id] = "#\(index)" }
        func plain(_ text: String) -> String {
            names.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        return try w.ledger.journalEntries().map { entry in
            let postings = entry.postings.map { "\(plain($0.account.description)) \($0.amountMinor)" }
            return "\(entry.postedAt) \(entry.sourceType) \(plain(entry.sourceId)) \(postings.joined(separator: ", "))"
        }.sorted()
    }

    @Test(
        "bill once, monthly or hourly: the same journal, and the same balance at every boundary ±1 s, read then or later"
    )
    func sameWhateverTheCadence() throws {
        var results: [Cadence: (live: [Reading], later: [Reading], journal: [String])] = [:]
        for cadence in Cadence.allCases {
            var live: [Reading] = []
            let (w, _) = try Self.history(cadence, probes: Self.probes) { w, at in
                live.append(try Self.reading(w, at: at, asOf: false))
            }
            let later = try Self.probes.map { try Self.reading(w, at: $0, asOf: true) }
            results[cadence] = (live, later, try Self.journal(w))
        }
        let monthly = try #require(results[.monthly])
        // Read as it happened or as of it afterwards: the same ledger balance. (The available
        // balance read then also subtracts what open drafts held; one read as of a past instant
        // does not rebuild the drafts of that instant.)
        #expect(monthly.live.map(\.ledger) == monthly.later.map(\.ledger))
        #expect(monthly.live.filter { $0.ledger != $0.available }.count == 11 * 3)
        for cadence in [Cadence.once, .hourly] {
            let other = try #require(results[cadence])
            #expect(other.live == monthly.live, "\(cadence): balances read as the clock passed")
            #expect(other.later == monthly.later, "\(cadence): balances read as of each instant afterwards")
            #expect(other.journal == monthly.journal, "\(cadence): the journal")
        }
        // Spot checks against the table. At February's first instant January's grant still holds
        // its 100.00 (its invoice, finalizing at 01:00, holds 40.00 of it) beside February's;
        // at 01:00 January's settles: 30.00 rolls over, the rest expires.
        let february = Self.month(1)
        #expect(monthly.live.first { $0.at == february } == Reading(at: february, ledger: 20000, available: 16000))
        #expect(
            monthly.live.first { $0.at == february + 3600 }
                == Reading(at: february + 3600, ledger: 13000, available: 13000))
    }
}
