/// What `ledger export KIND` writes: one file per kind of object, a documented column set each
/// (README, "Exports"), IDs that join across the files.
public enum ExportKind: String, CaseIterable, Sendable {
    case journal, invoices
    case invoiceLines = "invoice-lines"
    case invoiceItems = "invoice-items"
    case creditGrants = "credit-grants"
    case creditTransactions = "credit-transactions"
    case events, customers, subscriptions, meters, products, prices

    /// The kinds whose rows belong to no one customer (`--customer` is refused).
    public var hasCustomer: Bool { ![.journal, .meters, .products, .prices].contains(self) }
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
    /// other kind `created`. `customer` keeps one customer's rows (the journal and the catalog
    /// kinds have no customer: `invalid_request`).
    public func export(
        _ kind: ExportKind, from: Int64? = nil, to: Int64? = nil, customer: Customer.ID? = nil,
        _ row: ([String]) throws -> Void
    ) throws {
        if !kind.hasCustomer, customer != nil {
            throw LedgerError.invalidRequest(
                kind == .journal
                    ? "export journal has no customer filter: a journal entry's postings name accounts, not one customer"
                    : "export \(kind.rawValue) has no customer filter: the catalog is shared by every customer",
                param: "customer")
        }
        let specs = ExportSpec.of(kind)
        let range = ExportRange(from: from ?? .min, to: to ?? .max, customer: customer?.rawValue)
        // The events statement gives one row per event and billing line (an event of a customer
        // with two subscriptions on its meter is billed by two lines), adjacent per event: they
        // are folded into one row per event, the line and invoice IDs joined by `;`.
        let event = StoredField("seq")
        let fields = specs.flatMap(\.fields) + (kind == .events ? [event] : [])
        let lineage = kind == .events ? specs.indices.filter { ExportSpec.lineage.contains(specs[$0].column.name) } : []
        try store.read { tx in
            var bound = false
            var held: (event: Int64, cells: [String])?
            try tx.forEachExportRow(kind, range) { record in
                if !bound {
                    try record.bind(fields)
                    bound = true
                }
                let cells = try specs.map { try $0.value(record) }
                guard kind == .events else { return try row(cells) }
                let seq = try stored(record.int(event), "meter event")
                if let previous = held {
                    guard previous.event != seq else {
                        held = (seq, previous.cells)
                        for column in lineage where !cells[column].isEmpty {
                            held?.cells[column] += previous.cells[column].isEmpty ? cells[column] : ";" + cells[column]
                        }
                        return
                    }
                    try row(previous.cells)
                }
                held = (seq, cells)
            }
            if let held { try row(held.cells) }
        }
    }

    /// The SQLite statement `export` runs for `kind`, with its four parameters: from, to, the
    /// customer ID (or NULL) and whether there is no customer filter. Public so that anyone can
    /// rerun it with `sqlite3` beside an export (the benchmark does).
    public static func exportStatement(_ kind: ExportKind) -> String { StorageTransaction.exportStatement(kind) }
}

/// A column, the stored fields it reads, and how its cell is made from them.
struct ExportSpec {
    let column: ExportColumn
    let fields: [StoredField]
    let value: (StoredRow) throws -> String

    /// The events columns that name what billed the event, joined by `;` across billing lines.
    static let lineage: Set<String> = ["invoice_line_id", "invoice_id"]

    static func text(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [ExportSpec(column: .init(name: name, numeric: false), fields: [field]) { $0.text(field) ?? "" }]
    }

    static func int(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [
            ExportSpec(column: .init(name: name, numeric: true), fields: [field]) {
                $0.int(field).map(String.init) ?? ""
            }
        ]
    }

    /// A decimal kept as stored text (quantities, unit amounts).
    static func number(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [ExportSpec(column: .init(name: name, numeric: true), fields: [field]) { $0.text(field) ?? "" }]
    }

    /// ISO 8601 UTC; empty when not set.
    static func time(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [
            ExportSpec(column: .init(name: name, numeric: false), fields: [field]) {
                $0.int(field).map(Instant.format) ?? ""
            }
        ]
    }

    static func bool(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [
            ExportSpec(column: .init(name: name, numeric: false), fields: [field]) {
                ($0.int(field) ?? 0) != 0 ? "true" : "false"
            }
        ]
    }

