import ArgumentParser
import LedgerKit

/// A value of a closed set, as typed on the command line: `--interval month`, `--round up`.
///
/// `--help` lists the set from `Value`'s cases (`(values: day, week, month, year)`) and shell
/// completion offers them, yet parsing never fails. ArgumentParser would refuse a value outside
/// the set itself, as bad usage (exit 64, `Error: The value 'x' is invalid …`); the ledger has
/// always refused it as a request (`error: invalid_request: interval 'fortnight' must be one of:
/// day, week, month, year`, exit 65, or the JSON error with `--json`), at the point of the command
/// where it judges that flag, and scripts rely on that. So the text is kept as typed and
/// `value(param:)` judges it where the command did.
struct Choice<Value: RawRepresentable & CaseIterable & Sendable>: ExpressibleByArgument, Sendable
where Value.RawValue == String {
    /// What was typed, or the default's raw value.
    let text: String

    init(argument: String) { text = argument }

    /// A default: `@Option var billingMode = Choice(Subscription.BillingMode.flexible)`.
    init(_ value: Value) { text = value.rawValue }

    static var allValueStrings: [String] { Value.allCases.map(\.rawValue) }

    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    var defaultValueDescription: String { text }

    /// The value typed.
    /// - Throws: `invalid_request` naming `param` and every value of the set, for text outside it.
    func value(param: String) throws -> Value {
        let options = Value.allCases.map(\.rawValue).joined(separator: ", ")
        return try value(or: LedgerError.invalidRequest("\(param) '\(text)' must be one of: \(options)", param: param))
    }

    /// The value typed.
    /// - Throws: `refusal`, for text outside the set (for flags whose refusal has its own words).
    func value(or refusal: @autoclosure () -> LedgerError) throws -> Value {
        guard let value = Value(rawValue: text) else { throw refusal() }
        return value
    }
}

/// An object a `create` command makes: how `--help` names it and its generated IDs.
protocol CreatedObject {
    /// The object as `--help` names it: "customer", "item".
    static var noun: String { get }
    /// What a generated ID starts with, before `_`: `cus` for `cus_…` (the core's own prefix).
    static var idPrefix: String { get }
}

extension Customer: CreatedObject { static var noun: String { "customer" } }
extension Product: CreatedObject { static var noun: String { "product" } }
extension Price: CreatedObject { static var noun: String { "price" } }
extension Meter: CreatedObject { static var noun: String { "meter" } }
extension Subscription: CreatedObject { static var noun: String { "subscription" } }
extension InvoiceItem: CreatedObject { static var noun: String { "item" } }
extension Invoice: CreatedObject { static var noun: String { "invoice" } }
extension CreditGrant: CreatedObject { static var noun: String { "grant" } }
extension Alert: CreatedObject { static var noun: String { "alert" } }
extension Allowance: CreatedObject { static var noun: String { "allowance" } }
extension TopUpRule: CreatedObject { static var noun: String { "rule" } }

/// `--collection-method` and `--days-until-due`: Stripe's `collection_method` and `days_until_due`.
struct CollectionOptions: ParsableArguments {
    @Option(help: "How invoices ask to be paid; send_invoice needs --days-until-due.")
    var collectionMethod = Choice(Collection.Method.chargeAutomatically)

    @Option(
        parsing: .unconditional, help: "Days from an invoice's creation until it is due (send_invoice only; 0 to 3650)."
    )
    var daysUntilDue: Int64?

    /// - Throws: `invalid_request` (`collection_method` outside the set; `days_until_due` as
    ///   `Collection` refuses it).
    func value() throws -> Collection {
        try Collection(method: try collectionMethod.value(param: "collection_method"), daysUntilDue: daysUntilDue)
    }
}

/// `--id` and `--metadata`, which every `create` takes (SPEC appendix).
struct CreateOptions<Object: CreatedObject>: ParsableArguments {
    @Option(help: "Your own ID for the \(Object.noun) (default: \(Object.idPrefix)_ and random characters).")
    var id: String?

    @Option(help: "A key=value pair to store on the \(Object.noun) (repeatable).")
    var metadata: [String] = []

    /// `--id` as the object's typed ID.
    var typedID: Identifier<Object>? { id.map { Identifier($0) } }

    /// The `--metadata` pairs as a map.
    /// - Throws: `invalid_metadata` for an item without `=`, a repeated key, or a map over the limits.
    func parsedMetadata() throws -> [String: String] { try KeyValues.metadata(metadata) }
}

/// Parsing of repeatable `key=value` flags.
enum KeyValues {
    /// - Throws: `invalid_metadata` for an item without `=` or a repeated key.
    static func metadata(_ items: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "=") else {
                throw LedgerError(.invalidMetadata, "metadata '\(item)' must be key=value", param: "metadata")
            }
            let key = String(item[..<eq])
            if result[key] != nil {
                throw LedgerError(.invalidMetadata, "metadata key '\(key)' is given twice", param: "metadata")
            }
            result[key] = String(item[item.index(after: eq)...])
        }
        try Metadata.validate(result)
        return result
    }
}
