import GRDB

/// What a caller gives to create a meter.
public struct MeterParams: Sendable {
    public var id: String?
    public var displayName: String
    public var eventName: String
    public var aggregation: Meter.Aggregation
    public var customerKey: String
    public var valueKey: String
    public var metadata: [String: String]

    public init(
        id: String? = nil, displayName: String, eventName: String,
        aggregation: Meter.Aggregation = .sum, customerKey: String = "stripe_customer_id",
        valueKey: String = "value", metadata: [String: String] = [:]
    ) {
        self.id = id
        self.displayName = displayName
        self.eventName = eventName
        self.aggregation = aggregation
        self.customerKey = customerKey
        self.valueKey = valueKey
        self.metadata = metadata
    }
}

extension Ledger {
    /// Creates an active meter.
    /// - Throws: `invalid_request` (empty names, id), `invalid_metadata`,
    ///   `resource_already_exists` (id or event name).
    public func createMeter(_ params: MeterParams) throws -> Meter {
        for (value, param) in [
            (params.displayName, "display_name"), (params.eventName, "event_name"),
            (params.customerKey, "customer_mapping.event_payload_key"),
            (params.valueKey, "value_settings.event_payload_key"),
        ] {
            if value.isEmpty { throw LedgerError.invalidRequest("\(param) cannot be empty", param: param) }
            try Text.validate(value, param: param, maxLength: 250)
        }
        if params.customerKey == params.valueKey {
            throw LedgerError.invalidRequest(
                "the customer key and the value key must differ", param: "value_settings.event_payload_key")
        }
        try Metadata.validate(params.metadata)
        let id = try newID(params.id, prefix: Meter.idPrefix)
        let meter = Meter(
            id: .init(id), displayName: params.displayName, eventName: params.eventName,
            aggregation: params.aggregation, customerKey: params.customerKey,
            valueKey: params.valueKey, status: .active, metadata: params.metadata, created: now)
        return try store.write { db in
            try requireAbsent(db, table: "meter", id: id, kind: "meter")
            if let holder = try String.fetchOne(
                db, sql: "SELECT id FROM meter WHERE eventName = ?", arguments: [params.eventName])
            {
                throw LedgerError(
                    .resourceExists, "event_name '\(params.eventName)' already belongs to meter '\(holder)'",
                    param: "event_name")
            }
            try db.execute(
                sql: """
                    INSERT INTO meter (id, displayName, eventName, aggregation, customerKey, valueKey,
                        status, metadata, created)
                    VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                    """,
                arguments: [
                    id, meter.displayName, meter.eventName, meter.aggregation.rawValue,
                    meter.customerKey, meter.valueKey, MetadataJSON.encode(meter.metadata), meter.created,
                ])
            return meter
        }
    }

    /// - Throws: `resource_missing`.
    public func meter(_ id: Meter.ID) throws -> Meter {
        try store.read { db in
            guard let meter = try Self.fetchMeters(db, where: "id = ?", [id.rawValue]).first else {
                throw LedgerError.missing("meter", id.rawValue, param: "meter")
            }
            return meter
        }
    }

    /// Every meter, oldest first.
    public func meters() throws -> [Meter] {
        try store.read { db in try Self.fetchMeters(db, where: "1", []) }
    }

    static func fetchMeters(_ db: Database, where clause: String, _ args: StatementArguments) throws
        -> [Meter]
    {
        try Row.fetchAll(
            db, sql: "SELECT * FROM meter WHERE \(clause) ORDER BY created, seq", arguments: args
        ).map { row in
            Meter(
                id: .init(row["id"]), displayName: row["displayName"], eventName: row["eventName"],
                aggregation: .init(rawValue: row["aggregation"])!, customerKey: row["customerKey"],
                valueKey: row["valueKey"], status: .init(rawValue: row["status"])!,
                metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
        }
    }
}
