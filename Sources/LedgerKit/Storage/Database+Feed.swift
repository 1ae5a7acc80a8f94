import Foundation

/// The event feed's rows (0013): appended in the caller's transaction, read after a cursor.
extension StorageTransaction {
    /// Appends `kind` with `object` as it is now, at `instant`.
    func appendFeed(_ kind: FeedEvent.Kind, _ object: FeedEvent.Object, at instant: Int64) throws {
        let text = try FeedWriter.json(object) ?? String(decoding: JSONEncoder().encode(object), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO feedEvent (id, type, objectType, objectId, created, object, customerId)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            IDs.generate(prefix: FeedEvent.idPrefix), kind.rawValue, object.kind, object.id, instant, text,
            object.customer.rawValue,
        ])
    }

    /// The sequence of event `id`.
    /// - Throws: `resource_missing` (param `after`).
    func feedSequence(_ id: FeedEvent.ID) throws -> Int64 {
        guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM feedEvent WHERE id = ?", arguments: [id.rawValue])
        else { throw LedgerError.missing("event", id.rawValue, param: "after") }
        return seq
    }

    /// Up to `limit` events after `sequence`, oldest first, of `kinds` when given.
    func feed(after sequence: Int64, kinds: [FeedEvent.Kind]?, limit: Int) throws -> [FeedEvent] {
        var sql = "SELECT seq, id, type, created, object FROM feedEvent WHERE seq > ?"
        var arguments: SQLArguments = [sequence]
        if let kinds {
            sql += " AND type IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))"
            arguments += SQLArguments(kinds.map(\.rawValue))
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        let decoder = JSONDecoder()
        return try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let text: String = row["object"]
            let object: FeedEvent.Object
            do {
                object = try decoder.decode(FeedEvent.Object.self, from: Data(text.utf8))
            } catch {
                throw LedgerError(.storage, "event \(row["id"] as String)'s object cannot be read: \(error)")
            }
            return FeedEvent(
                id: .init(row["id"]), sequence: row["seq"],
                kind: try stored(FeedEvent.Kind(rawValue: row["type"]), "feedEvent.type"), created: row["created"],
                object: object)
        }
    }
}
