import Foundation
import Testing

@testable import LedgerKit

/// The billing run against the figures of the one before it: random histories (every meter
/// formula, every pricing scheme, shared and own anchors, grace or none, grants of both
/// categories, late and cancelled events, items, voids, payments, cancellations, billing runs at
/// random instants) are billed, and everything they wrote, random IDs aside, must equal the
/// fixture recorded by the step-by-step run (`Fixtures/billing-run/`). To record the fixtures
/// again, on purpose: `LEDGER_RECORD_FIXTURES=1 swift test --filter BillingDifferentialTests`.
@Suite struct BillingDifferentialTests {
    static let seeds: [UInt64] = Array(1...16)
    static let fixtures = packageRoot.appendingPathComponent("Tests/LedgerKitTests/Fixtures/billing-run")

    @Test(arguments: seeds) func aRandomHistoryBillsAsTheFixtureSays(seed: UInt64) throws {
        var history = BillingHistory(seed: seed)
        let books = try history.run()
        let file = Self.fixtures.appendingPathComponent("seed-\(seed).txt")
        if ProcessInfo.processInfo.environment["LEDGER_RECORD_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true)
            try (books.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .dropLast().map(String.init)
        if let index = zip(books, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("seed \(seed), line \(index + 1): got\n  \(books[index])\nexpected\n  \(expected[index])")
        }
        #expect(books.count == expected.count)
        // The figures are not trivial: every history bills something.
        #expect(books.contains { $0.hasPrefix("invoice|") && ($0.contains("|open|") || $0.contains("|paid|")) })
    }
}

/// A deterministic random history of one seed (SplitMix64).
struct BillingHistory {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func pick<T>(_ values: [T]) -> T { values[Int(int(0...Int64(values.count - 1)))] }

    static let usd = try! Currency(code: "usd")
    static let day: Int64 = 86_400
    static let monthly = ["price_sum", "price_count", "price_last", "price_max", "price_lic"]
    static let weekly = ["price_sum_week", "price_lic_week"]

    static let catalog: Catalog = {
        func tier(_ upTo: Int64?, _ unit: String?, _ flat: String? = nil) -> PriceTier {
            PriceTier(
                upTo: upTo, unitAmount: unit.flatMap(ExactDecimal.init(parsing:)),
                flatAmount: flat.flatMap(ExactDecimal.init(parsing:)))
        }
        func weekly(_ id: String, meter: Meter.ID?, _ scheme: PricingScheme) -> PriceParams {
            PriceParams(
                id: .init(id), product: "prod_p", currency: usd, kind: .recurring,
                recurring: .init(
                    interval: .week, intervalCount: 1, usageType: meter == nil ? .licensed : .metered, meter: meter),
                scheme: scheme)
        }
        return Catalog(
            customers: Catalog.customers(["cus_0", "cus_1", "cus_2", "cus_3"]),
            meters: [
                .init(id: "mtr_sum", displayName: "Sum", eventName: "sum", aggregation: .sum),
                .init(id: "mtr_count", displayName: "Count", eventName: "count", aggregation: .count),
                .init(id: "mtr_last", displayName: "Last", eventName: "last", aggregation: .last),
                .init(id: "mtr_max", displayName: "Max", eventName: "max", aggregation: .max),
            ],
            products: [.init(id: "prod_p", name: "P")],
            prices: [
                .monthly("price_sum", of: "prod_p", meter: "mtr_sum", .unit("0.5")),
                .monthly(
                    "price_count", of: "prod_p", meter: "mtr_count",
                    .perUnit(
                        unitAmount: ExactDecimal(parsing: "250")!,
                        transform: TransformQuantity(divideBy: 10, round: .up))),
                .monthly(
                    "price_last", of: "prod_p", meter: "mtr_last",
                    .tiered(mode: .graduated, tiers: [tier(5, "100"), tier(nil, "10", "50")])),
                .monthly(
                    "price_max", of: "prod_p", meter: "mtr_max",
                    .tiered(mode: .volume, tiers: [tier(10, "30"), tier(nil, "20.5")])),
                .monthly("price_lic", of: "prod_p", .unit("1500")),
                weekly("price_sum_week", meter: "mtr_sum", .unit("1.25")),
                weekly("price_lic_week", meter: nil, .unit("700")),
            ])
    }()

    /// Runs the history on a new ledger and returns its fingerprint.
    mutating func run() throws -> [String] {
        let w = try World(Self.catalog)
        let (ledger, clock) = (w.ledger, w.clock)
        var lines: [String] = []
        var events: [(name: String, id: String)] = []
        var grants: [CreditGrant.ID] = []
        var subscriptions: [Subscription.ID] = []
        let customers = w.customers.map(\.id)
        let feb1 = jan1 + 31 * Self.day
        // Subscriptions at the start: most share the month's anchor, so a billing step holds many.
        for (index, customer) in customers.enumerated() {
            for n in 0..<Int(int(1...2)) {
                let weekly = int(0...4) == 0
                var items = (weekly ? Self.weekly : Self.monthly).filter { _ in int(0...2) > 0 }
                if items.isEmpty { items = [weekly ? "price_sum_week" : "price_sum"] }
                let id = Subscription.ID("sub_\(index)_\(n)")
                let outcome = code {
                    _ = try ledger.createSubscription(
                        .init(
                            id: id, customer: customer,
                            items: items.map {
                                .init(price: .init($0), quantity: $0.contains("lic") ? int(1...3) : nil)
                            },
                            billingMode: int(0...5) == 0 ? .classic : .flexible,
                            billingCycleAnchor: int(0...3) == 0 ? nil : feb1,
                            graceSeconds: pick([0, 3_600, 3_600, Self.day])))
                }
                subscriptions.append(id)
                lines.append("create \(id) \(items.joined(separator: ",")): \(outcome?.rawValue ?? "ok")")
            }
        }
        var at = jan1
        for step in 0..<90 {
            at += int(1_000...(Self.day * 2))
            clock.now = at
            let customer = pick(customers)
            let kind = int(0...19)
            var report: BillReport?
            let outcome = code {
                switch kind {
                case 0...8:
                    let meter = pick(["sum", "count", "last", "max"])
                    let id = "evt_\(step)"
                    let value = ExactDecimal(significand: Int128(int(-20...400)), scale: Int(int(0...2)))
                    _ = try ledger.record(
                        EventSubmission(
                            eventName: meter, identifier: id, timestamp: at - int(0...(Self.day * 3)),
                            customer: customer, value: meter == "sum" ? value : max(value, .zero)))
                    events.append((meter, id))
                case 9:
                    guard !events.isEmpty else { return }
                    let event = pick(events)
                    _ = try ledger.cancelEvent(eventName: event.name, identifier: event.id)
                case 10, 11:
                    let id = CreditGrant.ID("credgr_\(step)")
                    let paid = int(0...1) == 0
                    let amount = int(50...5_000)
                    _ = try ledger.createGrant(
                        .init(
                            id: id, customer: customer, amount: Money(amountMinor: amount, currency: Self.usd),
                            category: paid ? .paid : .promotional,
                            scope: int(0...2) == 0 ? .prices([pick(["price_sum", "price_last"])]) : .metered,
                            priority: Int(int(0...3) * 10), effectiveAt: int(0...3) == 0 ? at + int(0...Self.day) : nil,
                            expiresAt: int(0...1) == 0 ? nil : at + int(Self.day...(Self.day * 50)),
                            costBasis: paid ? int(0...amount) : nil))
                    grants.append(id)
                case 12:
                    guard !grants.isEmpty else { return }
                    _ = try int(0...1) == 0 ? ledger.voidGrant(pick(grants)) : ledger.expireGrant(pick(grants))
                case 13:
                    _ = try ledger.createInvoiceItem(
                        .init(
                            id: .init("ii_\(step)"), customer: customer, currency: Self.usd,
                            amount: int(0...1) == 0
                                ? .whole(int(-300...3_000))
                                : .unitTimesQuantity(
                                    unitAmount: ExactDecimal(parsing: "12.345")!,
                                    quantity: ExactDecimal(int(1...9)))))
                case 14, 15:
                    let open = try ledger.invoices(customer: customer, status: .open)
                        .sorted { ($0.number ?? "") < ($1.number ?? "") }
                    guard !open.isEmpty else { return }
                    let target = pick(open).id
                    switch int(0...3) {
                    case 0: _ = try ledger.voidInvoice(target)
                    case 1: _ = try ledger.markUncollectible(target)
                    default: _ = try ledger.payInvoice(target)
                    }
                case 16:
                    _ = try ledger.cancelSubscription(pick(subscriptions), atPeriodEnd: int(0...2) > 0)
                case 17:
                    let id = Subscription.ID("sub_late_\(step)")
                    _ = try ledger.createSubscription(
                        .init(
                            id: id, customer: customer, items: [.init(price: "price_sum"), .init(price: "price_lic")],
                            graceSeconds: 3_600))
                    subscriptions.append(id)
                default:
                    report = try int(0...3) == 0 ? ledger.bill(until: at - int(0...Self.day)) : ledger.bill()
                }
            }
            lines.append(
                "step \(step) kind \(kind) at \(at): \(outcome?.rawValue ?? "ok")\(report.map(Self.text) ?? "")")
        }
        clock.now = at + 60 * Self.day
        lines.append("final: \(Self.text(try ledger.bill()))")
        #expect(try ledger.verify().isEmpty)
        return lines + (try Self.fingerprint(ledger))
    }

    static func text(_ report: BillReport) -> String {
        " created \(report.invoicesCreated) finalized \(report.invoicesFinalized) ended \(report.subscriptionsEnded) expired \(report.grantsExpired)"
            + report.failures.map { " failed \($0.customer) \($0.at) \($0.code.rawValue)" }.joined()
    }

    /// Everything the ledger holds that billing writes, without random IDs: invoices and lines by
    /// customer, subscription and period; credit transactions by grant; postings by entry.
    static func fingerprint(_ ledger: Ledger) throws -> [String] {
        let queries = [
            """
            SELECT 'invoice', customerId, subscriptionId, billingReason, status, number, currency, periodStart,
                periodEnd, description, subtotal, total, amountDue, amountPaid, amountRemaining, finalizesAt,
                finalizedAt, paidAt, voidedAt, markedUncollectibleAt, created, failureCode, failedAt, metadata
            FROM invoice ORDER BY customerId, coalesce(subscriptionId, ''), created, periodEnd, seq
            """,
            """
            SELECT 'line', i.customerId, i.subscriptionId, i.created, i.periodEnd, l.position, l.type, l.priceId,
                l.subscriptionItemId IS NOT NULL, l.invoiceItemId, l.meterSeq, l.customerSeq, l.description,
                l.quantityDecimal, l.amount, l.currency, l.periodStart, l.periodEnd
            FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId
            ORDER BY i.customerId, coalesce(i.subscriptionId, ''), i.created, i.periodEnd, i.seq, l.position
            """,
            """
            SELECT 'credit', t.customerId, t.grantId, t.type, t.kind, t.amount, t.effectiveAt, t.created,
                i.number, i.periodEnd, l.position
            FROM creditBalanceTransaction t LEFT JOIN invoice i ON i.id = t.invoiceId
            LEFT JOIN invoiceLine l ON l.id = t.invoiceLineId ORDER BY t.customerId, t.grantId, t.effectiveAt, t.seq
            """,
            """
            SELECT 'posting', e.postedAt, e.description, e.sourceType,
                CASE WHEN i.id IS NULL THEN e.sourceId ELSE i.customerId || ' ' || coalesce(i.number, '') END,
                p.position, p.account, p.currency, p.amountMinor, p.postedAt
            FROM posting p JOIN journalEntry e ON e.id = p.entryId LEFT JOIN invoice i ON i.id = e.sourceId
            ORDER BY e.postedAt, e.description, e.sourceType, e.sourceId IS NULL, p.position
            """,
            """
            SELECT 'grant', id, expiryBookedAt, voidedAt, totalGranted, totalApplied, totalReinstated, totalExpired,
                totalVoided, lastEffectiveAt
            FROM creditGrant ORDER BY id
            """,
            "SELECT 'event', identifier, late, cancelledAt FROM meterEvent ORDER BY identifier",
            """
            SELECT 'subscription', id, status, currentPeriodStart, currentPeriodEnd, cancelAtPeriodEnd, canceledAt,
                endedAt
            FROM subscription ORDER BY id
            """,
            "SELECT 'item', id, invoiceId IS NOT NULL FROM invoiceItem ORDER BY id",
            "SELECT 'billed', customerSeq, meterSeq, billedThrough FROM meterBilledThrough ORDER BY 1, 2, 3",
            """
            SELECT 'clock', (SELECT processedThrough FROM ledgerClock), (SELECT billedMax FROM meterEventClock),
                (SELECT next FROM invoiceCounter)
            """,
        ]
        return try queries.flatMap { try ledger.rows($0).map { $0.joined(separator: "|") } }
    }
}
