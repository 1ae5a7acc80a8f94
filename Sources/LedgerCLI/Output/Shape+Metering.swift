import LedgerKit

extension Shape {
    static func meter(_ m: Meter) -> JSON {
        .object([
            ("id", .string(m.id.rawValue)), ("object", .string("billing.meter")),
            ("created", .int(m.created)),
            ("customer_mapping", .object([("event_payload_key", .string(m.customerKey)), ("type", .string("by_id"))])),
            ("default_aggregation", .object([("formula", .string(m.aggregation.rawValue))])),
            ("display_name", .string(m.displayName)), ("event_name", .string(m.eventName)),
            ("livemode", .bool(false)), ("metadata", .metadata(m.metadata)),
            ("status", .string(m.status.rawValue)),
            ("value_settings", .object([("event_payload_key", .string(m.valueKey))])),
        ])
    }

    static func event(_ e: MeterEvent, outcome: RecordOutcome? = nil) -> JSON {
        var fields: [(String, JSON)] = [
            ("object", .string("billing.meter_event")), ("created", .int(e.recordedAt)),
            ("event_name", .string(e.eventName)), ("identifier", .string(e.identifier)),
            ("livemode", .bool(false)),
            ("payload", .metadata(e.payload)),
            ("timestamp", .int(e.timestamp)), ("customer", .string(e.customer.rawValue)),
            ("meter", .string(e.meter.rawValue)), ("value", .string(e.value.description)),
            ("cancelled_at", .optional(e.cancelledAt)), ("late", .bool(e.late)),
        ]
        if let outcome { fields.append(("result", .string(outcome.rawValue))) }
        return .object(fields)
    }

    static func summary(_ s: EventSummary) -> JSON {
        .object([
            ("id", .string("mtrsum_\(s.meter.rawValue)_\(s.customer.rawValue)_\(s.start)")),
            ("object", .string("billing.meter_event_summary")),
            ("aggregated_value", .number(s.aggregatedValue)),
            ("end_time", .int(s.end)), ("livemode", .bool(false)), ("meter", .string(s.meter.rawValue)),
            ("customer", .string(s.customer.rawValue)), ("start_time", .int(s.start)),
        ])
    }

    /// What `events import` did: line counts, and whether an atomic import rolled back.
    static func eventImport(_ report: ImportReport, format: ImportFormat, atomic: Bool) -> JSON {
        .object([
            ("object", .string("meter_event_import")), ("format", .string(format.rawValue)),
            ("lines", .int(Int64(report.lines))), ("accepted", .int(Int64(report.accepted))),
            ("duplicate", .int(Int64(report.duplicate))), ("rejected", .int(Int64(report.rejected))),
            ("atomic", .bool(atomic)), ("rolled_back", .bool(report.rolledBack)),
        ])
    }

    /// Stripe's meter event adjustment for a cancelled event, with the event as it now is.
    static func eventCancellation(_ cancelled: MeterEvent, eventName: String, identifier: String) -> JSON {
        .object([
            ("object", .string("billing.meter_event_adjustment")), ("event_name", .string(eventName)),
            ("livemode", .bool(false)), ("status", .string("complete")), ("type", .string("cancel")),
            ("cancel", .object([("identifier", .string(identifier))])),
            ("event", event(cancelled)),
        ])
    }
}
