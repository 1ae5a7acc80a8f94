import LedgerKit

/// A JSON value with ordered object keys, so output reads like Stripe's.
enum JSON {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
    static func optional(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }

    static func metadata(_ map: [String: String]) -> JSON {
        .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func list(_ items: [JSON]) -> JSON {
        .object([("object", .string("list")), ("data", .array(items)), ("has_more", .bool(false))])
    }

    /// Compact when `pretty` is false; two-space indented otherwise.
    func render(pretty: Bool = true, indent: Int = 0) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return JSON.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if !pretty { return "[" + items.map { $0.render(pretty: false) }.joined(separator: ",") + "]" }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = items.map { pad + $0.render(pretty: true, indent: indent + 1) }
            return "[\n" + body.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            if !pretty {
                return "{"
                    + fields.map { JSON.quote($0.0) + ":" + $0.1.render(pretty: false) }
                    .joined(separator: ",") + "}"
            }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = fields.map { pad + JSON.quote($0.0) + ": " + $0.1.render(pretty: true, indent: indent + 1) }
            return "{\n" + body.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Stripe-shaped JSON of the ledger's objects.
enum Shape {
    static func customer(_ c: Customer) -> JSON {
        .object([
            ("id", .string(c.id.rawValue)), ("object", .string("customer")),
            ("created", .int(c.created)), ("email", .optional(c.email)),
            ("metadata", .metadata(c.metadata)), ("name", .optional(c.name)),
        ])
    }

    static func product(_ p: Product) -> JSON {
        .object([
            ("id", .string(p.id.rawValue)), ("object", .string("product")),
            ("active", .bool(p.active)), ("created", .int(p.created)),
            ("description", .optional(p.description)), ("metadata", .metadata(p.metadata)),
            ("name", .string(p.name)),
        ])
    }

    /// An exact amount as Stripe shows it: the integer when whole, else null beside the decimal.
    static func integerOrNull(_ d: ExactDecimal?) -> JSON {
        guard let d, d.isInteger, let i = Int64(exactly: d.significand) else { return .null }
        return .int(i)
    }

    static func price(_ p: Price) -> JSON {
        var unitAmount: ExactDecimal?
        var transform: JSON = .null
        var tiers: JSON = .null
        var tiersMode: JSON = .null
        switch p.scheme {
        case .perUnit(let amount, let t):
            unitAmount = amount
            if let t {
                transform = .object([("divide_by", .int(t.divideBy)), ("round", .string(t.round.rawValue))])
            }
        case .tiered(let mode, let list):
            tiersMode = .string(mode.rawValue)
            tiers = .array(
                list.map { tier in
                    .object([
                        ("flat_amount", integerOrNull(tier.flatAmount)),
                        ("flat_amount_decimal", .optional(tier.flatAmount?.description)),
                        ("unit_amount", integerOrNull(tier.unitAmount)),
                        ("unit_amount_decimal", .optional(tier.unitAmount?.description)),
                        ("up_to", .optional(tier.upTo)),
                    ])
                })
        }
        var recurring: JSON = .null
        if let r = p.recurring {
            recurring = .object([
                ("interval", .string(r.interval.rawValue)), ("interval_count", .int(Int64(r.intervalCount))),
                ("meter", .optional(r.meter)), ("usage_type", .string(r.usageType.rawValue)),
            ])
        }
        return .object([
            ("id", .string(p.id.rawValue)), ("object", .string("price")),
            ("active", .bool(p.active)), ("billing_scheme", .string(p.scheme.billingScheme)),
            ("created", .int(p.created)), ("currency", .string(p.currency.code)),
            ("livemode", .bool(false)), ("lookup_key", .optional(p.lookupKey)),
            ("metadata", .metadata(p.metadata)), ("nickname", .optional(p.nickname)),
            ("product", .string(p.product.rawValue)), ("recurring", recurring),
            ("tiers", tiers), ("tiers_mode", tiersMode), ("transform_quantity", transform),
            ("type", .string(p.kind.rawValue)), ("unit_amount", integerOrNull(unitAmount)),
            ("unit_amount_decimal", .optional(unitAmount?.description)),
        ])
    }

    static func quote(_ price: Price, _ quantity: ExactDecimal, _ q: Pricing.Quote) -> JSON {
        .object([
            ("object", .string("price_quote")), ("price", .string(price.id.rawValue)),
            ("currency", .string(price.currency.code)),
            ("quantity_decimal", .string(quantity.description)),
            ("billed_quantity_decimal", .string(q.billedQuantity.description)),
            ("amount", .int(q.amount)), ("amount_decimal", .string(q.exactAmount.description)),
        ])
    }
}

extension Shape {
    static func meter(_ m: Meter) -> JSON {
        .object([
            ("id", .string(m.id.rawValue)), ("object", .string("billing.meter")),
            ("created", .int(m.created)),
            ("customer_mapping", .object([("event_payload_key", .string(m.customerKey)), ("type", .string("by_id"))])),
            ("default_aggregation", .object([("formula", .string(m.aggregation.rawValue))])),
            ("display_name", .string(m.displayName)), ("event_name", .string(m.eventName)),
            ("livemode", .bool(false)), ("metadata", .metadata(m.metadata)),
            ("status", .string(m.status.rawValue)),
            ("value_settings", .object([("event_payload_key", .string(m.valueKey))])),
        ])
    }

    static func event(_ e: MeterEvent, outcome: RecordOutcome? = nil) -> JSON {
        var fields: [(String, JSON)] = [
            ("object", .string("billing.meter_event")), ("created", .int(e.recordedAt)),
            ("event_name", .string(e.eventName)), ("identifier", .string(e.identifier)),
            ("livemode", .bool(false)),
            ("payload", .metadata(e.payload)),
            ("timestamp", .int(e.timestamp)), ("customer", .string(e.customer.rawValue)),
            ("meter", .string(e.meter.rawValue)), ("value", .string(e.value.description)),
            ("cancelled_at", .optional(e.cancelledAt)), ("late", .bool(e.late)),
        ]
        if let outcome { fields.append(("result", .string(outcome.rawValue))) }
        return .object(fields)
    }

    static func summary(_ s: EventSummary) -> JSON {
        .object([
            ("id", .string("mtrsum_\(s.meter.rawValue)_\(s.customer.rawValue)_\(s.start)")),
            ("object", .string("billing.meter_event_summary")),
            ("aggregated_value", .string(s.aggregatedValue.description)),
            ("end_time", .int(s.end)), ("livemode", .bool(false)), ("meter", .string(s.meter.rawValue)),
            ("customer", .string(s.customer.rawValue)), ("start_time", .int(s.start)),
        ])
    }
}

extension Shape {
    static func subscription(_ s: Subscription) -> JSON {
        .object([
            ("id", .string(s.id.rawValue)), ("object", .string("subscription")),
            ("billing_cycle_anchor", .int(s.billingCycleAnchor)),
            ("billing_mode", .object([("type", .string(s.billingMode.rawValue))])),
            ("cancel_at_period_end", .bool(s.cancelAtPeriodEnd)), ("canceled_at", .optional(s.canceledAt)),
            ("created", .int(s.created)), ("currency", .string(s.currency.code)),
            ("customer", .string(s.customer.rawValue)),
            ("current_period_end", .int(s.currentPeriodEnd)), ("current_period_start", .int(s.currentPeriodStart)),
            ("ended_at", .optional(s.endedAt)), ("finalization_grace_seconds", .int(s.graceSeconds)),
            (
                "items",
                .list(
                    s.items.map { item in
                        .object([
                            ("id", .string(item.id.rawValue)), ("object", .string("subscription_item")),
                            ("price", .string(item.price.rawValue)), ("quantity", .optional(item.quantity)),
                            ("subscription", .string(s.id.rawValue)),
                            ("current_period_start", .int(s.currentPeriodStart)),
                            ("current_period_end", .int(s.currentPeriodEnd)),
                        ])
                    })
            ),
            ("livemode", .bool(false)), ("metadata", .metadata(s.metadata)),
            ("plan_interval", .string(s.interval.rawValue)), ("plan_interval_count", .int(Int64(s.intervalCount))),
            ("start_date", .int(s.startDate)), ("status", .string(s.status.rawValue)),
        ])
    }

    static func invoiceLine(_ l: InvoiceLine, invoice: Invoice) -> JSON {
        .object([
            ("id", .string(l.id.rawValue)), ("object", .string("line_item")), ("amount", .int(l.amount)),
            ("currency", .string(l.currency.code)), ("description", .optional(l.description)),
            ("invoice", .string(invoice.id.rawValue)), ("invoice_item", .optional(l.invoiceItem?.rawValue)),
            ("livemode", .bool(false)),
            ("period", .object([("end", .int(l.periodEnd)), ("start", .int(l.periodStart))])),
            ("pretax_credit_amounts", .array(l.creditAmounts.map(credit))), ("price", .optional(l.price?.rawValue)),
            ("quantity", .optional(l.quantity.truncatedInt64)), ("quantity_decimal", .string(l.quantity.description)),
            ("subscription", .optional(invoice.subscription?.rawValue)),
            ("subscription_item", .optional(l.subscriptionItem?.rawValue)),
            ("type", .string(l.kind.rawValue)), ("meter", .optional(l.meter?.rawValue)),
        ])
    }

    static func invoice(_ i: Invoice) -> JSON {
        .object([
            ("id", .string(i.id.rawValue)), ("object", .string("invoice")),
            ("amount_due", .int(i.amountDue)), ("amount_paid", .int(i.amountPaid)),
            ("amount_remaining", .int(i.amountRemaining)), ("billing_reason", .string(i.billingReason.rawValue)),
            ("created", .int(i.created)), ("currency", .string(i.currency.code)),
            ("customer", .string(i.customer.rawValue)),
            ("description", .optional(i.description)), ("finalized_at", .optional(i.finalizedAt)),
            (
                "lines",
                .object([
                    ("object", .string("list")), ("data", .array(i.lines.map { invoiceLine($0, invoice: i) })),
                    ("has_more", .bool(false)),
                ])
            ),
            (
                "last_finalization_error",
                i.failure.map { f in
                    .object([
                        ("code", .string(f.code)), ("message", .string(f.message)),
                        ("type", .string("invalid_request_error")),
                    ])
                } ?? .null
            ),
            ("livemode", .bool(false)), ("metadata", .metadata(i.metadata)),
            (
                "next_finalization_attempt",
                i.status == .draft && i.failure?.failedAt == nil ? .optional(i.finalizesAt) : .null
            ),
            ("number", .optional(i.number)), ("paid_at", .optional(i.paidAt)),
            ("period_end", .int(i.periodEnd)), ("period_start", .int(i.periodStart)),
            ("status", .string(i.status.rawValue)),
            (
                "status_transitions",
                .object([
                    ("finalized_at", .optional(i.finalizedAt)),
                    ("marked_uncollectible_at", .optional(i.markedUncollectibleAt)),
                    ("paid_at", .optional(i.paidAt)), ("voided_at", .optional(i.voidedAt)),
                ])
            ),
            ("subscription", .optional(i.subscription?.rawValue)), ("subtotal", .int(i.subtotal)),
            ("total", .int(i.total)), ("total_pretax_credit_amounts", .array(i.creditAmounts.map(credit))),
            ("voided_at", .optional(i.voidedAt)),
        ])
    }

    static func credit(_ c: CreditAmount) -> JSON {
        .object([
            ("amount", .int(c.amount)), ("credit_balance_transaction", .optional(c.transaction)),
            ("credit_grant", .string(c.grant)), ("type", .string("credit_balance_transaction")),
        ])
    }

    static func monetary(_ m: Money) -> JSON {
        .object([
            ("monetary", .object([("currency", .string(m.currency.code)), ("value", .int(m.amountMinor))])),
            ("type", .string("monetary")),
        ])
    }

    static func grant(_ g: CreditGrant, totals: GrantTotals) -> JSON {
        let scope: JSON
        switch g.scope {
        case .metered: scope = .object([("price_type", .string("metered"))])
        case .prices(let prices):
            scope = .object([("prices", .array(prices.map { .object([("id", .string($0.rawValue))]) }))])
        }
        return .object([
            ("id", .string(g.id.rawValue)), ("object", .string("billing.credit_grant")),
            ("amount", monetary(g.amount)), ("applicability_config", .object([("scope", scope)])),
            ("category", .string(g.category.rawValue)), ("cost_basis", .optional(g.costBasis)),
            ("created", .int(g.created)), ("customer", .string(g.customer.rawValue)),
            ("effective_at", .int(g.effectiveAt)), ("expires_at", .optional(g.expiresAt)),
            ("funding_invoice", .optional(g.fundingInvoice?.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(g.metadata)), ("name", .optional(g.name)), ("priority", .int(Int64(g.priority))),
            ("voided_at", .optional(g.voidedAt)),
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

    static func invoiceItem(_ ii: InvoiceItem) -> JSON {
        .object([
            ("id", .string(ii.id.rawValue)), ("object", .string("invoiceitem")), ("amount", .int(ii.amount)),
            ("currency", .string(ii.currency.code)), ("customer", .string(ii.customer.rawValue)),
            ("date", .int(ii.created)), ("description", .optional(ii.description)),
            ("invoice", .optional(ii.invoice?.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(ii.metadata)),
            ("quantity", .optional(ii.quantity.truncatedInt64)), ("quantity_decimal", .string(ii.quantity.description)),
            ("subscription", .optional(ii.subscription?.rawValue)),
            ("unit_amount_decimal", .optional(ii.unitAmount?.description)),
        ])
    }
}
