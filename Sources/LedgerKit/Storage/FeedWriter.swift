/// The feed's objects written as JSON by hand for the two the billing run appends per step
/// (an invoice, a subscription): Foundation's `JSONEncoder` made a third of the run's instructions.
/// The text is what the values' synthesized `Codable` reads back (keys are property names, a nil
/// optional is left out, `FeedEvent.Object`'s case holds its value under `_0`); FeedWriterTests
/// checks that each decodes to the value written. Other objects go through `JSONEncoder`.
enum FeedWriter {
    /// The object's JSON, or nil when it is not one written by hand.
    static func json(_ object: FeedEvent.Object) -> String? {
        var w = Writer()
        switch object {
        case .invoice(let invoice):
            w.text += "{\"invoice\":{\"_0\":"
            w.invoice(invoice)
        case .subscription(let subscription):
            w.text += "{\"subscription\":{\"_0\":"
            w.subscription(subscription)
        default: return nil
        }
        w.text += "}}"
        return w.text
    }

    private struct Writer {
        var text = ""
        var first = true

        mutating func open() {
            text += "{"
            first = true
        }

        mutating func close() {
            text += "}"
            first = false
        }

        mutating func key(_ name: String) {
            if !first { text += "," }
            first = false
            text += "\"" + name + "\":"
        }

        mutating func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            quote(value)
        }

        mutating func int(_ name: String, _ value: Int64?) {
            guard let value else { return }
            key(name)
            text += String(value)
        }

        mutating func bool(_ name: String, _ value: Bool) {
            key(name)
            text += value ? "true" : "false"
        }

        mutating func metadata(_ map: [String: String]) {
            key("metadata")
            open()
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { string(k, v) }
            close()
        }

        mutating func quote(_ s: String) {
            text += "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
            text += "\""
        }

        mutating func invoice(_ i: Invoice) {
            open()
            string("id", i.id.rawValue)
            string("customer", i.customer.rawValue)
            string("subscription", i.subscription?.rawValue)
            string("billingReason", i.billingReason.rawValue)
            string("status", i.status.rawValue)
            string("number", i.number)
            string("currency", i.currency.code)
            int("periodStart", i.periodStart)
            int("periodEnd", i.periodEnd)
            string("description", i.description)
            key("lines")
            text += "["
            for (index, line) in i.lines.enumerated() {
                if index > 0 { text += "," }
                self.line(line)
            }
            text += "]"
            first = false
            int("subtotal", i.subtotal)
            int("total", i.total)
            int("amountDue", i.amountDue)
            int("amountPaid", i.amountPaid)
            int("amountRemaining", i.amountRemaining)
            int("finalizesAt", i.finalizesAt)
            int("finalizedAt", i.finalizedAt)
            int("paidAt", i.paidAt)
            int("voidedAt", i.voidedAt)
            int("markedUncollectibleAt", i.markedUncollectibleAt)
            metadata(i.metadata)
            int("created", i.created)
            if let f = i.failure {
                key("failure")
                open()
                string("code", f.code)
                string("message", f.message)
                int("failedAt", f.failedAt)
                close()
            }
            string("collectionMethod", i.collectionMethod.rawValue)
            int("dueDate", i.dueDate)
            bool("autoAdvance", i.autoAdvance)
            close()
        }

        mutating func line(_ l: InvoiceLine) {
            open()
            string("id", l.id.rawValue)
            string("kind", l.kind.rawValue)
            string("price", l.price?.rawValue)
            string("subscriptionItem", l.subscriptionItem?.rawValue)
            string("invoiceItem", l.invoiceItem?.rawValue)
            string("meter", l.meter?.rawValue)
            string("description", l.description)
            string("quantity", l.quantity.description)
            int("amount", l.amount)
            string("currency", l.currency.code)
            int("periodStart", l.periodStart)
            int("periodEnd", l.periodEnd)
            key("creditAmounts")
            text += "["
            for (index, c) in l.creditAmounts.enumerated() {
                if index > 0 { text += "," }
                open()
                int("amount", c.amount)
                string("transaction", c.transaction)
                string("grant", c.grant)
                close()
            }
            text += "]"
            close()
        }

        mutating func items(_ name: String, _ items: [SubscriptionItem]) {
            key(name)
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                open()
                string("id", item.id.rawValue)
                string("price", item.price.rawValue)
                int("quantity", item.quantity)
                close()
            }
            text += "]"
            first = false
        }

        mutating func subscription(_ s: Subscription) {
            open()
            string("id", s.id.rawValue)
            string("customer", s.customer.rawValue)
            string("status", s.status.rawValue)
            string("billingMode", s.billingMode.rawValue)
            string("currency", s.currency.code)
            string("interval", s.interval.rawValue)
            int("intervalCount", Int64(s.intervalCount))
            int("startDate", s.startDate)
            int("billingCycleAnchor", s.billingCycleAnchor)
            int("currentPeriodStart", s.currentPeriodStart)
            int("currentPeriodEnd", s.currentPeriodEnd)
            int("graceSeconds", s.graceSeconds)
            bool("cancelAtPeriodEnd", s.cancelAtPeriodEnd)
            int("canceledAt", s.canceledAt)
            int("endedAt", s.endedAt)
            items("items", s.items)
            if let next = s.nextPeriodItems { items("nextPeriodItems", next) }
            metadata(s.metadata)
            int("created", s.created)
            key("collection")
            open()
            string("method", s.collection.method.rawValue)
            int("daysUntilDue", s.collection.daysUntilDue)
            close()
            close()
        }
    }
}
