/// One usage event as submitted: Stripe's meter event, or a flat import line.
///
/// The customer and value come either from explicit fields (flat form: `customer`, `value`) or
/// from the payload under the meter's keys (Stripe's form: `payload.stripe_customer_id`,
/// `payload.value`); every other payload key is a dimension, stored with the event.
public struct EventSubmission: Hashable, Sendable {
    public var eventName: String
    public var identifier: String?
    /// Unix seconds; nil means now.
    public var timestamp: Int64?
    public var customer: Customer.ID?
    /// The value, exact (nil: under the meter's value key in `payload`, as text).
    public var value: ExactDecimal?
    public var payload: [String: String]

    public init(
        eventName: String, identifier: String? = nil, timestamp: Int64? = nil,
        customer: Customer.ID? = nil, value: ExactDecimal? = nil, payload: [String: String] = [:]
    ) {
        self.eventName = eventName
        self.identifier = identifier
        self.timestamp = timestamp
        self.customer = customer
        self.value = value
        self.payload = payload
    }

    /// Refuses NUL in any of the submission's text (see `Text.checkCharacters`), before the
    /// event name or customer is looked up.
    /// - Throws: `invalid_text` naming the field.
    public func checkText() throws {
        try Text.checkCharacters(eventName, param: "event_name")
        if let identifier { try Text.checkCharacters(identifier, param: "identifier") }
        if let customer { try Text.checkCharacters(customer.rawValue, param: "customer") }
        for (key, value) in payload {
            try Text.checkCharacters(key, param: "payload")
            try Text.checkCharacters(value, param: "payload[\(key)]")
        }
    }

    /// The customer, value and dimensions under `meter`'s payload keys.
    /// - Throws: `invalid_request` when the customer or value is missing, `invalid_quantity` for
    ///   a value that is not a decimal within 15 significant and 12 fractional digits.
    public func resolve(customerKey: String, valueKey: String) throws
        -> (customer: Customer.ID, value: ExactDecimal, dimensions: [String: String])
    {
        var dimensions = payload
        var customer = customer?.rawValue
        var valueText: String?
        if !dimensions.isEmpty {  // most events name both directly: no hashing then
            customer = customer ?? dimensions[customerKey]
            valueText = dimensions[valueKey]
            dimensions[customerKey] = nil
            dimensions[valueKey] = nil
        }
        guard let customer, !customer.isEmpty else {
            throw LedgerError.invalidRequest(
                "the event names no customer (customer, or payload.\(customerKey))", param: "customer")
        }
        guard value != nil || valueText != nil else {
            throw LedgerError.invalidRequest(
                "the event has no value (value, or payload.\(valueKey))", param: "value")
        }
        if dimensions.count > Limits.eventDimensionsMax {
            throw LedgerError.invalidRequest(
                "the event has \(dimensions.count) dimensions; at most \(Limits.eventDimensionsMax)",
                param: "payload")
        }
        for (key, value) in dimensions
        where key.count > Limits.metadataKeyLengthMax || value.count > Limits.metadataValueLengthMax {
            throw LedgerError.invalidRequest(
                "dimension '\(key.prefix(40))' exceeds \(Limits.metadataKeyLengthMax) characters (key) or \(Limits.metadataValueLengthMax) (value)",
                param: "payload")
        }
        let exact =
            try value.map { try ExactDecimal.checkQuantity($0, param: "value", allowNegative: true) }
            ?? ExactDecimal.quantity(valueText!, param: "value", allowNegative: true)
        return (Customer.ID(customer), exact, dimensions)
    }
}

/// A recorded meter event.
public struct MeterEvent: Hashable, Sendable {
    public var identifier: String
    public var eventName: String
    public var meter: Meter.ID
    public var customer: Customer.ID
    public var timestamp: Int64
    public var value: ExactDecimal
    public var dimensions: [String: String]
    /// When it was recorded (the ledger's now), Unix seconds.
    public var recordedAt: Int64
    public var cancelledAt: Int64?
    /// Recorded after the invoice of its period was finalized: stored and reported, never billed.
    public var late: Bool
    /// The meter's payload keys for the customer and the value.
    public var customerKey: String
    public var valueKey: String

    /// Stripe's `payload`: the customer and value under the meter's keys, and the dimensions.
    public var payload: [String: String] {
        dimensions.merging([customerKey: customer.rawValue, valueKey: value.description]) { _, new in new }
    }

    public init(
        identifier: String, eventName: String, meter: Meter.ID, customer: Customer.ID,
        timestamp: Int64, value: ExactDecimal, dimensions: [String: String], recordedAt: Int64,
        cancelledAt: Int64?, late: Bool, customerKey: String = "stripe_customer_id", valueKey: String = "value"
    ) {
        self.identifier = identifier
        self.eventName = eventName
        self.meter = meter
        self.customer = customer
        self.timestamp = timestamp
        self.value = value
        self.dimensions = dimensions
        self.recordedAt = recordedAt
        self.cancelledAt = cancelledAt
        self.late = late
        self.customerKey = customerKey
        self.valueKey = valueKey
    }
}

/// The 64-bit FNV-1a hash of an event identifier's UTF-8 bytes, as a signed integer: the key of
/// the compact identifier index. Stable across platforms and versions (it is stored).
public func identifierHash(_ identifier: String) -> Int64 {
    func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
    return identifier.utf8.withContiguousStorageIfAvailable(fnv1a) ?? fnv1a(identifier.utf8)
}
