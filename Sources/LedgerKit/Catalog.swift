import Foundation
import GRDB

/// What a caller gives to create a customer.
public struct CustomerParams: Sendable {
    public var id: String?
    public var name: String?
    public var email: String?
    public var metadata: [String: String]

    public init(
        id: String? = nil, name: String? = nil, email: String? = nil,
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
    public var id: String?
    public var name: String
    public var description: String?
    public var metadata: [String: String]

    public init(
        id: String? = nil, name: String, description: String? = nil,
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
    public var id: String?
    public var product: Product.ID
    public var currency: Currency
    public var nickname: String?
    public var lookupKey: String?
    public var kind: Price.Kind
    public var recurring: Price.Recurring?
    public var scheme: PricingScheme
    public var metadata: [String: String]

    public init(
        id: String? = nil, product: Product.ID, currency: Currency, nickname: String? = nil,
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
            id: .init(id), name: params.name, email: params.email, metadata: params.metadata,
            created: now)
        return try store.write { db in
            try requireAbsent(db, table: "customer", id: id, kind: "customer")
            try db.execute(
                sql: "INSERT INTO customer (id, name, email, metadata, created) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    id, customer.name, customer.email, MetadataJSON.encode(customer.metadata),
                    customer.created,
                ])
            return customer
        }
    }

    /// - Throws: `resource_missing`.
    public func customer(_ id: Customer.ID) throws -> Customer {
        try store.read { db in
            guard let customer = try Self.fetchCustomers(db, where: "id = ?", [id.rawValue]).first
            else { throw LedgerError.missing("customer", id.rawValue, param: "customer") }
            return customer
        }
    }

    /// Every customer, oldest first.
    public func customers() throws -> [Customer] {
        try store.read { db in try Self.fetchCustomers(db, where: "1", []) }
    }

    static func fetchCustomers(_ db: Database, where clause: String, _ args: StatementArguments)
        throws -> [Customer]
    {
        try Row.fetchAll(
            db, sql: "SELECT * FROM customer WHERE \(clause) ORDER BY created, seq",
            arguments: args
        ).map { row in
            Customer(
                id: .init(row["id"]), name: row["name"], email: row["email"],
                metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
        }
    }

    // MARK: Products

    /// Creates a product.
    /// - Throws: `invalid_request` (id, empty name, text), `invalid_metadata`,
    ///   `resource_already_exists`.
    public func createProduct(_ params: ProductParams) throws -> Product {
        if params.name.isEmpty {
            throw LedgerError.invalidRequest("a product needs a name", param: "name")
        }
        try Text.validate(params.name, param: "name")
        try Text.validate(params.description, param: "description")
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: Product.idPrefix)
        let product = Product(
            id: .init(id), name: params.name, description: params.description, active: true,
            metadata: params.metadata, created: now)
        return try store.write { db in
            try requireAbsent(db, table: "product", id: id, kind: "product")
            try db.execute(
                sql: """
                    INSERT INTO product (id, name, description, active, metadata, created)
                    VALUES (?, ?, ?, 1, ?, ?)
                    """,
                arguments: [
                    id, product.name, product.description, MetadataJSON.encode(product.metadata),
                    product.created,
                ])
            return product
        }
    }

    /// - Throws: `resource_missing`.
    public func product(_ id: Product.ID) throws -> Product {
        try store.read { db in
            guard let product = try Self.fetchProducts(db, where: "id = ?", [id.rawValue]).first
            else { throw LedgerError.missing("product", id.rawValue, param: "product") }
            return product
        }
    }

    /// Every product, oldest first.
    public func products() throws -> [Product] {
        try store.read { db in try Self.fetchProducts(db, where: "1", []) }
    }

    static func fetchProducts(_ db: Database, where clause: String, _ args: StatementArguments)
        throws -> [Product]
    {
        try Row.fetchAll(
            db, sql: "SELECT * FROM product WHERE \(clause) ORDER BY created, rowid", arguments: args
        ).map { row in
            Product(
                id: .init(row["id"]), name: row["name"], description: row["description"],
                active: row["active"], metadata: MetadataJSON.decode(row["metadata"]),
                created: row["created"])
        }
    }

    // MARK: Prices

    /// Creates a price after checking every rule of SPEC §2.3.
    /// - Throws: `invalid_request`, `invalid_tiers`, `invalid_amount`, `invalid_metadata`,
    ///   `resource_missing` (product, meter), `meter_inactive`, `lookup_key_taken`,
    ///   `resource_already_exists`.
    public func createPrice(_ params: PriceParams) throws -> Price {
        let id = try newID(params.id, prefix: Price.idPrefix)
        let price = Price(
            id: .init(id), product: params.product, currency: params.currency, active: true,
            lookupKey: params.lookupKey, nickname: params.nickname, kind: params.kind,
            recurring: params.recurring, scheme: params.scheme, metadata: params.metadata,
            created: now)
        try price.validate()
        return try store.write { db in
            try requireAbsent(db, table: "price", id: id, kind: "price")
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM product WHERE id = ?", arguments: [params.product.rawValue])
                    == true
            else { throw LedgerError.missing("product", params.product.rawValue, param: "product") }
            if let meter = price.recurring?.meter {
                guard
                    let status = try String.fetchOne(
                        db, sql: "SELECT status FROM meter WHERE id = ?", arguments: [meter])
                else { throw LedgerError.missing("meter", meter, param: "meter") }
                if status != "active" {
                    throw LedgerError(
                        .meterInactive, "meter '\(meter)' is inactive and cannot back a new price",
                        param: "meter")
                }
            }
            if let lookupKey = price.lookupKey,
                let holder = try String.fetchOne(
                    db, sql: "SELECT id FROM price WHERE lookupKey = ? AND active = 1",
                    arguments: [lookupKey])
            {
                throw LedgerError(
                    .lookupKeyTaken,
                    "lookup_key '\(lookupKey)' is already used by active price '\(holder)'",
                    param: "lookup_key")
            }
            try Self.insert(price, db)
            return price
        }
    }

