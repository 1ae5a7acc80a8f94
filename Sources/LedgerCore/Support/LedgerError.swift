/// The one error type of the ledger: a stable code (the spec's), a sentence naming the offending
/// value, and the parameter it concerns.
///
/// The CLI prints `error: <code>: <message>` and exits 65 for rejected requests, 74 for storage
/// failures and 75 when the file is busy; the library throws it as is.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidRequest = "invalid_request"
        case invalidCurrency = "invalid_currency"
        case invalidAmount = "invalid_amount"
        case invalidQuantity = "invalid_quantity"
        case invalidTiers = "invalid_tiers"
        case invalidMetadata = "invalid_metadata"
        case invalidTime = "invalid_time"
        /// Text that is not valid UTF-8 or holds a NUL character, which storage and C APIs would
        /// cut or alter.
        case invalidText = "invalid_text"
        /// A command line the parser cannot read: an unknown option, a missing value (exit 64).
        case invalidUsage = "invalid_usage"
        case amountOverflow = "amount_overflow"
        case currencyMismatch = "currency_mismatch"
        case resourceMissing = "resource_missing"
        case resourceExists = "resource_already_exists"
        case lookupKeyTaken = "lookup_key_taken"
        case priceInactive = "price_inactive"
        /// A price of an archived product cannot start a subscription or join one.
        case productInactive = "product_inactive"
        /// A customer with invoices, grants, subscriptions, invoice items or meter events cannot be
        /// deleted (SPEC §2.1).
        case customerInUse = "customer_in_use"
        case meterInactive = "meter_inactive"
        case identifierConflict = "identifier_conflict"
        case timestampOutOfWindow = "timestamp_outside_window"
        case eventAlreadyCancelled = "event_already_cancelled"
        case eventAlreadyInvoiced = "event_already_invoiced"
        case malformedLine = "malformed_line"
        case invalidTransition = "invalid_transition"
        case invoiceNotEditable = "invoice_not_editable"
        case subscriptionCanceled = "subscription_canceled"
        case grantAlreadyApplied = "grant_already_applied"
        case grantInactive = "grant_inactive"
        case grantsLimitReached = "grants_limit_reached"
        case inputMissing = "input_missing"
        case unbalancedEntry = "unbalanced_entry"
        case idempotencyKeyReused = "idempotency_key_reused"
        case schemaTooNew = "schema_too_new"
        case clockRegression = "clock_regression"
        case tooManyPeriods = "too_many_periods"
        case databaseMissing = "database_missing"
        case readOnly = "read_only"
        case storage = "storage_error"
        case busy = "busy"
    }

    /// What kind of failure: it decides the CLI's exit status.
    public enum Kind: Sendable {
        /// The request is invalid or against a rule (exit 65).
        case rejected
        /// The file is corrupt, unreadable, too new, or the disk is full (exit 74).
        case storage
        /// Another process holds the file longer than the busy timeout (exit 75).
        case busy
        /// An input file named by the caller does not exist or cannot be read (exit 66).
        case inputMissing
    }

    public var code: Code
    public var message: String
    public var param: String?

    public init(_ code: Code, _ message: String, param: String? = nil) {
        self.code = code
        self.message = message
        self.param = param
    }

    public var kind: Kind {
        switch code {
        case .storage, .schemaTooNew, .readOnly: return .storage
        case .busy: return .busy
        case .inputMissing, .databaseMissing: return .inputMissing
        default: return .rejected
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    // Constructors for the common cases, so messages stay uniform.

    public static func invalidRequest(_ message: String, param: String?) -> LedgerError {
        LedgerError(.invalidRequest, message, param: param)
    }

    public static func invalidCurrency(_ code: String) -> LedgerError {
        LedgerError(.invalidCurrency, "'\(code)' is not an ISO 4217 currency code", param: "currency")
    }

    public static func amountOverflow(_ what: String) -> LedgerError {
        LedgerError(.amountOverflow, "amount overflow: \(what)")
    }

    public static func currencyMismatch(_ a: Currency, _ b: Currency) -> LedgerError {
        LedgerError(.currencyMismatch, "currencies differ: \(a) and \(b)", param: "currency")
    }

    public static func missing(_ kind: String, _ id: String, param: String? = nil) -> LedgerError {
        LedgerError(.resourceMissing, "no such \(kind): '\(id)'", param: param)
    }
}
