/// One failed check of `verify`.
public struct VerifyFinding: Hashable, Sendable {
    public var check: String
    public var detail: String
}

extension Ledger {
    /// Checks the file's integrity and the journal's invariants; returns what failed (empty when
    /// everything holds). The file's own check is SQLite's `quick_check` (its structure), or with
    /// `full` its `integrity_check` (also every index against its table, several times longer);
    /// the ledger's invariants are checked in full either way.
    public func verify(full: Bool = false) throws -> [VerifyFinding] {
        try store.read { tx in
            var findings: [VerifyFinding] = []
            let integrity = try tx.integrityCheck(full: full)
            if integrity != ["ok"] {
                findings.append(.init(check: "integrity", detail: integrity.prefix(5).joined(separator: "; ")))
            }
            let foreignKeys = try tx.foreignKeyViolations()
            if foreignKeys > 0 {
                findings.append(.init(check: "foreign_keys", detail: "\(foreignKeys) rows reference missing objects"))
            }
            let sums = try tx.journalSums()
            for (currency, total) in sums.totals.sorted(by: { $0.key < $1.key }) where total != 0 {
                findings.append(
                    .init(
                        check: "trial_balance",
                        detail: "\(currency) postings sum to \(MoneyFormat.text(total, currency)), not 0"))
            }
            for entry in sums.unbalanced {
                findings.append(.init(check: "entry_balanced", detail: "journal entry \(entry) does not balance"))
            }
            if sums.orphans > 0 {
                findings.append(.init(check: "entry_postings", detail: "\(sums.orphans) postings have no entry"))
            }
            // Each invoice's amounts agree with its lines, and a finalized one with its posting.
            for audit in try tx.invoiceAudits() {
                let id = audit.id
                let money = { (amount: Int64) in MoneyFormat.text(amount, audit.currency) }
                if audit.subtotal != audit.lineSum {
                    findings.append(
                        .init(
                            check: "invoice_lines",
                            detail: "invoice \(id): subtotal \(money(audit.subtotal)) ≠ lines \(money(audit.lineSum))"))
                }
                if audit.amountDue != max(audit.total, 0) {
                    findings.append(
                        .init(
                            check: "invoice_amount_due",
                            detail: "invoice \(id): amount_due \(money(audit.amountDue)) ≠ total \(money(audit.total))")
                    )
                }
                if audit.status != "draft" && audit.amountPaid + audit.amountRemaining != audit.amountDue {
                    findings.append(
                        .init(check: "invoice_amount_paid", detail: "invoice \(id): paid + remaining ≠ due"))
                }
                if audit.status != "draft" && audit.posted != audit.total {
                    findings.append(
                        .init(
                            check: "invoice_posting",
                            detail:
                                "invoice \(id): receivable posted \(money(audit.posted)) ≠ total \(money(audit.total))")
                    )
                }
            }
            // A draft the billing run could not finalize is a failure to bill: listed until it is
            // finalized or deleted.
            for draft in try tx.failedDrafts() {
                findings.append(
                    .init(
                        check: "invoice_not_finalized",
                        detail:
                            "invoice \(draft.id) of \(draft.customer) is a draft that cannot be finalized\(draft.at.map { " at " + Instant.format($0) } ?? ""): \(draft.code): \(draft.message)"
                    ))
            }
            // Every grant: granted + reinstated = applied + expired + voided + remaining, never
            // negative; a promotional grant's liability is its remaining face value; a paid grant's
            // cost basis is recognized, broken, or still prepaid.
            // Read for all grants at once: their totals and the credit liability accounts.
            let liabilities = try tx.balances(below: "liabilities:credits")
            // The sums each grant row keeps (0009) equal its transactions' sums.
            let kept = Dictionary(
                uniqueKeysWithValues: try tx.grantStates(customer: nil, at: .max).map { ($0.grant.id, $0.totals) })
            for state in try tx.grantStates(customer: nil, at: .max, exact: true) {
                let grant = state.grant
                let id = grant.id
                let totals = state.totals
                let currency = grant.amount.currency
                if let row = kept[id], row != totals {
                    findings.append(
                        .init(
                            check: "grant_totals",
                            detail:
                                "grant \(id): the sums it keeps (granted \(row.granted), applied \(row.applied), reinstated \(row.reinstated), expired \(row.expired), voided \(row.voided)) ≠ its transactions' (\(totals.granted), \(totals.applied), \(totals.reinstated), \(totals.expired), \(totals.voided))"
                        ))
                }
                if totals.remaining < 0 {
                    findings.append(
                        .init(
                            check: "grant_balance",
                            detail: "grant \(id): remaining \(MoneyFormat.text(totals.remaining, currency)) is negative"
                        ))
                }
                if grant.category == .promotional {
                    let liability = -(liabilities[Account.credits(id).name]?[currency] ?? 0)
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
            for contract in try store.joining(tx, { try reconcile() })
            where contract.costDifference != 0 || contract.balanceDifference != 0 {
                findings.append(
                    .init(
                        check: "grant_cost",
                        detail:
                            "contract \(contract.grants.map(\.rawValue).joined(separator: ",")): "
                            + contract.differences.map { "\($0.0) \(MoneyFormat.text($0.1, contract.currency))" }
                            .joined(separator: ", ")
                    ))
            }
            let (numbers, next) = try tx.invoiceNumbers()
            if numbers != Array(1..<max(next, 1)) {
                findings.append(
                    .init(check: "invoice_numbers", detail: "invoice numbers are not gapless 1…\(next - 1)"))
            }
            return findings
        }
    }
}
