import Foundation
import PropertyBased
import Testing

@testable import LedgerKit

/// Time is data: random histories give the same books whether `bill` ran before every write or
/// only once at the end, at every instant.
@Suite struct HistoryTests {
    let usd = try! Currency(code: "usd")

    /// One write of a history, at `day` days (and `minute` minutes) after 2026-01-01.
    struct Step: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Int, CaseIterable, Sendable {
            case record, cancel, promoGrant, paidGrant, voidGrant, expireGrant, item, voidInvoice, payInvoice
        }
        var at: Int64
        var kind: Kind
        var customer: Int
        var value: Int64

        var description: String { "\(kind)@\(Instant.format(at)) c\(customer) v\(value)" }
    }

    static let stepGen = zip(
        Gen.int64(in: 0...(80 * 86_400)), Gen.element(of: Step.Kind.allCases).map { $0! }, Gen.int(in: 0...1),
        Gen.int64(in: 1...900)
    ).map { Step(at: jan1 + $0, kind: $1, customer: $2, value: $3) }
    static let historyGen = stepGen.array(of: 1...14).map { $0.sorted { $0.at < $1.at } }

    /// What a history leaves: every journal entry (without its random IDs), the credit
    /// transactions, the invoices, and each step's outcome.
    struct Books: Equatable {
        var outcomes: [String] = []
        var entries: [String] = []
        var transactions: [String] = []
        var invoices: [String] = []
        var balancesByDay: [[AccountBalance]] = []
        /// The feed's alert crossings: "type alert @instant value".
        var alerts: [String] = []
        /// The same crossings as the balance timeline says they are (`AlertTests`).
        var alertReference: [String] = []
    }

    /// Each customer's alerts: at or below 50, and at or below 300.
    static let thresholds: [Int64] = [50, 300]

    /// Two customers; `price_u` is 1 cent a unit, `price_l` 200 a month.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_0", "cus_1"]),
        meters: [.init(id: "mtr_u", displayName: "Units", eventName: "units")],
        products: [.init(id: "prod_p", name: "P")],
        prices: [
            .monthly("price_u", of: "prod_p", meter: "mtr_u", .unit("1")),
            .monthly("price_l", of: "prod_p", .unit("200")),
        ])

    func run(_ steps: [Step], billBeforeEachWrite: Bool) throws -> Books {
        let w = try World(Self.catalog)
        let (ledger, clock) = (w.ledger, w.clock)
        let customers = w.customers.map(\.id)
        for id in customers {
            _ = try ledger.createSubscription(
                .init(
                    id: "sub_\(id.rawValue)", customer: id, items: [.init(price: "price_l"), .init(price: "price_u")],
                    graceSeconds: 3_600))
        }
        for id in customers {
            for threshold in Self.thresholds {
                _ = try ledger.createAlert(
                    .init(
                        id: "alrt_\(id.rawValue)_\(threshold)", customer: id,
                        lte: Money(amountMinor: threshold, currency: usd)))
            }
        }
        var books = Books()
        var events: [String] = []
        var grants: [CreditGrant.ID] = []
        for (index, step) in steps.enumerated() {
            clock.now = step.at
            if billBeforeEachWrite { _ = try ledger.bill() }
            let customer = customers[step.customer]
            let outcome = code {
                switch step.kind {
                case .record:
                    let id = "e\(index)"
                    try w.record(
                        String(step.value), customer: customer, at: Instant.format(step.at - step.value * 60), id: id)
                    events.append(id)
                case .cancel:
                    guard !events.isEmpty else { return }
                    _ = try ledger.cancelEvent(eventName: "units", identifier: events[Int(step.value) % events.count])
                case .promoGrant, .paidGrant:
                    let id = CreditGrant.ID("credgr_\(index)")
                    _ = try ledger.createGrant(
                        .init(
                            id: id, customer: customer, amount: Money(amountMinor: step.value, currency: usd),
                            category: step.kind == .paidGrant ? .paid : .promotional, scope: .metered,
                            priority: Int(step.value % 3), expiresAt: step.at + step.value * 3_000,
                            costBasis: step.kind == .paidGrant ? step.value / 2 : nil))
                    grants.append(id)
                case .voidGrant:
                    guard !grants.isEmpty else { return }
                    _ = try ledger.voidGrant(grants[Int(step.value) % grants.count])
                case .expireGrant:
                    guard !grants.isEmpty else { return }
                    _ = try ledger.expireGrant(grants[Int(step.value) % grants.count])
                case .item:
                    _ = try ledger.createInvoiceItem(
                        .init(id: "ii_\(index)", customer: customer, currency: usd, amount: .whole(step.value)))
                case .voidInvoice, .payInvoice:
                    // Reads show what is stored: to pick an invoice a user sees it finalized first.
                    _ = try ledger.bill()
                    let open = try ledger.invoices(customer: customer, status: .open)
                        .sorted { ($0.number ?? "") < ($1.number ?? "") }
                    guard !open.isEmpty else { return }
                    let target = open[Int(step.value) % open.count].id
                    if step.kind == .voidInvoice {
                        _ = try ledger.voidInvoice(target)
                    } else {
                        _ = try ledger.payInvoice(target)
                    }
                }
            }
            books.outcomes.append("\(step): \(outcome?.rawValue ?? "ok")")
        }
        let end = jan1 + 100 * 86_400
        clock.now = end
        _ = try ledger.bill()
        books.entries = try ledger.journalEntries().map { entry in
            "\(entry.postedAt) \(entry.sourceType) \(entry.description) "
                + entry.postings.map { "\($0.account.name)=\($0.amountMinor)" }.joined(separator: ",")
        }
        for customer in customers {
            books.transactions += try ledger.creditTransactions(customer: customer).map {
                "\($0.grant) \($0.kind.rawValue) \($0.amount.amountMinor) @\($0.effectiveAt)"
            }
            books.invoices += try ledger.invoices(customer: customer).map {
                "\($0.number ?? "draft") \($0.status.rawValue) \($0.subtotal) \($0.total) "
                    + $0.lines.map { "\($0.amount)-\($0.creditAmounts.map(\.amount))" }.joined(separator: " ")
            }
        }
        books.alerts = try ledger.feed(kinds: [.alertTriggered, .alertRecovered]).map { e in
            guard case .alert(let crossing) = e.object else { return "not an alert: \(e)" }
            return "\(e.kind.rawValue) \(crossing.alert.id) @\(e.created) \(crossing.value)"
        }
        books.alertReference = try alertReference(ledger, customers: customers)
        for day in stride(from: jan1, through: end, by: 86_400 / 2) {
            books.balancesByDay.append(try ledger.accountBalances(asOf: day))
        }
        #expect(try ledger.verify().isEmpty)
        return books
    }

    @Test func billingAtEveryStepOrOnceGivesTheSameBooks() async {
        await propertyCheck(count: 30, input: Self.historyGen) { steps in
            let stepped = try! run(steps, billBeforeEachWrite: true)
            let once = try! run(steps, billBeforeEachWrite: false)
            #expect(stepped.outcomes == once.outcomes)
            #expect(stepped.invoices == once.invoices)
            #expect(stepped.transactions == once.transactions)
            #expect(stepped.entries == once.entries)
            #expect(stepped.balancesByDay == once.balancesByDay)
        }
    }
}
