import Foundation

/// What a caller gives to create a customer.
public struct CustomerParams: Sendable {
    public var id: Customer.ID?
    public var name: String?
    public var email: String?
    public var metadata: [String: String]

    public init(
        id: Customer.ID? = nil, name: String? = nil, email: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.metadata = metadata
    }
}

/// What a caller gives to create a product.
public struct ProductParams: Sendable {
    public var id: Product.ID?
    public var name: String
    public var description: String?
    public var metadata: [String: String]

    public init(
        id: Product.ID? = nil, name: String, description: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.metadata = metadata
    }
}

/// What a caller gives to create a price: Stripe's parameters, already typed.
public struct PriceParams: Sendable {
    public var id: Price.ID?
    public var product: Product.ID
    public var currency: Currency
    public var nickname: String?
    public var lookupKey: String?
    public var kind: Price.Kind
    public var recurring: Price.Recurring?
    public var scheme: PricingScheme
    public var metadata: [String: String]

    public init(
        id: Price.ID? = nil, product: Product.ID, currency: Currency, nickname: String? = nil,
        lookupKey: String? = nil, kind: Price.Kind, recurring: Price.Recurring?,
        scheme: PricingScheme, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.product = product
        self.currency = currency
        self.nickname = nickname
        self.lookupKey = lookupKey
        self.kind = kind
        self.recurring = recurring
        self.scheme = scheme
        self.metadata = metadata
    }
}

extension Ledger {
    // MARK: Customers

    /// Creates a customer.
    /// - Throws: `invalid_request` (id, text), `invalid_metadata`, `resource_already_exists`.
    public func createCustomer(_ params: CustomerParams) throws -> Customer {
        try Text.validate(params.name, param: "name")
        try Text.validate(params.email, param: "email")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: Customer.idPrefix)
        let customer = Customer(
            id: .init(id), name: params.name, email: params.email, metadata: params.metadata, created: try now)
        return try store.write { tx in
            try tx.requireAbsent(table: "customer", id: id, kind: "customer")
            try tx.insert(customer)
            try tx.appendFeed(.customerCreated, .customer(customer), at: customer.created)
            return customer
        }
    }

    /// - Throws: `resource_missing`.
    public func customer(_ id: Customer.ID) throws -> Customer {
        try store.read { tx in try tx.customer(id) }
    }

    /// Every customer, oldest first.
    public func customers() throws -> [Customer] {
        try store.read { tx in try tx.customers() }
    }

    // MARK: Products

    /// Creates a product.
    /// - Throws: `invalid_request` (id, empty name, text), `invalid_metadata`,
    ///   `resource_already_exists`.
    public func createProduct(_ params: ProductParams) throws -> Product {
        let product = try productValue(params)
        return try store.write { tx in
            try tx.requireAbsent(table: "product", id: product.id.rawValue, kind: "product")
            try tx.insert(product)
            return product
        }
    }

    /// The product `params` describe, checked, with its ID.
    private func productValue(_ params: ProductParams) throws -> Product {
        if params.name.isEmpty {
            throw LedgerError.invalidRequest("a product needs a name", param: "name")
        }
        try Text.validate(params.name, param: "name")
        try Text.validate(params.description, param: "description")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: Product.idPrefix)
        return Product(
            id: .init(id), name: params.name, description: params.description, active: true,
            metadata: params.metadata, created: try now)
    }

    /// - Throws: `resource_missing`.
    public func product(_ id: Product.ID) throws -> Product {
        try store.read { tx in try tx.product(id) }
    }

    /// Every product, oldest first.
    public func products() throws -> [Product] {
        try store.read { tx in try tx.products() }
    }

    // MARK: Prices

    /// Creates a price after checking every rule of SPEC §2.3.
    /// - Throws: `invalid_request`, `invalid_tiers`, `invalid_amount`, `invalid_metadata`,
    ///   `resource_missing` (product, meter), `meter_inactive`, `lookup_key_taken`,
    ///   `resource_already_exists`.
    public func createPrice(_ params: PriceParams) throws -> Price {
        let price = try priceValue(params)
        return try store.write { tx in try Self.insert(tx, price) }
    }

    /// Creates a product and a price of it in one transaction (Stripe's `product_data` on price
    /// creation); `params.product` is ignored.
    /// - Throws: what `createProduct` and `createPrice` throw; neither is created then.
    public func createPrice(_ params: PriceParams, newProduct: ProductParams) throws -> (Product, Price) {
        let product = try productValue(newProduct)
        var params = params
        params.product = product.id
        let price = try priceValue(params)
        return try store.write { tx in
            try tx.requireAbsent(table: "product", id: product.id.rawValue, kind: "product")
            try tx.insert(product)
            return (product, try Self.insert(tx, price))
        }
    }

    /// The price `params` describe, checked on its own (SPEC §2.3), with its ID.
    private func priceValue(_ params: PriceParams) throws -> Price {
        let id = try newID(params.id, prefix: Price.idPrefix)
        let price = Price(
            id: .init(id), product: params.product, currency: params.currency, active: true,
            lookupKey: params.lookupKey, nickname: params.nickname, kind: params.kind,
            recurring: params.recurring, scheme: params.scheme, metadata: params.metadata,
            created: try now)
        try price.validate()
        return price
    }

    /// Inserts `price` after the checks that read the file: its ID, product, meter, lookup key.
    private static func insert(_ tx: StorageTransaction, _ price: Price) throws -> Price {
        try tx.requireAbsent(table: "price", id: price.id.rawValue, kind: "price")
        guard try tx.productExists(price.product) else {
            throw LedgerError.missing("product", price.product.rawValue, param: "product")
        }
        if let meter = price.recurring?.meter {
            guard try tx.meter(meter).status == .active else {
                throw LedgerError(
                    .meterInactive, "meter '\(meter)' is inactive and cannot back a new price", param: "meter")
            }
        }
        if let lookupKey = price.lookupKey, let holder = try tx.activePriceID(lookupKey: lookupKey) {
            throw LedgerError(
                .lookupKeyTaken, "lookup_key '\(lookupKey)' is already used by active price '\(holder)'",
                param: "lookup_key")
        }
        try tx.insert(price)
        return price
    }

    /// - Throws: `resource_missing`.
    public func price(_ id: Price.ID) throws -> Price {
        try store.read { tx in try tx.price(id) }
    }

    /// Prices, oldest first; only active ones when `activeOnly`, only one product's when given.
    public func prices(product: Product.ID? = nil, activeOnly: Bool = false) throws -> [Price] {
        try store.read { tx in try tx.prices(product: product, activeOnly: activeOnly) }
    }

    /// Archives a price: it stays on existing subscriptions and invoices but cannot be used
    /// anew, and its lookup_key is freed. Archiving an archived price changes nothing.
    /// - Throws: `resource_missing`.
    public func archivePrice(_ id: Price.ID) throws -> Price {
        try store.write { tx in
            var price = try tx.price(id)
            if price.active {
                try tx.archive(id)
                price.active = false
            }
            return price
        }
    }

    /// What `quantity` costs under the price: the exact and the rounded amount.
    /// - Throws: `resource_missing`, `invalid_quantity`, `amount_overflow`.
    public func quote(_ id: Price.ID, quantity: ExactDecimal) throws -> (Price, Pricing.Quote) {
        let price = try price(id)
        return (price, try Pricing.quote(price.scheme, quantity: quantity))
    }
}
