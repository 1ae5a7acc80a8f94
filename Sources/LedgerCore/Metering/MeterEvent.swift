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
    public var customer: String?
    /// The value as text, parsed exactly (a decimal; JSON numbers keep their text).
    public var value: String?
    public var payload: [String: String]

    public init(
        eventName: String, identifier: String? = nil, timestamp: Int64? = nil,
        customer: String? = nil, value: String? = nil, payload: [String: String] = [:]
    ) {
        self.eventName = eventName
        self.identifier = identifier
        self.timestamp = timestamp
        self.customer = customer
        self.value = value
        self.payload = payload
    }

    /// The customer, value and dimensions under `meter`'s payload keys.
    /// - Throws: `invalid_request` when the customer or value is missing, `invalid_quantity` for
    ///   a value that is not a decimal within 15 significant and 12 fractional digits.
    public func resolve(customerKey: String, valueKey: String) throws
        -> (customer: String, value: ExactDecimal, dimensions: [String: String])
    {
        var dimensions = payload
        let customer = customer ?? dimensions[customerKey]
        let valueText = value ?? dimensions[valueKey]
        dimensions[customerKey] = nil
        dimensions[valueKey] = nil
        guard let customer, !customer.isEmpty else {
            throw LedgerError.invalidRequest(
                "the event names no customer (customer, or payload.\(customerKey))", param: "customer")
        }
        guard let valueText else {
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
        let value = try ExactDecimal.quantity(valueText, param: "value", allowNegative: true)
        return (customer, value, dimensions)
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

/// The aggregation of a meter over a time range: sum, count, last, max (SPEC §2.2).
///
/// Feed events in any order with `add`; `last` keeps the value of the greatest timestamp, ties
/// going to the one recorded last (greater `seq`). No event aggregates to 0.
public struct UsageAggregator: Sendable {
    public let formula: Meter.Aggregation
    public private(set) var count: Int64 = 0
    private var sum = ExactDecimal.zero
    private var maximum: ExactDecimal?
    private var lastKey: (timestamp: Int64, seq: Int64)?
    private var lastValue = ExactDecimal.zero

    public init(_ formula: Meter.Aggregation) { self.formula = formula }

    /// - Throws: `amount_overflow` when an exact sum no longer fits 38 digits.
    public mutating func add(timestamp: Int64, seq: Int64, value: ExactDecimal) throws {
        count += 1
        switch formula {
        case .sum: sum = try sum.adding(value)
        case .count: break
        case .max: maximum = maximum.map { max($0, value) } ?? value
        case .last:
            if let key = lastKey, (key.timestamp, key.seq) > (timestamp, seq) { return }
            lastKey = (timestamp, seq)
            lastValue = value
        }
    }

    public var result: ExactDecimal {
        switch formula {
        case .sum: return sum
        case .count: return ExactDecimal(count)
        case .max: return maximum ?? .zero
        case .last: return lastValue
        }
    }
}

/// Grouping of event summaries.
public enum SummaryGrouping: String, Sendable, CaseIterable {
    case hour, day

    public var seconds: Int64 { self == .hour ? 3_600 : 86_400 }
}

/// Alignment rules of event summaries (Stripe): bounds on whole minutes, or whole hours / UTC
/// days when grouped.
public enum SummaryWindow {
    /// - Throws: `invalid_time` when a bound is not aligned or the range is empty.
    public static func validate(start: Int64, end: Int64, grouping: SummaryGrouping?) throws {
        let unit: Int64 = grouping?.seconds ?? 60
        let name = grouping.map { $0 == .hour ? "an hour" : "a UTC day" } ?? "a minute"
        for (value, param) in [(start, "start_time"), (end, "end_time")] where value % unit != 0 {
            throw LedgerError(
                .invalidTime, "\(param) \(Instant.format(value)) must be aligned to \(name)", param: param)
        }
        if end <= start {
            throw LedgerError(.invalidTime, "end_time must be after start_time", param: "end_time")
        }
    }
}

/// The 64-bit FNV-1a hash of an event identifier's UTF-8 bytes, as a signed integer: the key of
/// the compact identifier index. Stable across platforms and versions (it is stored).
public func identifierHash(_ identifier: String) -> Int64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in identifier.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return Int64(bitPattern: hash)
}
