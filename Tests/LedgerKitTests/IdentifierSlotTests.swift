import Foundation
import GRDB
import Testing

@testable import LedgerKit

/// Event identifiers are unique through a UNIQUE index on their hash, used as a slot, with the
/// next free slot for an identifier whose hash another one holds (0008_identifier_slots.sql).
/// Real 64-bit collisions cannot be made on demand, so these tests put another identifier in an
/// event's slot by hand: from the event's side, that is exactly what a collision leaves.
@Suite struct IdentifierSlotTests {
    let now: Int64 = 1_767_744_000  // 2026-01-07T00:00:00Z

    /// The identifiers and slots of every event, in recording order.
    func slots(_ ledger: Ledger) throws -> [String] {
        try ledger.rows("SELECT identifier, identifierHash FROM meterEvent ORDER BY seq").map {
            $0.joined(separator: "@")
        }
    }

    /// The row as a file before 0018 holds it (no customer key).
    static let squattingBefore0018 = """
        INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp,
            valueSignificand, valueScale, recordedAt)
        VALUES (?, ?, 1, 1, ?, 7, 0, ?)
        """
    static let squatting = """
        INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp,
            valueSignificand, valueScale, recordedAt, customerId)
        VALUES (?, ?, 1, 1, ?, 7, 0, ?, (SELECT id FROM customer WHERE seq = 1))
        """

    /// Writes an event of 7 for the first customer and meter under `identifier` in `slot`.
    func squat(_ ledger: Ledger, _ identifier: String, slot: Int64) throws {
        try ledger.execute(Self.squatting, arguments: [identifier, slot, now - 60, now - 60])
    }

    /// The same in the file at `path`, at whatever schema version it has.
    func squat(_ path: String, _ identifier: String, slot: Int64) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: Self.squattingBefore0018, arguments: [identifier, slot, now - 60, now - 60])
        }
    }

    @Test func anIdentifierWhoseSlotIsHeldTakesTheNextFreeOne() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(MeteringTests.catalog(), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        let hash = identifierHash("e-1")
        try squat(ledger, "other-1", slot: hash)
        try squat(ledger, "other-2", slot: hash &+ 1)

        #expect(try w.record("3", at: "2026-01-06T00:00:00Z", id: "e-1").outcome == .accepted)
        #expect(try slots(ledger) == ["other-1@\(hash)", "other-2@\(hash &+ 1)", "e-1@\(hash &+ 2)"])
        // Found past the held slots: a re-send is a duplicate, different content a conflict.
        #expect(try w.record("3", at: "2026-01-06T00:00:00Z", id: "e-1").outcome == .duplicate)
        #expect(code { _ = try w.record("4", at: "2026-01-06T00:00:00Z", id: "e-1") } == .identifierConflict)
        let line =
            #"{"event_name":"alpaca_ai_tokens","customer":"cus_1","value":3,"timestamp":1767657600,"identifier":"e-1"}"#
        let file = dir.path("events.ndjson")
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let report = try ledger.importEvents(LineReader(path: file), format: .ndjson)
        #expect(report.accepted == 0 && report.duplicate == 1)
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(17))

        let cancelled = try ledger.cancelEvent(eventName: "alpaca_ai_tokens", identifier: "e-1")
        #expect(cancelled.identifier == "e-1" && cancelled.value == ExactDecimal(3) && cancelled.cancelledAt == now)
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(14))
        #expect(
            code { _ = try ledger.cancelEvent(eventName: "alpaca_ai_tokens", identifier: "e-1") }
                == .eventAlreadyCancelled)
        #expect(try slots(ledger).count == 3)
    }

    /// A file written before the slots may hold two identifiers under one hash. The upgrade moves
    /// the later event to the first free slot after it, so the unique index builds, and leaves
    /// every other event where it was; recorded events stay unchangeable afterwards.
    @Test func theUpgradeMovesCollidingEventsToFreeSlots() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("old.sqlite")
        let queue = try DatabaseQueue(path: path)
        try Store.migrate(queue, upTo: "0007_idempotency_result")
        let hash = identifierHash("e-1")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO customer (id, name, created) VALUES ('cus_1', 'John Doe', 0)")
            try db.execute(
                sql: """
                    INSERT INTO meter (id, displayName, eventName, aggregation, customerKey, valueKey, status, created)
                    VALUES ('mtr_tokens', 'Tokens', 'alpaca_ai_tokens', 'sum', 'stripe_customer_id', 'value',
                        'active', 0)
                    """)
        }
        try queue.close()
        try squat(path, "e-1", slot: hash)
        try squat(path, "b", slot: hash &+ 1)  // the first of its hash: stays
        try squat(path, "c", slot: hash)  // collides with e-1: moves past b
        try squat(path, "d", slot: identifierHash("d"))

        let ledger = try Ledger(path: path, clock: fixedClock(now))
        #expect(
            try slots(ledger) == [
                "e-1@\(hash)", "b@\(hash &+ 1)", "c@\(hash &+ 2)", "d@\(identifierHash("d"))",
            ])
        let record = EventSubmission(
            eventName: "alpaca_ai_tokens", identifier: "e-1", timestamp: now - 60, customer: "cus_1", value: 7)
        #expect(try ledger.record(record).outcome == .duplicate)
        #expect(try ledger.usage(customer: "cus_1", meter: "mtr_tokens", start: 0, end: now) == ExactDecimal(28))
        let schema = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE tbl_name = 'meterEvent' ORDER BY name")
        }
        #expect(schema.contains("meterEvent_identifierSlot") && schema.contains("meterEvent_fixed"))
        #expect(!schema.contains("meterEvent_identifier_unique") && !schema.contains("meterEvent_identifierHash"))
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE meterEvent SET identifierHash = 0 WHERE identifier = 'c'")
            }
        }
    }
}
