import GRDB

/// The steps of an upgrade that SQL alone cannot express, run in the migrations' transaction
/// just before the migration they prepare.
extension Store {
    /// Work to do before the migration of that identifier.
    static let preparations: [String: @Sendable (Database) throws -> Void] = [
        "0008_identifier_slots": moveCollidingEvents
    ]

    /// Gives every event whose hash an earlier event already holds the first free slot after
    /// that hash (see `0008_identifier_slots.sql`), so that a UNIQUE index on the slots can be
    /// built. The earliest event of a hash keeps it. A file without collisions (all but
    /// astronomically few) is read once, through the hash index, and left as it was.
    static func moveCollidingEvents(_ db: Database) throws {
        let moves = try Row.fetchAll(
            db,
            sql: """
                SELECT e.seq, e.identifierHash FROM meterEvent e
                WHERE e.identifierHash IN (
                    SELECT identifierHash FROM meterEvent GROUP BY identifierHash HAVING count(*) > 1)
                AND e.seq > (SELECT min(seq) FROM meterEvent f WHERE f.identifierHash = e.identifierHash)
                ORDER BY e.seq
                """)
        guard !moves.isEmpty else { return }
        // Recorded events never change (meterEvent_fixed): lift that trigger for the move only.
        guard
            let fixed = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'meterEvent_fixed'")
        else { throw LedgerError(.storage, "the file has no meterEvent_fixed trigger") }
        try db.execute(sql: "DROP TRIGGER meterEvent_fixed")
        let held = try db.makeStatement(sql: "SELECT 1 FROM meterEvent WHERE identifierHash = ?")
        let move = try db.makeStatement(sql: "UPDATE meterEvent SET identifierHash = ? WHERE seq = ?")
        for row in moves {
            let seq: Int64 = row["seq"]
            var slot: Int64 = row["identifierHash"]
            repeat { slot &+= 1 } while try Bool.fetchOne(held, arguments: [slot]) != nil
            try move.execute(arguments: [slot, seq])
        }
        try db.execute(sql: fixed)
    }
}
