/// Whether a submitted event was written or recognized as already recorded.
public enum RecordOutcome: String, Sendable {
    case accepted
    /// Same identifier and same content as an event already recorded: nothing written.
    case duplicate
}

/// Which timestamps are accepted, relative to now (Stripe: 35 days back, 5 minutes ahead).
public struct EventWindow: Hashable, Sendable {
    public var maxAgeSeconds: Int64
    public var maxFutureSeconds: Int64

    public init(
        maxAgeSeconds: Int64 = Limits.eventMaxAgeSeconds,
        maxFutureSeconds: Int64 = Limits.eventMaxFutureSeconds
    ) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxFutureSeconds = maxFutureSeconds
    }

    /// - Throws: `timestamp_outside_window` unless `now − maxAge ≤ timestamp ≤ now + maxFuture`.
    public func check(_ timestamp: Int64, now: Int64) throws {
        try EventRules.checkWindow(
            timestamp: timestamp, now: now, maxAgeSeconds: maxAgeSeconds, maxFutureSeconds: maxFutureSeconds)
    }
}

/// One bucket of an event summary (Stripe's `billing.meter_event_summary`).
public struct EventSummary: Hashable, Sendable {
    public var meter: Meter.ID
    public var customer: Customer.ID
    public var start: Int64
    public var end: Int64
    public var aggregatedValue: ExactDecimal
}

extension Ledger {
    /// Records one meter event (its own transaction).
    /// - Throws: `invalid_time` (timestamp or now outside `Instant.range`), `resource_missing` (meter
    ///   for the event name, customer), `meter_inactive`,
    ///   `timestamp_outside_window`, `invalid_quantity`, `identifier_conflict`, `invalid_request`.
    public func record(_ submission: EventSubmission, window: EventWindow = EventWindow()) throws
        -> (outcome: RecordOutcome, event: MeterEvent)
    {
        let now = try self.now
        return try write(at: now) { tx, now in
            var writer = EventWriter(tx, now: now, window: window)
            writer.keepAccepted = true
            let outcome = try writer.write(submission)
            try writer.advanceClock()
            try Self.judgeUsageAlerts(tx, writer.touched, at: now)
            if outcome == .accepted, let event = writer.lastAccepted { return (outcome, event) }
            return (outcome, try tx.event(identifier: writer.lastIdentifier))
        }
    }

    /// The event recorded under `identifier`.
    /// - Throws: `resource_missing`.
    public func event(identifier: String) throws -> MeterEvent {
        try store.read { tx in try tx.event(identifier: identifier) }
    }

    /// Cancels an event by identifier (Stripe's meter event adjustment of type `cancel`): it
    /// stops counting everywhere.
    /// - Throws: `resource_missing` (no such event for that event name),
    ///   `event_already_cancelled`, `event_already_invoiced`.
    public func cancelEvent(eventName: String, identifier: String) throws -> MeterEvent {
        let now = try self.now
        return try write(at: now) { tx, now in
            let event = try tx.event(identifier: identifier)
            guard event.eventName == eventName else {
                throw LedgerError.missing("meter event '\(identifier)' for event_name", eventName, param: "identifier")
            }
            if event.cancelledAt != nil {
                throw LedgerError(
                    .eventAlreadyCancelled, "meter event '\(identifier)' is already cancelled", param: "identifier")
            }
            let periods = try tx.finalizedPeriods(
                customerSeq: try tx.customerSeq(event.customer), meterSeq: try tx.meterKey(event.meter).seq)
            if EventRules.isBilled(event, finalizedPeriods: periods) {
                throw LedgerError(
                    .eventAlreadyInvoiced,
                    "meter event '\(identifier)' is billed on a finalized invoice and cannot be cancelled",
                    param: "identifier")
            }
            try tx.cancel(identifier: identifier, at: max(now, event.recordedAt))
            if try tx.anyActiveUsageAlert() {
                try Self.judgeUsageAlerts(
                    tx, customer: event.customer, meter: event.meter, at: max(now, event.recordedAt))
            }
            return try tx.event(identifier: identifier)
        }
    }

    /// The meter's aggregate of `customer`'s events with timestamps in `[start, end)`, cancelled
    /// events excluded. This is the figure invoices bill.
    /// - Throws: `invalid_time` (a bound outside `Instant.range`), `resource_missing`, `amount_overflow`.
    public func usage(customer: Customer.ID, meter: Meter.ID, start: Int64, end: Int64) throws -> ExactDecimal {
        try Instant.check(start, param: "start")
        try Instant.check(end, param: "end")
        return try store.read { tx in
            let (meterSeq, formula) = try tx.meterKey(meter)
            return try tx.aggregate(
                customerSeq: try tx.customerSeq(customer), meterSeq: meterSeq, formula: formula, start: start, end: end)
        }
    }

    /// Summaries of a meter for one customer over `[start, end)`: one bucket for the whole range,
    /// or one per hour / UTC day holding events.
    /// - Throws: `resource_missing`, `invalid_time` (outside `Instant.range`, unaligned or empty range).
    public func eventSummaries(
        meter: Meter.ID, customer: Customer.ID, start: Int64, end: Int64, grouping: SummaryGrouping?
    ) throws -> [EventSummary] {
        try SummaryWindow.validate(start: start, end: end, grouping: grouping)
        return try store.read { tx in
            let (meterSeq, formula) = try tx.meterKey(meter)
            let customerSeq = try tx.customerSeq(customer)
            guard let grouping else {
                let value = try tx.aggregate(
                    customerSeq: customerSeq, meterSeq: meterSeq, formula: formula, start: start, end: end)
                return [EventSummary(meter: meter, customer: customer, start: start, end: end, aggregatedValue: value)]
            }
            var buckets: [(Int64, UsageAggregator)] = []
            try tx.forEachEvent(customerSeq: customerSeq, meterSeq: meterSeq, start: start, end: end) {
                seq, timestamp, value in
                let bucket = SummaryWindow.bucket(of: timestamp, start: start, grouping: grouping).lowerBound
                if buckets.last?.0 != bucket { buckets.append((bucket, UsageAggregator(formula))) }
                try buckets[buckets.count - 1].1.add(timestamp: timestamp, seq: seq, value: value)
            }
            return buckets.map { bucket, aggregator in
                EventSummary(
                    meter: meter, customer: customer, start: bucket, end: bucket + grouping.seconds,
                    aggregatedValue: aggregator.result)
            }
        }
    }
}
