/// Customers, products, prices and meters: their rows and the look-ups the rules need.
extension StorageTransaction {
    /// Fails with `resource_already_exists` when `table` already holds `id`.
    func requireAbsent(table: String, id: String, kind: String) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [id]) == true {
            throw LedgerError(.resourceExists, "a \(kind) with id '\(id)' already exists", param: "id")
        }
    }

    // MARK: Customers

    func insert(_ customer: Customer) throws {
        try db.execute(
            sql: "INSERT INTO customer (id, name, email, metadata, created) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                customer.id.rawValue, customer.name, customer.email, MetadataJSON.encode(customer.metadata),
                customer.created,
            ])
    }

    /// - Throws: `resource_missing`.
    func customer(_ id: Customer.ID) throws -> Customer {
        guard let customer = try customers(where: "id = ?", [id.rawValue]).first else {
            throw LedgerError.missing("customer", id.rawValue, param: "customer")
        }
        return customer
    }

    /// Every customer, oldest first.
    func customers() throws -> [Customer] { try customers(where: "1 = 1", []) }

    private func customers(where clause: String, _ args: SQLArguments) throws -> [Customer] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM customer WHERE \(clause) ORDER BY created, seq", arguments: args)
            .map { row in
                Customer(
                    id: .init(row["id"]), name: row["name"], email: row["email"],
                    metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
            }
    }

    /// The customer's compact key (events and metered lines name customers by it).
    /// - Throws: `resource_missing`.
    func customerSeq(_ customer: Customer.ID) throws -> Int64 {
        guard
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT seq FROM customer WHERE id = ?"), arguments: [customer.rawValue])
        else { throw LedgerError.missing("customer", customer.rawValue, param: "customer") }
        return seq
    }

    // MARK: Products

    func insert(_ product: Product) throws {
        try db.execute(
            sql: """
                INSERT INTO product (id, name, description, active, metadata, created)
                VALUES (?, ?, ?, 1, ?, ?)
                """,
            arguments: [
                product.id.rawValue, product.name, product.description, MetadataJSON.encode(product.metadata),
                product.created,
            ])
    }

    /// - Throws: `resource_missing`.
    func product(_ id: Product.ID) throws -> Product {
        guard let product = try products(where: "id = ?", [id.rawValue]).first else {
            throw LedgerError.missing("product", id.rawValue, param: "product")
        }
        return product
    }

    /// Every product, oldest first.
    func products() throws -> [Product] { try products(where: "1 = 1", []) }

    private func products(where clause: String, _ args: SQLArguments) throws -> [Product] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM product WHERE \(clause) ORDER BY created, rowid", arguments: args)
            .map { row in
                Product(
                    id: .init(row["id"]), name: row["name"], description: row["description"], active: row["active"],
                    metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
            }
    }

    func productExists(_ id: Product.ID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM product WHERE id = ?", arguments: [id.rawValue]) == true
    }

    /// The name of the product a price sells ("" when it has none).
    func productName(of price: Price) throws -> String {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT name FROM product WHERE id = ?"), arguments: [price.product.rawValue])
            ?? ""
    }

    // MARK: Prices

    /// The active price holding `lookupKey`, if any.
    func activePriceID(lookupKey: String) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT id FROM price WHERE lookupKey = ? AND active = 1", arguments: [lookupKey])
    }

    func insert(_ price: Price) throws {
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
                price.recurring?.meter?.rawValue, price.scheme.billingScheme, unitAmount, divideBy, round,
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
    func price(_ id: Price.ID) throws -> Price {
        guard let price = try prices(where: "id = ?", [id.rawValue], cached: true).first else {
            throw LedgerError.missing("price", id.rawValue, param: "price")
        }
        return price
    }

    /// Prices, oldest first; only active ones when `activeOnly`, only one product's when given.
    func prices(product: Product.ID?, activeOnly: Bool) throws -> [Price] {
        var clause = "1 = 1"
        var args: [(any SQLBindable)?] = []
        if let product {
            clause += " AND productId = ?"
            args.append(product.rawValue)
        }
        if activeOnly { clause += " AND active = 1" }
        return try prices(where: clause, SQLArguments(args))
    }

    private func prices(where clause: String, _ args: SQLArguments, cached: Bool = false) throws -> [Price] {
        let sql = "SELECT * FROM price WHERE \(clause) ORDER BY created, rowid"
        let rows = try SQLRow.fetchAll(
            cached ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: args)
        return try rows.map { row in
            let id: String = row["id"]
            let scheme: PricingScheme
            if let mode: String = row["tiersMode"] {
                let tiers = try SQLRow.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM priceTier WHERE priceId = ? ORDER BY position"),
                    arguments: [id]
                ).map { tier in
                    PriceTier(
                        upTo: tier["upTo"],
                        unitAmount: (tier["unitAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)),
                        flatAmount: (tier["flatAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)))
                }
                scheme = .tiered(mode: try stored(TiersMode(rawValue: mode), "mode"), tiers: tiers)
            } else {
                let amount = try stored(ExactDecimal(parsing: row["unitAmountDecimal"] as String), "unitAmountDecimal")
                var transform: TransformQuantity?
                if let divideBy: Int64 = row["transformDivideBy"] {
                    transform = TransformQuantity(
                        divideBy: divideBy,
                        round: try stored(TransformQuantity.Round(rawValue: row["transformRound"]), "transformRound"))
                }
                scheme = .perUnit(unitAmount: amount, transform: transform)
            }
            var recurring: Price.Recurring?
            if let interval: String = row["recurringInterval"] {
                recurring = Price.Recurring(
                    interval: try stored(Price.Interval(rawValue: interval), "recurringInterval"),
                    intervalCount: row["recurringIntervalCount"],
                    usageType: try stored(Price.UsageType(rawValue: row["usageType"]), "usageType"),
                    meter: (row["meterId"] as String?).map { Meter.ID($0) })
            }
            return Price(
                id: .init(id), product: .init(row["productId"]), currency: try Currency(code: row["currency"]),
                active: row["active"], lookupKey: row["lookupKey"], nickname: row["nickname"],
                kind: try stored(Price.Kind(rawValue: row["type"]), "type"), recurring: recurring, scheme: scheme,
                metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
        }
    }

    func archive(_ price: Price.ID) throws {
        try db.execute(sql: "UPDATE price SET active = 0 WHERE id = ?", arguments: [price.rawValue])
    }

    // MARK: Meters

    func insert(_ meter: Meter) throws {
        try db.execute(
            sql: """
                INSERT INTO meter (id, displayName, eventName, aggregation, customerKey, valueKey,
                    status, metadata, created)
                VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """,
            arguments: [
                meter.id.rawValue, meter.displayName, meter.eventName, meter.aggregation.rawValue,
                meter.customerKey, meter.valueKey, MetadataJSON.encode(meter.metadata), meter.created,
            ])
    }

    /// The meter holding `eventName`, if any.
    func meterID(eventName: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM meter WHERE eventName = ?", arguments: [eventName])
    }

    /// - Throws: `resource_missing`.
    func meter(_ id: Meter.ID) throws -> Meter {
        guard let meter = try meters(where: "id = ?", [id.rawValue]).first else {
            throw LedgerError.missing("meter", id.rawValue, param: "meter")
        }
        return meter
    }

    /// Every meter, oldest first.
    func meters() throws -> [Meter] { try meters(where: "1 = 1", []) }

    private func meters(where clause: String, _ args: SQLArguments) throws -> [Meter] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM meter WHERE \(clause) ORDER BY created, seq", arguments: args)
            .map { row in
                Meter(
                    id: .init(row["id"]), displayName: row["displayName"], eventName: row["eventName"],
                    aggregation: try stored(Meter.Aggregation(rawValue: row["aggregation"]), "aggregation"),
                    customerKey: row["customerKey"],
                    valueKey: row["valueKey"], status: try stored(Meter.Status(rawValue: row["status"]), "status"),
                    metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
            }
    }

    /// Renames a meter. - Throws: `resource_missing`.
    func rename(_ meter: Meter.ID, to displayName: String) throws {
        try db.execute(sql: "UPDATE meter SET displayName = ? WHERE id = ?", arguments: [displayName, meter.rawValue])
        guard db.changesCount == 1 else { throw LedgerError.missing("meter", meter.rawValue, param: "meter") }
    }

    /// - Throws: `resource_missing`.
    func setStatus(_ meter: Meter.ID, _ status: Meter.Status) throws {
        try db.execute(sql: "UPDATE meter SET status = ? WHERE id = ?", arguments: [status.rawValue, meter.rawValue])
        guard db.changesCount == 1 else { throw LedgerError.missing("meter", meter.rawValue, param: "meter") }
    }

    /// The meter's compact key and its aggregation formula.
    /// - Throws: `resource_missing`.
    func meterKey(_ meter: Meter.ID) throws -> (seq: Int64, formula: Meter.Aggregation) {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT seq, aggregation FROM meter WHERE id = ?"), arguments: [meter.rawValue])
        else { throw LedgerError.missing("meter", meter.rawValue, param: "meter") }
        return (row["seq"], try stored(Meter.Aggregation(rawValue: row["aggregation"]), "aggregation"))
    }
}

/// A price with what billing needs beside it: its product's name and its meter.
struct PriceInfo {
    let price: Price
    let productName: String
    let meterSeq: Int64?
    let formula: Meter.Aggregation?

    var isMetered: Bool { price.isMetered }
}

extension StorageTransaction {
    func priceInfo(_ id: Price.ID, cache: inout [Price.ID: PriceInfo]) throws -> PriceInfo {
        if let info = cache[id] { return info }
        let price = try price(id)
        let name = try productName(of: price)
        var meterSeq: Int64?
        var formula: Meter.Aggregation?
        if let meter = price.recurring?.meter {
            (meterSeq, formula) = try meterKey(meter)
        }
        let info = PriceInfo(price: price, productName: name, meterSeq: meterSeq, formula: formula)
        cache[id] = info
        return info
    }
}