    /// `NAME_minor` (integer minor units) and `NAME_decimal` (major units, exact, the row's
    /// `currency` exponent); both empty when not set. A `negatedWhen` row (`type` equal to the
    /// given value) is negated: a debit.
    static func money(_ name: String, _ field: String, negatedWhen: (field: String, value: String)? = nil)
        -> [ExportSpec]
    {
        let amount = StoredField(field)
        let currency = StoredField("currency")
        let sign = negatedWhen.map { (StoredField($0.field), $0.value) }
        let fields = [amount, currency] + (sign.map { [$0.0] } ?? [])
        let signed = { (row: StoredRow) -> Int64? in
            guard let value = row.int(amount) else { return nil }
            guard let (field, negative) = sign, row.text(field) == negative else { return value }
            return -value
        }
        return [
            ExportSpec(column: .init(name: name + "_minor", numeric: true), fields: fields) { row in
                signed(row).map { String($0) } ?? ""
            },
            ExportSpec(column: .init(name: name + "_decimal", numeric: true), fields: fields) { row in
                guard let value = signed(row) else { return "" }
                return MoneyFormat.decimal(value, try stored(try? Currency(code: row.text(currency) ?? ""), "currency"))
            },
        ]
    }

    /// An event's value, stored as significand and scale, as exact decimal text.
    static func eventValue(_ name: String) -> [ExportSpec] {
        let significand = StoredField("valueSignificand")
        let scale = StoredField("valueScale")
        return [
            ExportSpec(column: .init(name: name, numeric: true), fields: [significand, scale]) { row in
                let significand = try stored(row.int(significand), "event value")
                let scale = try stored(row.int(scale), "event value")
                return scale == 0
                    ? String(significand)
                    : ExactDecimal(significand: Int128(significand), scale: Int(scale)).description
            }
        ]
    }

    /// `true` when the field is set (an event's `cancelledAt`).
    static func isSet(_ name: String, _ field: String) -> [ExportSpec] {
        let field = StoredField(field)
        return [
            ExportSpec(column: .init(name: name, numeric: false), fields: [field]) {
                $0.int(field) == nil ? "false" : "true"
            }
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
                time("created", "created"), text("metadata", "metadata"), text("allowance_id", "allowanceId"),
                text("covers_subscription_id", "coversSubscriptionId"), time("covers_after", "coversAfter"),
                time("covers_through", "coversThrough"), text("rolled_over_from", "rolledOverFrom"),
            ].flatMap { $0 }
        case .creditTransactions:
            [
                text("transaction_id", "id"), text("grant_id", "grantId"), text("customer_id", "customerId"),
                text("type", "type"), text("kind", "kind"), text("currency", "currency"),
                money("amount", "amount"),
                money("signed_amount", "amount", negatedWhen: ("type", "debit")),
                time("effective_at", "effectiveAt"), text("invoice_id", "invoiceId"),
                text("invoice_line_id", "invoiceLineId"), time("created", "created"),
            ].flatMap { $0 }
        case .events:
            [
                text("identifier", "identifier"), text("event_name", "eventName"), text("meter_id", "meterId"),
                text("customer_id", "customerId"), time("timestamp", "timestamp"), eventValue("value_decimal"),
                time("recorded_at", "recordedAt"), time("cancelled_at", "cancelledAt"),
                isSet("cancelled", "cancelledAt"), bool("late", "late"), text("invoice_line_id", "lineId"),
                text("invoice_id", "invoiceId"),
                text("dimensions", "dimensions"),
            ].flatMap { $0 }
        case .meters:
            [
                text("meter_id", "id"), text("display_name", "displayName"), text("event_name", "eventName"),
                text("aggregation", "aggregation"), text("customer_key", "customerKey"),
                text("value_key", "valueKey"), text("status", "status"), time("created", "created"),
                text("metadata", "metadata"),
            ].flatMap { $0 }
        case .products:
            [
                text("product_id", "id"), text("name", "name"), text("description", "description"),
                bool("active", "active"), time("created", "created"), text("metadata", "metadata"),
            ].flatMap { $0 }
        case .prices:
            [
                text("price_id", "id"), text("product_id", "productId"), text("currency", "currency"),
                bool("active", "active"), text("type", "type"), text("lookup_key", "lookupKey"),
                text("nickname", "nickname"), text("interval", "recurringInterval"),
                int("interval_count", "recurringIntervalCount"), text("usage_type", "usageType"),
                text("meter_id", "meterId"), text("billing_scheme", "billingScheme"),
                number("unit_amount_decimal", "unitAmountDecimal"), int("transform_divide_by", "transformDivideBy"),
                text("transform_round", "transformRound"), text("tiers_mode", "tiersMode"), text("tiers", "tiers"),
                time("created", "created"), text("metadata", "metadata"),
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
