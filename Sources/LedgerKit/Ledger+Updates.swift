/// What a caller changes on a customer (Stripe: POST /v1/customers/:id). Nil leaves a field as
/// it is; an empty name or email clears it; metadata merges (an empty value removes its key).
public struct CustomerUpdate: Sendable {
    public var name: String?
    public var email: String?
    public var metadata: [String: String]

    public init(name: String? = nil, email: String? = nil, metadata: [String: String] = [:]) {
        self.name = name
        self.email = email
        self.metadata = metadata
    }
}

/// What a caller changes on a product. Nil leaves a field as it is; an empty description clears
/// it (a name cannot be empty); metadata merges.
public struct ProductUpdate: Sendable {
    public var name: String?
    public var description: String?
    public var active: Bool?
    public var metadata: [String: String]

    public init(
        name: String? = nil, description: String? = nil, active: Bool? = nil, metadata: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.active = active
        self.metadata = metadata
    }
}

/// What a caller changes on a price: only what Stripe lets change (amounts, currency, tiers,
/// recurring and transform are fixed). Nil leaves a field as it is; an empty nickname or lookup
/// key clears it; metadata merges. `transferLookupKey` moves a lookup key held by another active
/// price to this one (Stripe's `transfer_lookup_key`).
public struct PriceUpdate: Sendable {
    public var nickname: String?
    public var lookupKey: String?
    public var transferLookupKey: Bool
    public var active: Bool?
    public var metadata: [String: String]

    public init(
        nickname: String? = nil, lookupKey: String? = nil, transferLookupKey: Bool = false, active: Bool? = nil,
        metadata: [String: String] = [:]
    ) {
        self.nickname = nickname
        self.lookupKey = lookupKey
        self.transferLookupKey = transferLookupKey
        self.active = active
        self.metadata = metadata
    }
}

extension Ledger {
    // MARK: Customers

    /// Changes a customer's name, email or metadata.
    /// - Throws: `resource_missing`, `invalid_text`, `invalid_request` (text too long),
    ///   `invalid_metadata`.
    public func updateCustomer(_ id: Customer.ID, _ update: CustomerUpdate) throws -> Customer {
        try Text.validate(update.name, param: "name")
        try Text.validate(update.email, param: "email")
        let now = try self.now
        return try store.write { tx in
            var customer = try tx.customer(id)
            if let name = update.name { customer.name = name.isEmpty ? nil : name }
            if let email = update.email { customer.email = email.isEmpty ? nil : email }
            customer.metadata = try Metadata.merge(customer.metadata, update.metadata)
            try tx.update(customer)
            try tx.appendFeed(.customerUpdated, .customer(customer), at: now)
            return customer
        }
    }

    /// Deletes a customer nothing names yet: no invoice, credit grant or subscription (SPEC
    /// §2.1), and no invoice item or meter event either, so nothing acknowledged is ever lost.
    /// Returns the customer as it was.
    /// - Throws: `resource_missing`, `customer_in_use` naming what still names it.
    public func deleteCustomer(_ id: Customer.ID) throws -> Customer {
        let now = try self.now
        return try store.write { tx in
            let customer = try tx.customer(id)
            if let use = try tx.customerUse(id) {
                throw LedgerError(
                    .customerInUse, "customer '\(id)' has \(use) and cannot be deleted", param: "customer")
            }
            try tx.delete(id)
            try tx.appendFeed(.customerDeleted, .customer(customer), at: now)
            return customer
        }
    }

    // MARK: Products

    /// Changes a product's name, description, active flag or metadata. An archived (inactive)
    /// product keeps its prices, which can still be created, but none of them can start a
    /// subscription or join one (`product_inactive`), as in Stripe.
    /// - Throws: `resource_missing`, `invalid_request` (empty name, text), `invalid_metadata`.
    public func updateProduct(_ id: Product.ID, _ update: ProductUpdate) throws -> Product {
        if update.name?.isEmpty == true {
            throw LedgerError.invalidRequest("a product needs a name", param: "name")
        }
        try Text.validate(update.name, param: "name")
        try Text.validate(update.description, param: "description")
        return try store.write { tx in
            var product = try tx.product(id)
            if let name = update.name { product.name = name }
            if let description = update.description { product.description = description.isEmpty ? nil : description }
            if let active = update.active { product.active = active }
            product.metadata = try Metadata.merge(product.metadata, update.metadata)
            try tx.update(product)
            return product
        }
    }

