/// What `ledger export KIND` writes: one file per kind of object, a documented column set each
/// (README, "Exports"), IDs that join across the files.
public enum ExportKind: String, CaseIterable, Sendable {
    case journal, invoices
    case invoiceLines = "invoice-lines"
    case invoiceItems = "invoice-items"
    case creditGrants = "credit-grants"
    case creditTransactions = "credit-transactions"
    case events, customers, subscriptions
}

/// One column of an export: its header name, and whether its cells are numbers (amounts in
/// minor units, decimals, counts) rather than text. A number cell is never neutralized as a
/// formula, so a negative amount stays a number in a spreadsheet.
public struct ExportColumn: Hashable, Sendable {
    public let name: String
    public let numeric: Bool
}

extension Ledger {
    /// The columns of `kind`, in order.
    public static func exportColumns(_ kind: ExportKind) -> [ExportColumn] { ExportSpec.of(kind).map(\.column) }

    /// Calls `row` with each row of `kind` (the cells of `exportColumns(kind)`, as text), all of
    /// them read from one read transaction (one consistent snapshot while writers go on) through a
    /// storage cursor, so memory stays bounded however many rows there are.
    ///
    /// Each kind filters `[from, to)` on its own instant: journal `posted_at`, credit transactions
    /// `effective_at`, events `timestamp`, invoices and their lines the invoice's `created`, every
    /// other kind `created`. `customer` keeps one customer's rows (the journal has no customer:
    /// `invalid_request`).
    public func export(
        _ kind: ExportKind, from: Int64? = nil, to: Int64? = nil, customer: Customer.ID? = nil,
        _ row: ([String]) throws -> Void
    ) throws {
        if kind == .journal, customer != nil {
            throw LedgerError.invalidRequest(
                "export journal has no customer filter: a journal entry's postings name accounts, not one customer",
                param: "customer")
        }
        let specs = ExportSpec.of(kind)
        let range = ExportRange(from: from ?? .min, to: to ?? .max, customer: customer?.rawValue)
        try store.read { tx in
            let each: (StoredRow) throws -> Void = { stored in try row(specs.map { try $0.value(stored) }) }
            switch kind {
            case .journal: try tx.forEachPosting(range, each)
            case .invoices: try tx.forEachInvoice(range, each)
            case .invoiceLines: try tx.forEachInvoiceLine(range, each)
            case .invoiceItems: try tx.forEachInvoiceItem(range, each)
            case .creditGrants: try tx.forEachGrant(range, each)
            case .creditTransactions: try tx.forEachCreditTransaction(range, each)
            case .events: try tx.forEachEventWithBilling(range, each)
            case .customers: try tx.forEachCustomer(range, each)
            case .subscriptions: try tx.forEachSubscription(range, each)
            }
        }
    }
}

/// A column and how its cell is made from a stored row.
struct ExportSpec {
    let column: ExportColumn
    let value: (StoredRow) throws -> String

    static func text(_ name: String, _ field: String) -> [ExportSpec] {
        [ExportSpec(column: .init(name: name, numeric: false)) { $0.text(field) ?? "" }]
    }

    static func int(_ name: String, _ field: String) -> [ExportSpec] {
        [ExportSpec(column: .init(name: name, numeric: true)) { $0.int(field).map(String.init) ?? "" }]
    }

    /// A decimal kept as stored text (quantities, unit amounts).
    static func number(_ name: String, _ field: String) -> [ExportSpec] {
        [ExportSpec(column: .init(name: name, numeric: true)) { $0.text(field) ?? "" }]
    }

    /// ISO 8601 UTC; empty when not set.
    static func time(_ name: String, _ field: String) -> [ExportSpec] {
        [ExportSpec(column: .init(name: name, numeric: false)) { $0.int(field).map(Instant.format) ?? "" }]
    }

    static func bool(_ name: String, _ field: String) -> [ExportSpec] {
        [ExportSpec(column: .init(name: name, numeric: false)) { ($0.int(field) ?? 0) != 0 ? "true" : "false" }]
    }

    /// `NAME_minor` (integer minor units) and `NAME_decimal` (major units, exact, the row's
    /// `currency` exponent); both empty when not set. `sign` -1 negates a debit.
    static func money(_ name: String, _ field: String, sign: @escaping (StoredRow) -> Int64 = { _ in 1 })
        -> [ExportSpec]
    {
        [
            ExportSpec(column: .init(name: name + "_minor", numeric: true)) { row in
                row.int(field).map { String($0 * sign(row)) } ?? ""
            },
            ExportSpec(column: .init(name: name + "_decimal", numeric: true)) { row in
                guard let amount = row.int(field) else { return "" }
                let currency = try stored(try? Currency(code: row.text("currency") ?? ""), "currency")
                return MoneyFormat.decimal(amount * sign(row), currency)
            },
        ]
    }