    private static func insert(_ price: Price, _ db: Database) throws {
        var unitAmount: String?
        var divideBy: Int64?
        var round: String?
        var tiersMode: String?
        var tiers: [PriceTier] = []
        switch price.scheme {
        case .perUnit(let amount, let transform):
            unitAmount = amount.description
            divideBy = transform?.divideBy
            round = transform?.round.rawValue
        case .tiered(let mode, let list):
            tiersMode = mode.rawValue
            tiers = list
        }
        try db.execute(
            sql: """
                INSERT INTO price (id, productId, currency, active, lookupKey, nickname, type,
                    recurringInterval, recurringIntervalCount, usageType, meterId, billingScheme,
                    unitAmountDecimal, transformDivideBy, transformRound, tiersMode, metadata, created)
                VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                price.id.rawValue, price.product.rawValue, price.currency.code, price.lookupKey,
                price.nickname, price.kind.rawValue, price.recurring?.interval.rawValue,
                price.recurring?.intervalCount, price.recurring?.usageType.rawValue,
                price.recurring?.meter, price.scheme.billingScheme, unitAmount, divideBy, round,
                tiersMode, MetadataJSON.encode(price.metadata), price.created,
            ])
        for (position, tier) in tiers.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO priceTier (priceId, position, upTo, unitAmountDecimal, flatAmountDecimal)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    price.id.rawValue, position, tier.upTo, tier.unitAmount?.description,
                    tier.flatAmount?.description,
                ])
        }
    }

    /// - Throws: `resource_missing`.
    public func price(_ id: Price.ID) throws -> Price {
        try store.read { db in try Self.fetchPrice(db, id) }
    }

    static func fetchPrice(_ db: Database, _ id: Price.ID) throws -> Price {
        guard let price = try fetchPrices(db, where: "id = ?", [id.rawValue], cached: true).first else {
            throw LedgerError.missing("price", id.rawValue, param: "price")
        }
        return price
    }

    /// Prices, oldest first; only active ones when `activeOnly`, only one product's when given.
    public func prices(product: Product.ID? = nil, activeOnly: Bool = false) throws -> [Price] {
        try store.read { db in
            var clause = "1"
            var args: [(any DatabaseValueConvertible)?] = []
            if let product {
                clause += " AND productId = ?"
                args.append(product.rawValue)
            }
            if activeOnly { clause += " AND active = 1" }
            return try Self.fetchPrices(db, where: clause, StatementArguments(args))
        }
    }

    static func fetchPrices(
        _ db: Database, where clause: String, _ args: StatementArguments, cached: Bool = false
    ) throws -> [Price] {
        let sql = "SELECT * FROM price WHERE \(clause) ORDER BY created, rowid"
        let rows = try Row.fetchAll(cached ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: args)
        return try rows.map { row in
            let id: String = row["id"]
            let scheme: PricingScheme
            if let mode: String = row["tiersMode"] {
                let tiers = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM priceTier WHERE priceId = ? ORDER BY position"),
                    arguments: [id]
                ).map { tier in
                    PriceTier(
                        upTo: tier["upTo"],
                        unitAmount: (tier["unitAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)),
                        flatAmount: (tier["flatAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)))
                }
                scheme = .tiered(mode: TiersMode(rawValue: mode)!, tiers: tiers)
            } else {
                let amount = ExactDecimal(parsing: row["unitAmountDecimal"] as String)!
                var transform: TransformQuantity?
                if let divideBy: Int64 = row["transformDivideBy"] {
                    transform = TransformQuantity(
                        divideBy: divideBy, round: .init(rawValue: row["transformRound"])!)
                }
                scheme = .perUnit(unitAmount: amount, transform: transform)
            }
            var recurring: Price.Recurring?
            if let interval: String = row["recurringInterval"] {
                recurring = Price.Recurring(
                    interval: .init(rawValue: interval)!, intervalCount: row["recurringIntervalCount"],
                    usageType: .init(rawValue: row["usageType"])!, meter: row["meterId"])
            }
            return Price(
                id: .init(id), product: .init(row["productId"]),
                currency: try Currency(code: row["currency"]), active: row["active"],
                lookupKey: row["lookupKey"], nickname: row["nickname"],
                kind: .init(rawValue: row["type"])!, recurring: recurring, scheme: scheme,
                metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
        }
    }

    /// Archives a price: it stays on existing subscriptions and invoices but cannot be used
    /// anew, and its lookup_key is freed. Archiving an archived price changes nothing.
    /// - Throws: `resource_missing`.
    public func archivePrice(_ id: Price.ID) throws -> Price {
        try store.write { db in
            var price = try Self.fetchPrice(db, id)
            if price.active {
                try db.execute(sql: "UPDATE price SET active = 0 WHERE id = ?", arguments: [id.rawValue])
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
