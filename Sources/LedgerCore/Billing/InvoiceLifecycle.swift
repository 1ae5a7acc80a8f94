/// The lifecycle of SPEC §2.5 as a pure rule: which operation may move which status.
public enum InvoiceLifecycle {
    public enum Operation: String, Sendable {
        case finalize, pay, void, markUncollectible = "mark_uncollectible", delete
    }

    /// Statuses an operation starts from.
    public static func allowed(_ operation: Operation) -> Set<Invoice.Status> {
        switch operation {
        case .finalize, .delete: return [.draft]
        case .pay, .void: return [.open, .uncollectible]
        case .markUncollectible: return [.open]
        }
    }

    /// - Throws: `invalid_transition` naming the invoice's status and the operation.
    public static func check(_ operation: Operation, from status: Invoice.Status, invoice: String) throws {
        guard allowed(operation).contains(status) else {
            throw LedgerError(
                .invalidTransition,
                "invoice '\(invoice)' is \(status.rawValue); \(operation.rawValue) needs \(allowed(operation).map(\.rawValue).sorted().joined(separator: " or "))",
                param: "invoice")
        }
    }
}
