import Foundation
import Testing

@testable import LedgerKit

/// One billing run closes at most `maxPeriods` periods of a subscription: more is refused with
/// nothing written, and the caller asks for more explicitly.
@Suite struct PeriodCapTests {
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [.init(id: "mtr_t", displayName: "Tokens", eventName: "tokens")],
        products: [.init(id: "prod_t", name: "Seats")],
        prices: [
            PriceParams(
                id: "price_day", product: "prod_t", currency: try! Currency(code: "usd"), kind: .recurring,
                recurring: .init(interval: .day, intervalCount: 1, usageType: .licensed, meter: nil),
                scheme: .unit("100"))
        ])

    @Test("a daily subscription backdated 1,001 days: bill and writes are too_many_periods until bill(maxPeriods:)")
    func backdatedYears() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(
            .init(
                id: "sub_d", customer: "cus_1", items: [.init(price: "price_day")],
                backdateStartDate: jan1 - 1_001 * 86_400))
        let before = try w.ledger.dump()
        for attempt in [{ _ = try w.ledger.bill() }, { _ = try w.ledger.bill(maxPeriods: 1_000) }] {
            let error = #expect(throws: LedgerError.self) { try attempt() }
            #expect(error?.code == .tooManyPeriods)
            #expect(error?.param == "max_periods")
            #expect(error?.message.hasPrefix("subscription 'sub_d' has more than 1000 periods due by") == true)
        }
        // A write would run the same steps first: it is refused the same way.
        let usd = try Currency(code: "usd")
        #expect(
            code {
                _ = try w.ledger.createInvoice(
                    customer: "cus_1", currency: usd, includePending: false, description: nil)
            }
                == .tooManyPeriods)
        #expect(code { _ = try w.ledger.bill(maxPeriods: 0) } == .invalidRequest)
        #expect(try w.ledger.dump() == before)

        let report = try w.ledger.bill(maxPeriods: 1_001)
        #expect(report.invoicesCreated == 1_001)
        #expect(report.invoicesFinalized == 1_000)  // the last finalizes an hour after its boundary
        #expect(try w.ledger.subscription("sub_d").currentPeriodEnd == jan1 + 86_400)
        // Caught up: the next day is one period, within the default.
        w.clock.now = jan1 + 86_400 + 3_600
        #expect(try w.ledger.bill() == BillReport(invoicesCreated: 1, invoicesFinalized: 2))
    }
}
