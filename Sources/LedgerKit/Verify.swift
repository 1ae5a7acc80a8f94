import GRDB

/// One failed check of `verify`.
public struct VerifyFinding: Hashable, Sendable {
    public var check: String
    public var detail: String
}

extension Ledger {
    func reconcileRows(_ db: Database) throws -> [ContractReconciliation] {
        try store.joining(db) { try reconcile() }
    }

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
                findings.append(
                    .init(check: "foreign_keys", detail: "\(foreignKeys.count) rows reference missing objects"))
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT currency, sum(amountMinor) AS total FROM posting GROUP BY currency HAVING total != 0")
            {
                let currency = try Currency(code: row["currency"])
                let total: Int64 = row["total"]
                findings.append(
                    .init(
                        check: "trial_balance",
                        detail: "\(currency) postings sum to \(MoneyFormat.text(total, currency)), not 0"))
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
            let orphans =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM posting WHERE entryId NOT IN (SELECT id FROM journalEntry)") ?? 0
            if orphans > 0 {
                findings.append(.init(check: "entry_postings", detail: "\(orphans) postings have no entry"))
            }
            // Each invoice's amounts agree with its lines, and a finalized one with its posting.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, i.status, i.currency, i.subtotal, i.total, i.amountDue, i.amountPaid, i.amountRemaining, i.customerId,
                        (SELECT coalesce(sum(amount), 0) FROM invoiceLine WHERE invoiceId = i.id) AS lineSum,
                        (SELECT coalesce(sum(p.amountMinor), 0) FROM journalEntry e JOIN posting p ON p.entryId = e.id
                         WHERE e.sourceType = 'invoice.finalized' AND e.sourceId = i.id
                           AND p.account = 'assets:receivable:' || i.customerId) AS posted
                    FROM invoice i WHERE i.failureCode IS NULL
                    """)
            {
                let id: String = row["id"]
                let status: String = row["status"]
                let currency = try Currency(code: row["currency"])
                let money = { (amount: Int64) in MoneyFormat.text(amount, currency) }
                let subtotal: Int64 = row["subtotal"]
                let total: Int64 = row["total"]
                let due: Int64 = row["amountDue"]
                if subtotal != row["lineSum"] {
                    findings.append(
                        .init(
                            check: "invoice_lines",
                            detail: "invoice \(id): subtotal \(money(subtotal)) ≠ lines \(money(row["lineSum"]))"))
                }
                if due != max(total, 0) {
                    findings.append(
                        .init(
                            check: "invoice_amount_due",
                            detail: "invoice \(id): amount_due \(money(due)) ≠ total \(money(total))"))
                }
                if status != "draft" && (row["amountPaid"] as Int64) + (row["amountRemaining"] as Int64) != due {
                    findings.append(
                        .init(check: "invoice_amount_paid", detail: "invoice \(id): paid + remaining ≠ due"))
                }
                if status != "draft" && (row["posted"] as Int64) != total {
                    findings.append(
                        .init(
                            check: "invoice_posting",
                            detail: "invoice \(id): receivable posted \(money(row["posted"])) ≠ total \(money(total))"))
                }
            }
            // A draft the billing run could not finalize is a failure to bill: listed until it is
            // finalized or deleted.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, customerId, failureCode, failureMessage, failedAt, finalizesAt FROM invoice
                    WHERE failureCode IS NOT NULL ORDER BY seq
                    """)
            {
                let id: String = row["id"]
                let customer: String = row["customerId"]
                let code: String = row["failureCode"]
                let message: String = row["failureMessage"]
                let at: Int64? = row["failedAt"] ?? row["finalizesAt"]
                findings.append(
                    .init(
                        check: "invoice_not_finalized",
                        detail:
                            "invoice \(id) of \(customer) is a draft that cannot be finalized\(at.map { " at " + Instant.format($0) } ?? ""): \(code): \(message)"
                    ))
            }
            // Every grant: granted + reinstated = applied + expired + voided + remaining, never
            // negative; a promotional grant's liability is its remaining face value; a paid grant's
            // cost basis is recognized, broken, or still prepaid.
            for row in try Row.fetchAll(db, sql: "SELECT id, category, currency FROM creditGrant") {
                let id = CreditGrant.ID(row["id"] as String)
                let totals = try Ledger.totals(db, id)
                let currency = try Currency(code: row["currency"])
                if totals.remaining < 0 {
                    findings.append(
                        .init(
                            check: "grant_balance",
                            detail: "grant \(id): remaining \(MoneyFormat.text(totals.remaining, currency)) is negative"
                        ))
                }
                if row["category"] == "promotional" {
                    let liability = -(try Ledger.accountBalance(db, .credits(id), currency, asOf: .max))
                    if liability != totals.remaining {
                        findings.append(
                            .init(
                                check: "grant_liability",
                                detail:
                                    "grant \(id): liability \(MoneyFormat.text(liability, currency)) ≠ remaining \(MoneyFormat.text(totals.remaining, currency))"
                            ))
                    }
                }
            }
            for contract in try reconcileRows(db) where contract.costDifference != 0 || contract.balanceDifference != 0
            {
                findings.append(
                    .init(
                        check: "grant_cost",
                        detail:
                            "contract \(contract.grants.map(\.rawValue).joined(separator: ",")): "
                            + contract.differences.map { "\($0.0) \(MoneyFormat.text($0.1, contract.currency))" }
                            .joined(separator: ", ")
                    ))
            }
            let numbers = try Int64.fetchAll(
                db, sql: "SELECT CAST(substr(number, 5) AS INTEGER) FROM invoice WHERE number IS NOT NULL ORDER BY 1")
            let next = try Int64.fetchOne(db, sql: "SELECT next FROM invoiceCounter WHERE name = 'invoice'") ?? 1
            if numbers != Array(1..<max(next, 1)) {
                findings.append(
                    .init(check: "invoice_numbers", detail: "invoice numbers are not gapless 1…\(next - 1)"))
            }
            return findings
        }
    }
}
