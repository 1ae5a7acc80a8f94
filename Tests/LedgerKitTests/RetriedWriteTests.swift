import Foundation
import Testing

@testable import LedgerKit

/// A store whose every write runs its body twice: first in a transaction that is rolled back,
/// then for real, as `PostgresStore` runs again a write that lost a serialization conflict.
final class TwiceStore: Storage, @unchecked Sendable {
    let inner: any Storage
    private(set) var writes = 0
    init(_ inner: any Storage) { self.inner = inner }

    func write<T>(_ body: (StorageTransaction) throws -> T) throws -> T {
        writes += 1
        _ = try? inner.simulate(body)
        return try inner.write(body)
    }
    func simulate<T>(_ body: (StorageTransaction) throws -> T) throws -> T { try inner.simulate(body) }
    func read<T>(_ body: (StorageTransaction) throws -> T) throws -> T { try inner.read(body) }
    func joining<T>(_ tx: StorageTransaction, _ body: () throws -> T) rethrows -> T { try inner.joining(tx, body) }
}

/// An import whose transaction runs again reads the same lines again: nothing lost, nothing
/// counted or reported twice (the events import reads its input inside its transactions).
@Suite struct RetriedWriteTests {
    let now: Int64 = 1_767_744_000  // 2026-01-07T00:00:00Z
    static let lines = """
        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"3000","timestamp":"2026-01-05T12:00:00Z","identifier":"e1"}
        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"500","timestamp":1767616200,"identifier":"e2"}

        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"3000","timestamp":"2026-01-05T12:00:00Z","identifier":"e1"}
        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"1","timestamp":"2026-01-05T12:00:00Z","identifier":"e2"}
        garbage
        {"event_name":"alpaca_ai_tokens","customer":"cus_9","value":"1","identifier":"e3"}

        """

    /// A ledger with `cus_1` and the `alpaca_ai_tokens` meter, whose writes all run twice.
    func twiceLedger() throws -> (Ledger, TwiceStore) {
        let inner = try Store(path: nil)
        let setup = Ledger(store: inner, clock: fixedClock(now))
        _ = try setup.createCustomer(.init(id: "cus_1", name: "John Doe"))
        _ = try setup.createMeter(.init(id: "mtr_tokens", displayName: "Tokens", eventName: "alpaca_ai_tokens"))
        let store = TwiceStore(inner)
        return (Ledger(store: store, clock: fixedClock(now)), store)
    }

    @Test(arguments: [false, true]) func aRetriedImportReadsItsLinesAgain(atomic: Bool) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path("in.ndjson")
        try Self.lines.write(toFile: file, atomically: true, encoding: .utf8)
        let (ledger, store) = try twiceLedger()
        var rejections: [(Int, LedgerError.Code)] = []
        let report = try ledger.importEvents(try LineReader(path: file), format: .ndjson, atomic: atomic) {
            rejections.append(($0.line, $0.error.code))
        }
        #expect(store.writes >= 1)
        #expect((report.accepted, report.duplicate, report.rejected, report.lines) == (2, 1, 3, 7))
        #expect(rejections.map(\.0) == [5, 6, 7])
        #expect(rejections.map(\.1) == [.identifierConflict, .malformedLine, .resourceMissing])
        let stored = atomic ? ExactDecimal.zero : ExactDecimal(3500)
        #expect(try ledger.usage(customer: "cus_1", meter: "mtr_tokens", start: 0, end: now) == stored)
    }

    /// Input that cannot be read again (a pipe) makes a retried import `busy`, with nothing of
    /// that transaction written.
    @Test func aRetriedImportOfAPipeIsBusy() throws {
        let (ledger, _) = try twiceLedger()
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(Self.lines.utf8))
        try pipe.fileHandleForWriting.close()
        #expect {
            try ledger.importEvents(LineReader(handle: pipe.fileHandleForReading), format: .ndjson)
        } throws: { ($0 as? LedgerError)?.kind == .busy }
        #expect(try ledger.usage(customer: "cus_1", meter: "mtr_tokens", start: 0, end: now) == .zero)
    }
}

/// A billing run whose transactions run again counts each step once.
@Suite struct RetriedBillingTests {
    @Test func aRetriedBillingRunCountsEachInvoiceOnce() throws {
        let clock = TestClock(jan1)
        let inner = try Store(path: nil)
        let setup = Ledger(store: inner, clock: { clock.now })
        _ = try setup.createCustomer(.init(id: "cus_1", name: "John Doe"))
        _ = try setup.createProduct(.init(id: "prod_1", name: "Seats"))
        _ = try setup.createPrice(.monthly("price_seat", of: "prod_1", .unit("1000")))
        _ = try setup.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_seat", quantity: 1)]))
        let ledger = Ledger(store: TwiceStore(inner), clock: { clock.now })
        clock.set("2026-03-01T02:00:00Z")
        let before = try setup.invoices().filter { $0.status != .draft }.count
        let report = try ledger.bill()
        let finalized = try setup.invoices().filter { $0.status != .draft }.count
        #expect(report.invoicesFinalized == finalized - before)
        #expect(report.invoicesFinalized == 2)
    }
}