    static func of(_ kind: ExportKind) -> [ExportSpec] {
        switch kind {
        case .journal:
            [
                text("entry_id", "entryId"), time("posted_at", "postedAt"), text("description", "description"),
                text("source_type", "sourceType"), text("source_id", "sourceId"), int("position", "position"),
                text("account", "account"), text("currency", "currency"), money("amount", "amountMinor"),
            ].flatMap { $0 }
        case .invoices:
            [
                text("invoice_id", "id"), text("number", "number"), text("customer_id", "customerId"),
                text("subscription_id", "subscriptionId"), text("status", "status"),
                text("billing_reason", "billingReason"), text("currency", "currency"),
                time("period_start", "periodStart"), time("period_end", "periodEnd"),
                money("subtotal", "subtotal"), money("credit", "creditMinor"), money("total", "total"),
                money("amount_due", "amountDue"), money("amount_paid", "amountPaid"),
                money("amount_remaining", "amountRemaining"), time("created", "created"),
                time("finalized_at", "finalizedAt"), time("paid_at", "paidAt"), time("voided_at", "voidedAt"),
                time("marked_uncollectible_at", "markedUncollectibleAt"), text("description", "description"),
                text("metadata", "metadata"),
            ].flatMap { $0 }
        case .invoiceLines:
            [
                text("line_id", "id"), text("invoice_id", "invoiceId"), text("invoice_number", "number"),
                text("invoice_status", "invoiceStatus"), text("customer_id", "customerId"),
                int("position", "position"), text("type", "type"), text("price_id", "priceId"),
                text("subscription_item_id", "subscriptionItemId"), text("invoice_item_id", "invoiceItemId"),
                text("meter_id", "meterId"), text("description", "description"),
                time("period_start", "periodStart"), time("period_end", "periodEnd"),
                number("quantity_decimal", "quantityDecimal"), text("currency", "currency"),
                money("amount", "amount"), money("credit", "creditMinor"), text("credits", "credits"),
            ].flatMap { $0 }
        case .invoiceItems:
            [
                text("item_id", "id"), text("customer_id", "customerId"), text("subscription_id", "subscriptionId"),
                text("invoice_id", "invoiceId"), text("currency", "currency"), money("amount", "amount"),
                number("unit_amount_decimal", "unitAmountDecimal"), number("quantity_decimal", "quantityDecimal"),
                text("description", "description"), time("created", "created"), text("metadata", "metadata"),
            ].flatMap { $0 }
        case .creditGrants:
            [
                text("grant_id", "id"), text("customer_id", "customerId"), text("name", "name"),
                text("category", "category"), text("currency", "currency"), money("amount", "amount"),
                money("cost_basis", "costBasis"), int("priority", "priority"), text("scope", "scopeType"),
                text("scope_prices", "prices"), time("effective_at", "effectiveAt"),
                time("expires_at", "expiresAt"), time("voided_at", "voidedAt"),
                time("expiry_booked_at", "expiryBookedAt"), text("funding_invoice_id", "fundingInvoiceId"),
                time("created", "created"), text("metadata", "metadata"),
            ].flatMap { $0 }
        case .creditTransactions:
            [
                text("transaction_id", "id"), text("grant_id", "grantId"), text("customer_id", "customerId"),
                text("type", "type"), text("kind", "kind"), text("currency", "currency"),
                money("amount", "amount"),
                money("signed_amount", "amount", sign: { $0.text("type") == "debit" ? -1 : 1 }),
                time("effective_at", "effectiveAt"), text("invoice_id", "invoiceId"),
                text("invoice_line_id", "invoiceLineId"), time("created", "created"),
            ].flatMap { $0 }
        case .events:
            [
                text("identifier", "identifier"), text("event_name", "eventName"), text("meter_id", "meterId"),
                text("customer_id", "customerId"), time("timestamp", "timestamp"),
                [
                    ExportSpec(column: .init(name: "value_decimal", numeric: true)) { row in
                        let significand = try stored(row.int("valueSignificand"), "event value")
                        let scale = try stored(row.int("valueScale"), "event value")
                        return ExactDecimal(significand: Int128(significand), scale: Int(scale)).description
                    }
                ], time("recorded_at", "recordedAt"), time("cancelled_at", "cancelledAt"),
                [
                    ExportSpec(column: .init(name: "cancelled", numeric: false)) {
                        $0.int("cancelledAt") == nil ? "false" : "true"
                    }
                ], bool("late", "late"), text("invoice_line_id", "lineIds"), text("invoice_id", "invoiceIds"),
                text("dimensions", "dimensions"),
            ].flatMap { $0 }
        case .customers:
            [
                text("customer_id", "id"), text("name", "name"), text("email", "email"), time("created", "created"),
                text("metadata", "metadata"),
            ].flatMap { $0 }
        case .subscriptions:
            [
                text("subscription_id", "id"), text("customer_id", "customerId"), text("status", "status"),
                text("billing_mode", "billingMode"), text("currency", "currency"), text("interval", "interval"),
                int("interval_count", "intervalCount"), text("items", "items"),
                time("start_date", "startDate"), time("billing_cycle_anchor", "billingCycleAnchor"),
                time("current_period_start", "currentPeriodStart"),
                time("current_period_end", "currentPeriodEnd"), int("grace_seconds", "graceSeconds"),
                bool("cancel_at_period_end", "cancelAtPeriodEnd"), time("canceled_at", "canceledAt"),
                time("ended_at", "endedAt"), time("created", "created"), text("metadata", "metadata"),
            ].flatMap { $0 }
        }
    }
}
