/// Aggregates usage events with one event name, per customer: Stripe's `billing.meter`.
public struct Meter: Hashable, Sendable {
    public typealias ID = Identifier<Meter>
    public static let idPrefix = "mtr"

    /// `default_aggregation.formula`: Stripe's sum, count and last, plus max (peers).
    public enum Aggregation: String, Sendable, CaseIterable {
        case sum, count, last, max
    }

    public enum Status: String, Sendable, CaseIterable {
        case active, inactive
    }

    public var id: ID
    public var displayName: String
    public var eventName: String
    public var aggregation: Aggregation
    /// `customer_mapping.event_payload_key`.
    public var customerKey: String
    /// `value_settings.event_payload_key`.
    public var valueKey: String
    public var status: Status
    public var metadata: [String: String]
    public var created: Int64

    public init(
        id: ID, displayName: String, eventName: String, aggregation: Aggregation,
        customerKey: String, valueKey: String, status: Status, metadata: [String: String],
        created: Int64
    ) {
        self.id = id
        self.displayName = displayName
        self.eventName = eventName
        self.aggregation = aggregation
        self.customerKey = customerKey
        self.valueKey = valueKey
        self.status = status
        self.metadata = metadata
        self.created = created
    }
}