    /// Archives a product (`active = false`); archiving an archived product changes nothing.
    /// - Throws: `resource_missing`.
    public func archiveProduct(_ id: Product.ID) throws -> Product {
        try updateProduct(id, .init(active: false))
    }

    // MARK: Prices

    /// Changes what Stripe lets change on a price. A lookup key held by another active price is
    /// refused unless `transferLookupKey`, which moves it in the same transaction; reactivating a
    /// price whose key another active price holds is refused the same way. An inactive price
    /// cannot start a subscription or join one (`price_inactive`).
    /// - Throws: `resource_missing`, `lookup_key_taken`, `invalid_request` (transfer without a key,
    ///   text), `invalid_metadata`.
    public func updatePrice(_ id: Price.ID, _ update: PriceUpdate) throws -> Price {
        try Text.validate(update.nickname, param: "nickname")
        if let key = update.lookupKey {
            try Text.validate(key, param: "lookup_key", maxLength: 200)
        }
        if update.transferLookupKey && (update.lookupKey ?? "").isEmpty {
            throw LedgerError.invalidRequest("transfer_lookup_key needs a lookup_key to move", param: "lookup_key")
        }
        return try store.write { tx in
            var price = try tx.price(id)
            if let nickname = update.nickname { price.nickname = nickname.isEmpty ? nil : nickname }
            if let key = update.lookupKey { price.lookupKey = key.isEmpty ? nil : key }
            if let active = update.active { price.active = active }
            price.metadata = try Metadata.merge(price.metadata, update.metadata)
            if price.active, let key = price.lookupKey, let holder = try tx.activePriceID(lookupKey: key),
                holder != id.rawValue
            {
                guard update.transferLookupKey else {
                    throw LedgerError(
                        .lookupKeyTaken,
                        "lookup_key '\(key)' is already used by active price '\(holder)' (transfer it with transfer_lookup_key)",
                        param: "lookup_key")
                }
                try tx.clearLookupKey(of: holder)
            }
            try tx.update(price)
            return price
        }
    }

    // MARK: Invoices and invoice items

    /// Changes a draft's description or metadata (only drafts can be edited, SPEC §2.5). An
    /// empty description clears it; metadata merges.
    /// - Throws: `resource_missing`, `invoice_not_editable`, `invalid_text`, `invalid_request`,
    ///   `invalid_metadata`.
    public func updateInvoice(_ id: Invoice.ID, description: String? = nil, metadata: [String: String] = [:])
        throws -> Invoice
    {
        let now = try self.now
        try Text.validate(description, param: "description")
        return try write(at: now) { tx, now in
            var invoice = try tx.fetchInvoice(id)
            try Self.requireDraft(invoice)
            if let description { invoice.description = description.isEmpty ? nil : description }
            invoice.metadata = try Metadata.merge(invoice.metadata, metadata)
            try tx.updateDraft(id, description: invoice.description, metadata: invoice.metadata)
            let changed = try tx.fetchInvoice(id)
            try tx.appendFeed(.invoiceUpdated, .invoice(changed), at: now)
            return changed
        }
    }

    /// Deletes an invoice item that is pending or on a draft; on a draft its line goes and the
    /// draft's totals are the sum of the lines left, as adding it did in reverse. Returns the item
    /// as it was.
    /// - Throws: `resource_missing`, `invoice_not_editable` (its invoice is finalized).
    public func deleteInvoiceItem(_ id: InvoiceItem.ID) throws -> InvoiceItem {
        let now = try self.now
        return try write(at: now) { tx, now in
            let item = try tx.fetchInvoiceItem(id)
            if let invoiceID = item.invoice {
                try Self.requireDraft(try tx.fetchInvoice(invoiceID))
            }
            try tx.delete(item)
            if let invoiceID = item.invoice {
                try tx.updateDraftTotals(invoiceID)
                try tx.appendFeed(.invoiceUpdated, .invoice(try tx.fetchInvoice(invoiceID)), at: now)
            }
            return item
        }
    }

    /// - Throws: `invoice_not_editable` unless `invoice` is a draft.
    static func requireDraft(_ invoice: Invoice) throws {
        guard invoice.status == .draft else {
            throw LedgerError(
                .invoiceNotEditable,
                "invoice '\(invoice.id)' is \(invoice.status.rawValue); only drafts can change", param: "invoice")
        }
    }
}
