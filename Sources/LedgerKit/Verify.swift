import GRDB

/// One failed check of `verify`.
public struct VerifyFinding: Hashable, Sendable {
    public var check: String
    public var detail: String
}

extension Ledger {
    /// Checks the file's integrity and the journal's invariants; returns what failed (empty when
    /// everything holds).
    public func verify() throws -> [VerifyFinding] {
        try store.read { db in
            var findings: [VerifyFinding] = []
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] {
                findings.append(.init(check: "integrity", detail: integrity.prefix(5).joined(separator: "; ")))
            }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            if !foreignKeys.isEmpty {
                findings.append(.init(check: "foreign_keys", detail: "\(foreignKeys.count) rows reference missing objects"))
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT currency, sum(amountMinor) AS total FROM posting GROUP BY currency HAVING total != 0")
            {
                let currency: String = row["currency"]
                let total: Int64 = row["total"]
                findings.append(.init(check: "trial_balance", detail: "\(currency) postings sum to \(total), not 0"))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT entryId, currency, sum(amountMinor) AS total, count(*) AS n FROM posting
                    GROUP BY entryId, currency HAVING total != 0
                    """)
            {
                let entry: String = row["entryId"]
                findings.append(.init(check: "entry_balanced", detail: "journal entry \(entry) does not balance"))
            }
            let orphans = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM posting WHERE entryId NOT IN (SELECT id FROM journalEntry)") ?? 0
            if orphans > 0 {
                findings.append(.init(check: "entry_postings", detail: "\(orphans) postings have no entry"))
            }
            return findings
        }
    }
}
