import Foundation
import Testing

@testable import LedgerKit

/// The update and delete verbs of customers, products, prices, invoices and invoice items.
@Suite struct UpdateTests {
    let usd = try! Currency(code: "usd")

    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1", "cus_2", "cus_3", "cus_4", "cus_5", "cus_6"]),
        meters: [.init(id: "mtr_a", displayName: "A", eventName: "a_tokens")],
        products: [.init(id: "prod_1", name: "Product", description: "Old words")],
        prices: [
            .monthly("price_licence", of: "prod_1", .unit("10000")),
            .monthly("price_usage", of: "prod_1", meter: "mtr_a", .unit("2")),
        ])

    /// The code `body` throws, or nil.
    func code(_ body: () throws -> Void) -> LedgerError.Code? {
        do {
            try body()
            return nil
        } catch { return (error as? LedgerError)?.code }
    }

    // MARK: Customers

    @Test func aCustomerUpdateMergesMetadataAsStripe() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.updateCustomer("cus_1", .init(metadata: ["a": "1", "b": "2"]))
        let updated = try w.ledger.updateCustomer(
            "cus_1", .init(name: "Jo", email: "jo@example.com", metadata: ["b": "", "c": "3"]))
        #expect((updated.name, updated.email, updated.metadata) == ("Jo", "jo@example.com", ["a": "1", "c": "3"]))
        #expect(try w.ledger.customer("cus_1") == updated)
        let cleared = try w.ledger.updateCustomer("cus_1", .init(email: ""))
        #expect((cleared.name, cleared.email) == ("Jo", nil))
        #expect(code { _ = try w.ledger.updateCustomer("cus_nope", .init(name: "x")) } == .resourceMissing)
        #expect(code { _ = try w.ledger.updateCustomer("cus_1", .init(name: "a\u{0}b")) } == .invalidText)
        let many = Dictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", "v") })
        #expect(code { _ = try w.ledger.updateCustomer("cus_1", .init(metadata: many)) } == .invalidMetadata)
        #expect(try w.ledger.customer("cus_1") == cleared)
    }

    @Test func aCustomerIsDeletedOnlyWhileNothingNamesIt() throws {
        let w = try World(Self.catalog)
        // cus_1 subscribed, cus_2 a grant, cus_3 a pending item, cus_4 a meter event, cus_5 a
        // manual invoice; cus_6 nothing.
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_licence")]))
        _ = try w.ledger.createGrant(
            .init(customer: "cus_2", amount: Money(amountMinor: 500, currency: usd), scope: .metered))
        _ = try w.ledger.createInvoiceItem(.init(customer: "cus_3", currency: usd, amount: .whole(100)))
        try w.record("1", event: "a_tokens", customer: "cus_4", at: "2026-01-01T00:00:00Z")
        _ = try w.ledger.createInvoice(customer: "cus_5", currency: usd, includePending: false, description: nil)
        for id in ["cus_1", "cus_2", "cus_3", "cus_4", "cus_5"] {
            #expect(code { _ = try w.ledger.deleteCustomer(.init(id)) } == .customerInUse, "\(id)")
            #expect(try w.ledger.customer(.init(id)).id.rawValue == id)
        }
        let deleted = try w.ledger.deleteCustomer("cus_6")
        #expect(deleted.id == "cus_6")
        #expect(code { _ = try w.ledger.customer("cus_6") } == .resourceMissing)
        #expect(code { _ = try w.ledger.deleteCustomer("cus_6") } == .resourceMissing)
        #expect(try w.ledger.customers().count == 5)
    }

    // MARK: Products and prices

    @Test func anArchivedProductKeepsItsPricesButStartsNoSubscription() throws {
        let w = try World(Self.catalog)
        let updated = try w.ledger.updateProduct(
            "prod_1", .init(name: "Renamed", description: "", metadata: ["tier": "gold"]))
        #expect((updated.name, updated.description, updated.metadata) == ("Renamed", nil, ["tier": "gold"]))
        #expect(code { _ = try w.ledger.updateProduct("prod_1", .init(name: "")) } == .invalidRequest)
        #expect(code { _ = try w.ledger.updateProduct("prod_nope", .init(name: "x")) } == .resourceMissing)
        let archived = try w.ledger.archiveProduct("prod_1")
        #expect(!archived.active)
        #expect(try w.ledger.archiveProduct("prod_1") == archived)
        // Stripe: a price can still be created on an inactive product, but not used anew.
        let price = try w.ledger.createPrice(.monthly("price_new", of: "prod_1", .unit("5")))
        #expect(price.active)
        #expect(
            code { _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: price.id)])) }
                == .productInactive)
        #expect(try w.ledger.subscriptions().isEmpty)
        _ = try w.ledger.updateProduct("prod_1", .init(active: true))
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: price.id)]))
    }

    @Test func aLookupKeyMovesOnlyWhenTransferred() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.updatePrice("price_licence", .init(lookupKey: "standard"))
        #expect(
            code { _ = try w.ledger.updatePrice("price_usage", .init(lookupKey: "standard")) } == .lookupKeyTaken)
        #expect(try w.ledger.price("price_usage").lookupKey == nil)
        #expect(
            code { _ = try w.ledger.updatePrice("price_usage", .init(transferLookupKey: true)) } == .invalidRequest)
        let moved = try w.ledger.updatePrice(
            "price_usage",
            .init(nickname: "Usage", lookupKey: "standard", transferLookupKey: true, metadata: ["k": "v"]))
        #expect((moved.lookupKey, moved.nickname, moved.metadata) == ("standard", "Usage", ["k": "v"]))
        #expect(try w.ledger.price("price_licence").lookupKey == nil)
        // The same key on the price that holds it is no change; an empty key clears it.
        _ = try w.ledger.updatePrice("price_usage", .init(lookupKey: "standard"))
        #expect(try w.ledger.updatePrice("price_usage", .init(lookupKey: "")).lookupKey == nil)
    }

    @Test func reactivatingAPriceWhoseKeyIsTakenIsRefused() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.updatePrice("price_licence", .init(lookupKey: "k", active: false))
        _ = try w.ledger.updatePrice("price_usage", .init(lookupKey: "k"))
        #expect(code { _ = try w.ledger.updatePrice("price_licence", .init(active: true)) } == .lookupKeyTaken)
        let back = try w.ledger.updatePrice(
            "price_licence", .init(lookupKey: "k", transferLookupKey: true, active: true))
        #expect((back.active, back.lookupKey) == (true, "k"))
        #expect(try w.ledger.price("price_usage").lookupKey == nil)
        // An inactive price starts no subscription.
        _ = try w.ledger.updatePrice("price_usage", .init(active: false))
        #expect(
            code { _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_usage")])) }
                == .priceInactive)
    }

    // MARK: Invoices and invoice items

    @Test func onlyADraftsDescriptionAndMetadataChange() throws {
        let w = try World(Self.catalog)
        let draft = try w.ledger.createInvoice(
            customer: "cus_1", currency: usd, includePending: false, description: "a")
        let updated = try w.ledger.updateInvoice(draft.id, description: "b", metadata: ["po": "42"])
        #expect((updated.description, updated.metadata) == ("b", ["po": "42"]))
        #expect(try w.ledger.updateInvoice(draft.id, description: "").description == nil)
        _ = try w.ledger.createInvoiceItem(
            .init(customer: "cus_1", currency: usd, amount: .whole(100), invoice: draft.id))
        _ = try w.ledger.finalizeInvoice(draft.id)
        #expect(code { _ = try w.ledger.updateInvoice(draft.id, description: "c") } == .invoiceNotEditable)
        #expect(code { _ = try w.ledger.updateInvoice("in_nope", description: "c") } == .resourceMissing)
    }

    @Test func deletingAnItemOfADraftRecomputesItsTotals() throws {
        let w = try World(Self.catalog)
        let draft = try w.ledger.createInvoice(
            customer: "cus_1", currency: usd, includePending: false, description: nil)
        func add(_ amount: Int64) throws -> InvoiceItem {
            try w.ledger.createInvoiceItem(
                .init(customer: "cus_1", currency: usd, amount: .whole(amount), invoice: draft.id))
        }
        let a = try add(100)
        let b = try add(250)
        _ = try add(1_000)
        #expect(try w.ledger.invoice(draft.id).subtotal == 1_350)
        let deleted = try w.ledger.deleteInvoiceItem(b.id)
        #expect(deleted == b)
        var invoice = try w.ledger.invoice(draft.id)
        #expect(invoice.lines.map(\.amount) == [100, 1_000])
        #expect((invoice.subtotal, invoice.total, invoice.amountDue) == (1_100, 1_100, 1_100))
        // A line added after the deletion takes the next position.
        _ = try add(7)
        _ = try w.ledger.deleteInvoiceItem(a.id)
        invoice = try w.ledger.invoice(draft.id)
        #expect(invoice.lines.map(\.amount) == [1_000, 7])
        #expect((invoice.subtotal, invoice.amountDue) == (1_007, 1_007))
        let pending = try w.ledger.createInvoiceItem(.init(customer: "cus_1", currency: usd, amount: .whole(5)))
        _ = try w.ledger.deleteInvoiceItem(pending.id)
        #expect(try w.ledger.invoiceItems(customer: "cus_1").count == 2)
        _ = try w.ledger.finalizeInvoice(draft.id)
        let kept = try #require(invoice.lines.first?.invoiceItem)
        #expect(code { _ = try w.ledger.deleteInvoiceItem(kept) } == .invoiceNotEditable)
        #expect(code { _ = try w.ledger.deleteInvoiceItem("ii_nope") } == .resourceMissing)
        #expect(try w.ledger.verify().isEmpty)
    }
}
