/// What a caller gives to create a meter.
public struct MeterParams: Sendable {
    public var id: Meter.ID?
    public var displayName: String
    public var eventName: String
    public var aggregation: Meter.Aggregation
    public var customerKey: String
    public var valueKey: String
    public var metadata: [String: String]

    public init(
        id: Meter.ID? = nil, displayName: String, eventName: String,
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
            valueKey: params.valueKey, status: .active, metadata: params.metadata, created: try now)
        return try store.write { tx in
            try tx.requireAbsent(table: "meter", id: id, kind: "meter")
            if let holder = try tx.meterID(eventName: params.eventName) {
                throw LedgerError(
                    .resourceExists, "event_name '\(params.eventName)' already belongs to meter '\(holder)'",
                    param: "event_name")
            }
            try tx.insert(meter)
            return meter
        }
    }

    /// - Throws: `resource_missing`.
    public func meter(_ id: Meter.ID) throws -> Meter {
        try store.read { tx in try tx.meter(id) }
    }

    /// Every meter, oldest first.
    public func meters() throws -> [Meter] {
        try store.read { tx in try tx.meters() }
    }

    /// Renames a meter: `display_name` is the only term that can change.
    /// - Throws: `resource_missing`, `invalid_request` (empty name).
    public func updateMeter(_ id: Meter.ID, displayName: String) throws -> Meter {
        if displayName.isEmpty {
            throw LedgerError.invalidRequest("display_name cannot be empty", param: "display_name")
        }
        try Text.validate(displayName, param: "display_name", maxLength: 250)
        return try store.write { tx in
            try tx.rename(id, to: displayName)
            return try tx.meter(id)
        }
    }

    /// Deactivates a meter: it accepts no events and cannot back a new price. Idempotent.
    /// - Throws: `resource_missing`.
    public func deactivateMeter(_ id: Meter.ID) throws -> Meter {
        try setMeterStatus(id, .inactive)
    }

    /// Reactivates a meter. Idempotent.
    /// - Throws: `resource_missing`.
    public func reactivateMeter(_ id: Meter.ID) throws -> Meter {
        try setMeterStatus(id, .active)
    }

    private func setMeterStatus(_ id: Meter.ID, _ status: Meter.Status) throws -> Meter {
        try store.write { tx in
            try tx.setStatus(id, status)
            return try tx.meter(id)
        }
    }
}
