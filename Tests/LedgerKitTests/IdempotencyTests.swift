import Foundation
import Testing

@testable import LedgerKit

@Suite struct IdempotencyTests {
    @Test func aRepeatReturnsTheFirstResultAndWritesNothing() throws {
        let ledger = try Ledger(inMemoryWithClock: fixedClock(jan1))
        func create(_ name: String) throws -> (IdempotentResponse, Bool) {
            try ledger.idempotent(key: "k1", request: "customers create --name \(name)") {
                let customer = try ledger.createCustomer(.init(name: name))
                return IdempotentResponse(json: customer.id.rawValue, text: name, status: 0)
            }
        }
        let (first, replayedFirst) = try create("A")
        let (second, replayedSecond) = try create("A")
        #expect(!replayedFirst)
        #expect(replayedSecond)
        #expect(first == second)
        #expect(try ledger.customers().map(\.id.rawValue) == [first.json])
        #expect(throws: LedgerError.self) { try create("B") }
        #expect(try ledger.customers().count == 1)
    }

    @Test func aFailedRequestIsNotRememberedAndWritesNothing() throws {
        let ledger = try Ledger(inMemoryWithClock: fixedClock(jan1))
        struct Boom: Error {}
        #expect(throws: LedgerError.self) {
            _ = try ledger.idempotent(key: "k2", request: "r") {
                _ = try ledger.createCustomer(.init(name: "A"))
                _ = try ledger.createCustomer(.init(id: "a:b"))  // rejected: the first write rolls back too
                return IdempotentResponse(json: "", text: "", status: 0)
            }
        }
        #expect(try ledger.customers().isEmpty)
        let (response, replayed) = try ledger.idempotent(key: "k2", request: "r") {
            IdempotentResponse(json: try ledger.createCustomer(.init(name: "A")).id.rawValue, text: "", status: 0)
        }
        #expect(!replayed)
        #expect(try ledger.customers().map(\.id.rawValue) == [response.json])
    }

    /// Several operations under one key join one transaction: a bill run with a key is atomic.
    @Test func nestedOperationsJoinOneTransaction() throws {
        let ledger = try Ledger(inMemoryWithClock: fixedClock(jan1))
        _ = try ledger.idempotent(key: "k3", request: "two") {
            _ = try ledger.createCustomer(.init(id: "c1"))
            _ = try ledger.createProduct(.init(name: "P"))
            #expect(try ledger.customers().count == 1)  // reads see the joined transaction
            return IdempotentResponse(json: "", text: "", status: 0)
        }
        #expect(try ledger.customers().count == 1)
        #expect(try ledger.products().count == 1)
    }
}
