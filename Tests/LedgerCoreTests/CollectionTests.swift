import LedgerCore
import Testing

/// `Collection`: Stripe's rules for `collection_method` and `days_until_due`, and the due date.
@Suite struct CollectionTests {
    @Test("days until due exactly with send_invoice, 0 to 3650; due that many days after creation")
    func rules() throws {
        #expect(try Collection(method: .chargeAutomatically, daysUntilDue: nil) == .chargeAutomatically)
        #expect(try Collection.chargeAutomatically.dueDate(created: 1_767_225_600) == nil)
        let net30 = try Collection(method: .sendInvoice, daysUntilDue: 30)
        #expect(try net30.dueDate(created: 1_767_225_600) == 1_769_817_600)
        #expect(try Collection(method: .sendInvoice, daysUntilDue: 0).dueDate(created: 5) == 5)
        #expect(try Collection(method: .sendInvoice, daysUntilDue: 3_650).daysUntilDue == 3_650)
        for (method, days) in [
            (Collection.Method.chargeAutomatically, Int64?.some(0)), (.sendInvoice, nil), (.sendInvoice, -1),
            (.sendInvoice, 3_651), (.sendInvoice, .max),
        ] {
            #expect {
                try Collection(method: method, daysUntilDue: days)
            } throws: {
                ($0 as? LedgerError)?.code == .invalidRequest && ($0 as? LedgerError)?.param == "days_until_due"
            }
        }
    }

    @Test("a due date after 9999-12-31 is refused, not wrapped")
    func dueDateInRange() throws {
        let net30 = try Collection(method: .sendInvoice, daysUntilDue: 30)
        #expect(try net30.dueDate(created: Limits.instantMax - 30 * 86_400) == Limits.instantMax)
        #expect {
            try net30.dueDate(created: Limits.instantMax - 30 * 86_400 + 1)
        } throws: { ($0 as? LedgerError)?.code == .invalidTime }
    }
}
