import LedgerKit

extension Shape {
    static func grant(_ g: CreditGrant, totals: GrantTotals) -> JSON {
        return .object([
            ("id", .string(g.id.rawValue)), ("object", .string("billing.credit_grant")),
            ("amount", monetary(g.amount)), ("applicability_config", applicability(g.scope)),
            ("category", .string(g.category.rawValue)), ("cost_basis", .optional(g.costBasis)),
            ("created", .int(g.created)), ("customer", .string(g.customer.rawValue)),
            ("effective_at", .int(g.effectiveAt)), ("expires_at", .optional(g.expiresAt)),
            ("funding_invoice", .optional(g.fundingInvoice?.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(g.metadata)), ("name", .optional(g.name)), ("priority", .int(Int64(g.priority))),
            ("voided_at", .optional(g.voidedAt)), ("allowance", allowanceOrigin(g)),
            (
                "balance",
                .object([
                    ("granted", .int(totals.granted)), ("applied", .int(totals.applied)),
                    ("reinstated", .int(totals.reinstated)), ("expired", .int(totals.expired)),
                    ("voided", .int(totals.voided)), ("remaining", .int(totals.remaining)),
                ])
            ),
        ])
    }

    /// A grant's `allowance`: null for a grant created directly; for one an allowance issued,
    /// the allowance, its subscription, the service periods it pays (those ending after `start`
    /// through `end`) and the grant whose unused credit it carries over.
    static func allowanceOrigin(_ g: CreditGrant) -> JSON {
        guard let allowance = g.allowance, let coverage = g.coverage else { return .null }
        return .object([
            ("id", .string(allowance.rawValue)), ("subscription", .string(coverage.subscription.rawValue)),
            ("service_period", .object([("start", .int(coverage.after)), ("end", .int(coverage.through))])),
            ("rolled_over_from", .optional(g.rolledOverFrom?.rawValue)),
        ])
    }

    /// `applicability_config`: `{"scope": {"price_type": "metered"}}` or the listed prices.
    static func applicability(_ scope: CreditGrant.Scope) -> JSON {
        switch scope {
        case .metered: .object([("scope", .object([("price_type", .string("metered"))]))])
        case .prices(let prices):
            .object([("scope", .object([("prices", .array(prices.map { .object([("id", .string($0.rawValue))]) }))]))])
        }
    }

    static func allowance(_ a: Allowance) -> JSON {
        return .object([
            ("id", .string(a.id.rawValue)), ("object", .string("billing.credit_allowance")),
            ("amount", monetary(a.amount)), ("applicability_config", applicability(a.scope)),
            ("canceled_at", .optional(a.canceledAt)), ("category", .string(a.category.rawValue)),
            ("created", .int(a.created)), ("customer", .string(a.customer.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(a.metadata)), ("name", .optional(a.name)), ("priority", .int(Int64(a.priority))),
            (
                "rollover",
                a.rolloverMax.map {
                    .object([("max", .int($0)), ("periods", .int(Int64(a.rolloverPeriods)))])
                } ?? .null
            ),
            ("status", .string(a.status.rawValue)), ("subscription", .string(a.subscription.rawValue)),
        ])
    }

    static func topUpRule(_ r: TopUpRule, topUps: [TopUp]) -> JSON {
        let money = { (amount: Int64) in monetary(Money(amountMinor: amount, currency: r.currency)) }
        var size: [(String, JSON)] = []
        switch r.size {
        case .amount(let amount): size = [("amount", money(amount)), ("cost_basis", .int(r.cost(of: amount)))]
        case .target(let target): size = [("target", money(target))]
        }
        return .object(
            [
                ("id", .string(r.id.rawValue)), ("object", .string("billing.credit_top_up_rule")),
                ("applicability_config", applicability(r.scope)), ("created", .int(r.created)),
                ("customer", .string(r.customer.rawValue)), ("disabled_at", .optional(r.disabledAt)),
                ("disabled_reason", .optional(r.disabledReason)),
                ("expires_after_days", .optional(r.expiresAfterDays.map(Int64.init))),
                ("grant_on", .string(r.grantOn.rawValue)), ("livemode", .bool(false)),
                ("max_per_month", .optional(r.maxPerMonth.map(Int64.init))), ("metadata", .metadata(r.metadata)),
                ("status", .string(r.status.rawValue)), ("threshold", money(r.threshold)),
            ] + size + [
                (
                    "top_ups",
                    .array(
                        topUps.map { t in
                            .object([
                                ("id", .string(t.id.rawValue)), ("crossed_at", .int(t.crossedAt)),
                                ("balance", .int(t.balance)), ("amount", .int(t.amount)),
                                ("cost_basis", .int(t.costBasis)), ("invoice", .string(t.invoice.rawValue)),
                                ("credit_grant", .optional(t.grant?.rawValue)), ("status", .string(t.status.rawValue)),
                            ])
                        })
                )
            ])
    }

    static func creditTransaction(_ t: CreditBalanceTransaction) -> JSON {
        var detail: [(String, JSON)] = [("amount", monetary(t.amount)), ("type", .string(t.kind.rawValue))]
        if t.kind == .creditsApplied || t.kind == .creditsApplicationInvoiceVoided {
            detail.append(
                (
                    t.kind.rawValue,
                    .object([
                        ("invoice", .optional(t.invoice?.rawValue)),
                        ("invoice_line_item", .optional(t.invoiceLine?.rawValue)),
                    ])
                ))
        }
        let isCredit = t.kind.type == "credit"
        return .object([
            ("id", .string(t.id.rawValue)), ("object", .string("billing.credit_balance_transaction")),
            ("created", .int(t.created)), ("credit", isCredit ? .object(detail) : .null),
            ("credit_grant", .string(t.grant.rawValue)), ("debit", isCredit ? .null : .object(detail)),
            ("effective_at", .int(t.effectiveAt)), ("livemode", .bool(false)), ("type", .string(t.kind.type)),
        ])
    }

    /// One journal account's balance in one currency (`balance --accounts`).
    static func accountBalance(_ b: BalanceTree.Balance) -> JSON {
        .object([
            ("account", .string(b.account.name)), ("currency", .string(b.currency.code)),
            ("amount", .int(b.amountMinor)),
        ])
    }

    /// Stripe's credit balance summary of a customer as of an instant.
    /// `receivable` (an addition to Stripe's shape): the customer's `assets:receivable:<customer>`
    /// balance per currency, as `monetary` amounts in code order, `[]` when nothing is owed.
    /// With `live` (`balance --live`), each balance adds `unbilled_usage`, `pending_credit` and
    /// `available_after_usage`, and the summary `latest_meter_event`.
    static func creditBalanceSummary(
        customer: String, _ balances: [CreditBalance], receivable: [Currency: Int64], asOf: Int64,
        live: LiveBalances? = nil
    ) -> JSON {
        let usage = Dictionary(uniqueKeysWithValues: (live?.balances ?? []).map { ($0.balance.currency, $0) })
        var fields: [(String, JSON)] = [
            ("object", .string("billing.credit_balance_summary")),
            (
                "balances",
                .array(
                    balances.map { b in
                        let money = { (amount: Int64) in monetary(Money(amountMinor: amount, currency: b.currency)) }
                        var balance: [(String, JSON)] = [
                            ("available_balance", money(b.availableBalance)),
                            ("ledger_balance", money(b.ledgerBalance)),
                        ]
                        if let u = usage[b.currency] {
                            balance += [
                                ("unbilled_usage", money(u.unbilledUsage)), ("pending_credit", money(u.pendingCredit)),
                                ("available_after_usage", money(u.availableAfterUsage)),
                            ]
                        }
                        return .object(balance)
                    })
            ),
            ("customer", .string(customer)), ("livemode", .bool(false)),
            (
                "receivable",
                .array(
                    receivable.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map {
                        monetary(Money(amountMinor: $0.value, currency: $0.key))
                    })
            ),
            ("as_of", .int(asOf)),
        ]
        if let live { fields.append(("latest_meter_event", .optional(live.latestMeterEvent))) }
        return .object(fields)
    }
}
