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
            w.raw("{\"invoice\":{\"_0\":")
            w.invoice(invoice)
        case .subscription(let subscription):
            w.raw("{\"subscription\":{\"_0\":")
            w.subscription(subscription)
        default: return nil
        }
        w.raw("}}")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// UTF-8 bytes, appended in place (a `String` appended scalar by scalar cost more than the
    /// encoder it replaced).
    private struct Writer {
        var bytes: [UInt8] = {
            var b: [UInt8] = []
            b.reserveCapacity(4_096)
            return b
        }()
        var first = true

        mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

        mutating func open() {
            raw("{")
            first = true
        }

        mutating func close() {
            raw("}")
            first = false
        }

        mutating func key(_ name: String) {
            if !first { raw(",") }
            first = false
            raw("\""); raw(name); raw("\":")
        }

        mutating func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            quote(value)
        }

        mutating func int(_ name: String, _ value: Int64?) {
            guard let value else { return }
            key(name)
            raw(String(value))
        }

        mutating func bool(_ name: String, _ value: Bool) {
            key(name)
            raw(value ? "true" : "false")
        }

        mutating func metadata(_ map: [String: String]) {
            key("metadata")
            open()
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { string(k, v) }
            close()
        }

        mutating func quote(_ s: String) {
            bytes.append(0x22)
            for byte in s.utf8 {
                switch byte {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: bytes.append(byte)
                }
            }
            bytes.append(0x22)
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
            raw("[")
            for (index, line) in i.lines.enumerated() {
                if index > 0 { raw(",") }
                self.line(line)
            }
            raw("]")
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
            raw("[")
            for (index, c) in l.creditAmounts.enumerated() {
                if index > 0 { raw(",") }
                open()
                int("amount", c.amount)
                string("transaction", c.transaction)
                string("grant", c.grant)
                close()
            }
            raw("]")
            close()
        }

        mutating func items(_ name: String, _ items: [SubscriptionItem]) {
            key(name)
            raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { raw(",") }
                open()
                string("id", item.id.rawValue)
                string("price", item.price.rawValue)
                int("quantity", item.quantity)
                close()
            }
            raw("]")
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
