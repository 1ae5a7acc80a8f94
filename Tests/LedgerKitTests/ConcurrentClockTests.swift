import Foundation
import Synchronization
import Testing

@testable import LedgerKit

/// Writers that share one clock never see it go back: the instant a write runs at is read again
/// once its transaction holds the write lock.
@Suite struct ConcurrentClockTests {
    /// B reads the clock (S), then waits while A writes at S+1; once B holds the lock the clock
    /// says S+2, and B runs then, instead of being refused as if the clock went back.
    @Test func aWriterThatWaitedRunsAfterTheOneBeforeIt() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let s = jan1 + 600
        let a = try location.open(clock: fixedClock(s + 1))
        _ = try a.createCustomer(.init(id: "cus_1", name: "A"))
        _ = try a.createMeter(.init(displayName: "Tokens", eventName: "tokens"))
        _ = try a.record(EventSubmission(eventName: "tokens", identifier: "a", customer: "cus_1", value: 1))
        let readings = Mutex<[Int64]>([s, s + 2])  // B's first reading, then its reading under the lock
        let b = try location.open(clock: {
            readings.withLock { values in values.count > 1 ? values.removeFirst() : values[0] }
        })
        let (_, event) = try b.record(
            EventSubmission(eventName: "tokens", identifier: "b", customer: "cus_1", value: 1))
        #expect(event.recordedAt == s + 2)
        #expect(event.timestamp == s + 2)  // no timestamp given: the instant the write ran at
        // A clock that really went back is still refused.
        let late = try location.open(clock: fixedClock(s))
        #expect {
            _ = try late.createGrant(
                .init(
                    customer: "cus_1", amount: Money(amountMinor: 1, currency: try Currency(code: "usd")),
                    category: .promotional, scope: .metered))
        } throws: {
            ($0 as? LedgerError)?.code == .clockRegression
        }
    }
}
