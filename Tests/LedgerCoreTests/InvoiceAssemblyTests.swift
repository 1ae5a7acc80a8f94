import Testing

@testable import LedgerCore

/// Invoice assembly without a database: the lines a period bills and the draft over them.
@Suite struct InvoiceAssemblyTests {
    let usd = try! Currency(code: "usd")

    func price(_ id: String, metered: Bool, scheme: PricingScheme) -> Price {
        Price(
            id: .init(id), product: "prod_h", currency: usd, active: true, lookupKey: nil, nickname: nil,
            kind: .recurring,
            recurring: .init(
                interval: .month, intervalCount: 1, usageType: metered ? .metered : .licensed,
                meter: metered ? "mtr_t" : nil),
            scheme: scheme, metadata: [:], created: 0)
    }

    /// P2: a licence of 100 USD a seat in advance, 3,000 tokens over 1,000 free at 4 cents in arrears.
    @Test func flatFeeAndOveragesLines() throws {
        let licence = price(
            "price_l", metered: false, scheme: .perUnit(unitAmount: ExactDecimal(10_000), transform: nil))
        let usage = price(
            "price_u", metered: true,
            scheme: .tiered(
                mode: .graduated,
                tiers: [
                    PriceTier(upTo: 1000, unitAmount: .zero, flatAmount: nil),
                    PriceTier(upTo: nil, unitAmount: ExactDecimal(4), flatAmount: nil),
                ]))
        let item = SubscriptionItem(id: "si_1", price: usage.id, quantity: nil)
        let seat = SubscriptionItem(id: "si_2", price: licence.id, quantity: 3)
        let metered = try InvoiceAssembly.subscriptionLine(
            item: item, price: usage, productName: "Hypernian", quantity: ExactDecimal(3_000), currency: usd, start: 0,
            end: 10)
        let licensed = try InvoiceAssembly.subscriptionLine(
            item: seat, price: licence, productName: "Hypernian", quantity: ExactDecimal(3), currency: usd, start: 10,
            end: 20)
        #expect((metered.amount, metered.description, metered.meter) == (8_000, "Hypernian (usage)", "mtr_t"))
        #expect((licensed.amount, licensed.description, licensed.meter) == (30_000, "3 × Hypernian", nil))
        let draft = try InvoiceAssembly.draft(
            customer: "cus_1", subscription: "sub_1", reason: .subscriptionCycle, currency: usd, period: (0, 10),
            lines: [metered, licensed], description: nil, created: 10, finalizesAt: 3_610,
            collection: .chargeAutomatically)
        #expect((draft.status, draft.subtotal, draft.total, draft.amountDue) == (.draft, 38_000, 38_000, 38_000))
        #expect(draft.number == nil && draft.finalizesAt == 3_610)
    }

    @Test func aLineThatDoesNotFitIsAnOverflowOrAPlaceholder() throws {
        let huge = price(
            "price_x", metered: true,
            scheme: .perUnit(unitAmount: ExactDecimal(parsing: "99999999999999999999")!, transform: nil))
        let item = SubscriptionItem(id: "si_1", price: huge.id, quantity: nil)
        let quantity = ExactDecimal(parsing: "999999999999999")!
        let error = #expect(throws: LedgerError.self) {
            try InvoiceAssembly.subscriptionLine(
                item: item, price: huge, productName: "X", quantity: quantity, currency: usd, start: 0, end: 1)
        }
        #expect(error?.code == .amountOverflow)
        let placeholder = try InvoiceAssembly.subscriptionLine(
            item: item, price: huge, productName: "X", quantity: quantity, currency: usd, start: 0, end: 1,
            placeholderOnOverflow: true)
        #expect(placeholder.amount == 0 && placeholder.quantity == quantity)
        let big = InvoiceLine(
            id: "il_1", kind: .invoiceItem, price: nil, subscriptionItem: nil, invoiceItem: nil, meter: nil,
            description: nil, quantity: ExactDecimal(1), amount: .max, currency: usd, periodStart: 0, periodEnd: 0)
        #expect(throws: LedgerError.self) {
            try InvoiceAssembly.draft(
                customer: "cus_1", subscription: nil, reason: .manual, currency: usd, period: (0, 0),
                lines: [big, big],
                description: nil, created: 0, finalizesAt: nil, collection: .chargeAutomatically)
        }
        let shown = try InvoiceAssembly.draft(
            customer: "cus_1", subscription: nil, reason: .manual, currency: usd, period: (0, 0), lines: [big, big],
            description: nil, created: 0, finalizesAt: nil, collection: .chargeAutomatically,
            subtotalOverride: 0)
        #expect(shown.subtotal == 0)
    }

    @Test func anInvoiceItemLineCarriesItsAmountAtItsInstant() {
        let item = InvoiceItem(
            id: "ii_1", customer: "cus_1", currency: usd, amount: 2, unitAmount: ExactDecimal(parsing: "0.05"),
            quantity: ExactDecimal(30), description: "setup", subscription: nil, invoice: nil, metadata: [:],
            created: 77)
        let line = InvoiceAssembly.line(for: item)
        #expect(
            (line.kind, line.amount, line.quantity, line.periodStart, line.periodEnd) == (
                .invoiceItem, 2, ExactDecimal(30), 77, 77
            ))
        #expect(line.invoiceItem == item.id && line.description == "setup")
    }
}
