import Foundation
import Synchronization
import Testing

@testable import LedgerKit

/// Eight writers, each with its own connection, finalizing invoices at once: each takes the
/// invoice counter's row, which every other one writes too. On SQLite they wait for the write
/// lock; on PostgreSQL they conflict and run again, and one that keeps losing runs alone: none
/// ends `busy`, and the numbers have no gap.
@Suite struct ConcurrentWritersTests {
    @Test func eightWritersOnTheInvoiceCounterAllCommitWithoutAGap() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let setup = try location.open(clock: fixedClock(jan1))
        _ = try setup.createProduct(.init(id: "prod_1", name: "Seats"))
        _ = try setup.createPrice(.monthly("price_seat", of: "prod_1", .unit("1000")))
        let writers = 8
        let each = 6
        for w in 0..<writers {
            for n in 0..<each { _ = try setup.createCustomer(.init(id: .init("cus_\(w)_\(n)"), name: "C")) }
        }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            do {
                let ledger = try location.open(clock: fixedClock(jan1))
                for n in 0..<each {
                    // A licensed subscription finalizes its first invoice at creation: a number.
                    _ = try ledger.createSubscription(
                        .init(customer: .init("cus_\(w)_\(n)"), items: [.init(price: "price_seat", quantity: 1)]))
                    _ = try ledger.bill()
                }
            } catch {
                failures.withLock { $0.append("writer \(w): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let invoices = try setup.invoices()
        #expect(invoices.count == writers * each)
        let numbers = invoices.compactMap(\.number).map { Int($0.split(separator: "-").last!)! }.sorted()
        #expect(numbers == Array(1...(writers * each)))
    }
}
