/// How an invoice asks to be paid: Stripe's `collection_method`, with `days_until_due` for
/// invoices sent to the customer. The ledger records payments made elsewhere (`invoices pay`),
/// so this is what the invoice states, not an action the ledger takes.
public struct Collection: Hashable, Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case chargeAutomatically = "charge_automatically"
        case sendInvoice = "send_invoice"
    }

    public let method: Method
    /// Days from an invoice's creation until it is due; set exactly when `method` is `send_invoice`.
    public let daysUntilDue: Int64?

    /// Stripe's default: charge the customer's payment method, no due date.
    public static let chargeAutomatically = Collection(checked: .chargeAutomatically, daysUntilDue: nil)

    /// - Throws: `invalid_request` (param `days_until_due`) for days with `charge_automatically`,
    ///   none with `send_invoice`, or days outside 0...`Limits.daysUntilDueMax`.
    public init(method: Method, daysUntilDue: Int64?) throws {
        switch (method, daysUntilDue) {
        case (.chargeAutomatically, nil): break
        case (.chargeAutomatically, .some):
            throw LedgerError.invalidRequest(
                "days_until_due is only valid with collection_method send_invoice", param: "days_until_due")
        case (.sendInvoice, nil):
            throw LedgerError.invalidRequest(
                "collection_method send_invoice needs days_until_due", param: "days_until_due")
        case (.sendInvoice, .some(let days)):
            guard (0...Limits.daysUntilDueMax).contains(days) else {
                throw LedgerError.invalidRequest(
                    "days_until_due must be 0 to \(Limits.daysUntilDueMax), not \(days)", param: "days_until_due")
            }
        }
        self.init(checked: method, daysUntilDue: daysUntilDue)
    }

    private init(checked method: Method, daysUntilDue: Int64?) {
        self.method = method
        self.daysUntilDue = daysUntilDue
    }

    /// When an invoice created at `created` is due: nil for `charge_automatically`.
    /// - Throws: `invalid_time` when the due date would fall after `Limits.instantMax`.
    public func dueDate(created: Int64) throws -> Int64? {
        guard let days = daysUntilDue else { return nil }
        let due = created + days * 86_400
        guard due <= Limits.instantMax else {
            throw LedgerError(
                .invalidTime, "the due date \(days) days after \(Instant.format(created)) is after 9999-12-31",
                param: "days_until_due")
        }
        return due
    }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension Collection: Codable {}
extension Collection.Method: Codable {}
