import LedgerKit

extension Shape {
    /// `reconcile`: one object per prepaid contract with its differences, the unbilled late usage,
    /// and `ok` when every contract balances.
    static func reconciliation(_ rows: [ContractReconciliation], late: [LateUsage]) -> JSON {
        .object([
            ("object", .string("reconciliation")),
            (
                "contracts",
                .array(
                    rows.map { r in
                        .object([
                            ("customer", .string(r.customer.rawValue)),
                            ("funding_invoice", .optional(r.fundingInvoice?.rawValue)),
                            ("credit_grants", .array(r.grants.map { .string($0.rawValue) })),
                            ("currency", .string(r.currency.code)),
                            ("committed", .int(r.committed)), ("invoiced", .int(r.invoiced)),
                            ("paid", .int(r.paid)),
                            ("granted", .int(r.granted)), ("applied", .int(r.applied)),
                            ("reinstated", .int(r.reinstated)),
                            ("expired", .int(r.expired)), ("voided", .int(r.voided)),
                            ("remaining", .int(r.remaining)),
                            ("recognized_revenue_at_cost", .int(r.recognized)),
                            ("breakage_at_cost", .int(r.breakage)),
                            ("prepayment_left", .int(r.prepaymentLeft)),
                            ("differences", .object(r.differences.map { ($0.0, .int($0.1)) })),
                            ("balanced", .bool(r.balanced)),
                        ])
                    })
            ),
            (
                "unbilled_late_usage",
                .array(
                    late.map { l in
                        .object([
                            ("customer", .string(l.customer.rawValue)), ("meter", .string(l.meter.rawValue)),
                            ("events", .int(l.events)), ("value", .string(l.value.description)),
                        ])
                    })
            ),
            ("ok", .bool(rows.allSatisfy(\.balanced))),
        ])
    }

    /// `verify`: `ok` and each finding's check and detail.
    static func verification(_ findings: [VerifyFinding]) -> JSON {
        .object([
            ("object", .string("verification")), ("ok", .bool(findings.isEmpty)),
            (
                "findings",
                .array(findings.map { .object([("check", .string($0.check)), ("detail", .string($0.detail))]) })
            ),
        ])
    }
}
