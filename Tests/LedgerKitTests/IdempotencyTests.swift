import Foundation
import GRDB
import Testing

@testable import LedgerKit

@Suite struct IdempotencyTests {
    @Test func aRepeatReturnsTheFirstResultAndWritesNothing() throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        func create(_ name: String) throws -> (Customer.ID, Bool) {
            try ledger.idempotent(key: "k1", request: "customers create --name \(name)") {
                try ledger.createCustomer(.init(name: name)).id
            }
        }
        let (first, replayedFirst) = try create("A")
        let (second, replayedSecond) = try create("A")
        #expect(!replayedFirst)
        #expect(replayedSecond)
        #expect(first == second)
        #expect(try ledger.customers().map(\.id) == [first])
        #expect(throws: LedgerError.self) { try create("B") }
        #expect(try ledger.customers().count == 1)
    }

    @Test func aFailedRequestIsNotRememberedAndWritesNothing() throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        struct Boom: Error {}
        #expect(throws: LedgerError.self) {
            _ = try ledger.idempotent(key: "k2", request: "r") {
                _ = try ledger.createCustomer(.init(name: "A"))
                _ = try ledger.createCustomer(.init(id: "a:b"))  // rejected: the first write rolls back too
                return 0
            }
        }
        #expect(try ledger.customers().isEmpty)
        let (response, replayed) = try ledger.idempotent(key: "k2", request: "r") {
            try ledger.createCustomer(.init(name: "A")).id
        }
        #expect(!replayed)
        #expect(try ledger.customers().map(\.id) == [response])
    }

    /// Several operations under one key join one transaction: a bill run with a key is atomic.
    @Test func nestedOperationsJoinOneTransaction() throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        _ = try ledger.idempotent(key: "k3", request: "two") {
            _ = try ledger.createCustomer(.init(id: "c1"))
            _ = try ledger.createProduct(.init(name: "P"))
            #expect(try ledger.customers().count == 1)  // reads see the joined transaction
            return true
        }
        #expect(try ledger.customers().count == 1)
        #expect(try ledger.products().count == 1)
    }

    /// The library stores the caller's own value and replays it decoded, exact: here an invoice
    /// item's amount as Money and its ID.
    @Test func theStoredResultIsTheCallersValue() throws {
        let world = try World(Catalog(customers: Catalog.customers(["cus_1"])))
        let usd = try Currency(code: "usd")
        struct Receipt: Codable, Equatable {
            var item: InvoiceItem.ID
            var amount: Money
        }
        func create() throws -> (Receipt, Bool) {
            try world.ledger.idempotent(key: "k4", request: "item") {
                let item = try world.ledger.createInvoiceItem(
                    .init(customer: world.customer.id, currency: usd, amount: .whole(922_337_203_685_477_580)))
                return Receipt(item: item.id, amount: Money(amountMinor: item.amount, currency: item.currency))
            }
        }
        let (first, replayedFirst) = try create()
        let (second, replayedSecond) = try create()
        #expect(!replayedFirst && replayedSecond && first == second)
        #expect(second.amount.amountMinor == 922_337_203_685_477_580)
        #expect(try world.ledger.invoiceItems(customer: world.customer.id).count == 1)
    }

    /// A key stored before the result column (schema 0006: the CLI's rendered response in three
    /// columns) still replays after the migration, in the shape the CLI stores now.
    @Test func keysStoredByTheOldSchemaStillReplay() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("old.sqlite")
        let queue = try DatabaseQueue(path: path)
        try Store.migrate(queue, upTo: "0006_clock")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO idempotencyKey (key, request, responseJSON, responseText, status, created)
                    VALUES ('k-old', 'customers create --name Old', '{"id":"cus_old"}', 'cus_old', 0, 1)
                    """)
        }
        try queue.close()
        struct Response: Codable, Equatable {
            var json: String
            var human: String
            var status: Int32
        }
        let ledger = try Ledger(path: path, clock: fixedClock(jan1))
        let (response, replayed) = try ledger.idempotent(key: "k-old", request: "customers create --name Old") {
            Response(json: "new", human: "new", status: 1)
        }
        #expect(replayed)
        #expect(response == Response(json: #"{"id":"cus_old"}"#, human: "cus_old", status: 0))
        #expect(throws: LedgerError.self) {
            _ = try ledger.idempotent(key: "k-old", request: "customers create --name Other") { response }
        }
    }
}
