import GRDB

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
    // MARK: Meters

    /// Renames a meter: `display_name` is the only term that can change.
    /// - Throws: `resource_missing`, `invalid_request` (empty name).
    public func updateMeter(_ id: Meter.ID, displayName: String) throws -> Meter {
        if displayName.isEmpty {
            throw LedgerError.invalidRequest("display_name cannot be empty", param: "display_name")
        }
        try Text.validate(displayName, param: "display_name", maxLength: 250)
        return try store.write { db in
            try db.execute(
                sql: "UPDATE meter SET displayName = ? WHERE id = ?", arguments: [displayName, id.rawValue])
            guard db.changesCount == 1 else { throw LedgerError.missing("meter", id.rawValue, param: "meter") }
            return try Self.fetchMeters(db, where: "id = ?", [id.rawValue])[0]
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
        try store.write { db in
            try db.execute(
                sql: "UPDATE meter SET status = ? WHERE id = ?", arguments: [status.rawValue, id.rawValue])
            guard db.changesCount == 1 else { throw LedgerError.missing("meter", id.rawValue, param: "meter") }
            return try Self.fetchMeters(db, where: "id = ?", [id.rawValue])[0]
        }
    }

    // MARK: Events

    /// Records one meter event (its own transaction).
    /// - Throws: `resource_missing` (meter for the event name, customer), `meter_inactive`,
    ///   `timestamp_outside_window`, `invalid_quantity`, `identifier_conflict`, `invalid_request`.
    public func record(_ submission: EventSubmission, window: EventWindow = EventWindow()) throws
        -> (outcome: RecordOutcome, event: MeterEvent)
    {
        let now = self.now
        return try write(at: now) { db in
            var writer = EventWriter(db: db, now: now, window: window)
            writer.keepAccepted = true
            let outcome = try writer.write(submission)
            try writer.advanceClock()
            if outcome == .accepted, let event = writer.lastAccepted { return (outcome, event) }
            return (outcome, try Self.fetchEvent(db, identifier: writer.lastIdentifier))
        }
    }

    /// The event recorded under `identifier`.
    /// - Throws: `resource_missing`.
    public func event(identifier: String) throws -> MeterEvent {
        try store.read { db in try Self.fetchEvent(db, identifier: identifier) }
    }

    static func fetchEvent(_ db: Database, identifier: String) throws -> MeterEvent {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT e.*, m.id AS meterId, m.eventName, m.customerKey, m.valueKey, c.id AS customerId
                        FROM meterEvent e JOIN meter m ON m.seq = e.meterSeq JOIN customer c ON c.seq = e.customerSeq
                        WHERE e.identifierHash = ? AND e.identifier = ?
                        """),
                arguments: [identifierHash(identifier), identifier])
        else { throw LedgerError.missing("meter event", identifier, param: "identifier") }
        let dimensions: String? = row["dimensions"]
        return MeterEvent(
            identifier: row["identifier"], eventName: row["eventName"], meter: .init(row["meterId"]),
            customer: .init(row["customerId"]), timestamp: row["timestamp"],
            value: ExactDecimal(significand: Int128(row["valueSignificand"] as Int64), scale: row["valueScale"]),
            dimensions: dimensions.map(MetadataJSON.decode) ?? [:], recordedAt: row["recordedAt"],
            cancelledAt: row["cancelledAt"], late: row["late"], customerKey: row["customerKey"],
            valueKey: row["valueKey"])
    }

    /// Cancels an event by identifier (Stripe's meter event adjustment of type `cancel`): it
    /// stops counting everywhere.
    /// - Throws: `resource_missing` (no such event for that event name),
    ///   `event_already_cancelled`, `event_already_invoiced`.
    public func cancelEvent(eventName: String, identifier: String) throws -> MeterEvent {
        let now = self.now
        return try write(at: now) { db in
            let event = try Self.fetchEvent(db, identifier: identifier)
            guard event.eventName == eventName else {
                throw LedgerError.missing("meter event '\(identifier)' for event_name", eventName, param: "identifier")
            }
            if event.cancelledAt != nil {
                throw LedgerError(
                    .eventAlreadyCancelled, "meter event '\(identifier)' is already cancelled", param: "identifier")
            }
            // A late event was never billed; any other in a finalized period is on an invoice.
            if !event.late {
                let (meterSeq, _) = try Self.meterKey(db, event.meter)
                if try Self.isInFinalizedPeriod(
                    db, customerSeq: try Self.customerSeq(db, event.customer), meterSeq: meterSeq,
                    timestamp: event.timestamp)
                {
                    throw LedgerError(
                        .eventAlreadyInvoiced,
                        "meter event '\(identifier)' is billed on a finalized invoice and cannot be cancelled",
                        param: "identifier")
                }
            }
            try db.execute(
                sql: "UPDATE meterEvent SET cancelledAt = ? WHERE identifierHash = ? AND identifier = ?",
                arguments: [max(now, event.recordedAt), identifierHash(identifier), identifier])
            return try Self.fetchEvent(db, identifier: identifier)
        }
    }

    /// The meter's aggregate of `customer`'s events with timestamps in `[start, end)`, cancelled
    /// events excluded. This is the figure invoices bill.
    /// - Throws: `resource_missing`, `amount_overflow`.
    public func usage(customer: Customer.ID, meter: Meter.ID, start: Int64, end: Int64) throws
        -> ExactDecimal
    {
        try store.read { db in
            let (meterSeq, formula) = try Self.meterKey(db, meter)
            let customerSeq = try Self.customerSeq(db, customer)
            return try Self.aggregate(
                db, customerSeq: customerSeq, meterSeq: meterSeq, formula: formula, start: start, end: end)
        }
    }

    static func meterKey(_ db: Database, _ meter: Meter.ID) throws -> (Int64, Meter.Aggregation) {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT seq, aggregation FROM meter WHERE id = ?"), arguments: [meter.rawValue])
        else { throw LedgerError.missing("meter", meter.rawValue, param: "meter") }
        return (row["seq"], Meter.Aggregation(rawValue: row["aggregation"])!)
    }

    static func customerSeq(_ db: Database, _ customer: Customer.ID) throws -> Int64 {
        guard
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT seq FROM customer WHERE id = ?"), arguments: [customer.rawValue])
        else { throw LedgerError.missing("customer", customer.rawValue, param: "customer") }
        return seq
    }

    /// The aggregate over `[start, end)` of the events recorded by `asOf` and not cancelled by
    /// then (default: everything recorded, cancellations included).
    static func aggregate(
        _ db: Database, customerSeq: Int64, meterSeq: Int64, formula: Meter.Aggregation, start: Int64, end: Int64,
        asOf: Int64 = .max
    ) throws -> ExactDecimal {
        var aggregator = UsageAggregator(formula)
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT seq, timestamp, valueSignificand, valueScale FROM meterEvent
                    WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ?
                        AND recordedAt <= ? AND (cancelledAt IS NULL OR cancelledAt > ?)
                    """),
            arguments: [customerSeq, meterSeq, start, end, asOf, asOf])
        while let row = try rows.next() {
            try aggregator.add(
                timestamp: row[1], seq: row[0],
                value: ExactDecimal(significand: Int128(row[2] as Int64), scale: row[3]))
        }
        return aggregator.result
    }

    /// Summaries of a meter for one customer over `[start, end)`: one bucket for the whole range,
    /// or one per hour / UTC day holding events.
    /// - Throws: `resource_missing`, `invalid_time` (unaligned or empty range).
    public func eventSummaries(
        meter: Meter.ID, customer: Customer.ID, start: Int64, end: Int64, grouping: SummaryGrouping?
    ) throws -> [EventSummary] {
        try SummaryWindow.validate(start: start, end: end, grouping: grouping)
        return try store.read { db in
            let (meterSeq, formula) = try Self.meterKey(db, meter)
            let customerSeq = try Self.customerSeq(db, customer)
            guard let grouping else {
                let value = try Self.aggregate(
                    db, customerSeq: customerSeq, meterSeq: meterSeq, formula: formula, start: start, end: end)
                return [EventSummary(meter: meter, customer: customer, start: start, end: end, aggregatedValue: value)]
            }
            var buckets: [(Int64, UsageAggregator)] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, timestamp, valueSignificand, valueScale FROM meterEvent
                    WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ?
                        AND cancelledAt IS NULL
                    ORDER BY timestamp
                    """,
                arguments: [customerSeq, meterSeq, start, end])
            while let row = try rows.next() {
                let timestamp: Int64 = row[1]
                let bucket = start + (timestamp - start) / grouping.seconds * grouping.seconds
                if buckets.last?.0 != bucket { buckets.append((bucket, UsageAggregator(formula))) }
                try buckets[buckets.count - 1].1.add(
                    timestamp: timestamp, seq: row[0],
                    value: ExactDecimal(significand: Int128(row[2] as Int64), scale: row[3]))
            }
            return buckets.map { bucket, aggregator in
                EventSummary(
                    meter: meter, customer: customer, start: bucket, end: bucket + grouping.seconds,
                    aggregatedValue: aggregator.result)
            }
        }
    }
}

/// Writes events inside one transaction, caching meter and customer look-ups. Shared by
/// `record` (one event) and `importEvents` (a batch).
struct EventWriter {
    let db: Database
    let now: Int64
    let window: EventWindow
    private(set) var lastIdentifier = ""
    /// The event last accepted, as written (so `record` need not read it back).
    private(set) var lastAccepted: MeterEvent?
    /// Whether to keep `lastAccepted` (one event); bulk imports skip the copy.
    var keepAccepted = false
    private var meters: [String: MeterKey] = [:]
    private var customers: [String: Int64] = [:]
    private var billedThrough: [BilledKey: Int64] = [:]
    /// The latest finalized metered period end of anyone (read once per writer).
    private var billedMax: Int64?
    /// Events written by this writer.
    private(set) var accepted = 0

    struct MeterKey {
        let seq: Int64
        let active: Bool
        let customerKey: String
        let valueKey: String
        let id: String
    }

    init(db: Database, now: Int64, window: EventWindow) {
        self.db = db
        self.now = now
        self.window = window
    }

    /// - Throws: the rejection of this event; nothing is written then.
    mutating func write(_ submission: EventSubmission) throws -> RecordOutcome {
        let meter = try meterKey(submission.eventName)
        guard meter.active else {
            throw LedgerError(
                .meterInactive, "meter '\(meter.id)' for event_name '\(submission.eventName)' is inactive",
                param: "event_name")
        }
        let (customerID, value, dimensions) = try submission.resolve(
            customerKey: meter.customerKey, valueKey: meter.valueKey)
        let customer = try customerSeq(customerID)
        let timestamp = submission.timestamp ?? now
        if timestamp < now - window.maxAgeSeconds || timestamp > now + window.maxFutureSeconds {
            throw LedgerError(
                .timestampOutOfWindow,
                "timestamp \(Instant.format(timestamp)) is outside the accepted window (\(window.maxAgeSeconds / 86_400) days before now to \(window.maxFutureSeconds / 60) minutes after)",
                param: "timestamp")
        }
        let identifier = submission.identifier ?? IDs.generateTimeOrdered(prefix: "evt", at: now)
        if identifier.isEmpty || identifier.utf8.count > Limits.eventIdentifierLengthMax {
            throw LedgerError.invalidRequest(
                "identifier must be 1–\(Limits.eventIdentifierLengthMax) characters", param: "identifier")
        }
        lastIdentifier = identifier
        let significand = Int64(value.significand)  // < 10^15: checked by the quantity parser
        let dimensionsJSON = dimensions.isEmpty ? nil : MetadataJSON.encode(dimensions)
        let hash = identifierHash(identifier)
        let late = try isLate(customer: customer, meter: meter.seq, timestamp: timestamp)
        // Insert first: the table's trigger skips an identifier already recorded (in SQL), and
        // only then is the existing row read, to tell a duplicate from a conflict.
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp,
                    valueSignificand, valueScale, dimensions, recordedAt, late)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        insert.setUncheckedArguments([
            identifier, hash, meter.seq, customer, timestamp, significand, value.scale, dimensionsJSON, now, late,
        ])
        try insert.execute()
        accepted += db.changesCount
        if db.changesCount == 0 {
            let lookup = try db.cachedStatement(
                sql: """
                    SELECT meterSeq, customerSeq, timestamp, valueSignificand, valueScale, dimensions
                    FROM meterEvent WHERE identifierHash = ? AND identifier = ?
                    """)
            let existing = try Row.fetchOne(lookup, arguments: [hash, identifier])!
            return try compare(existing)
        }
        if keepAccepted {
            lastAccepted = MeterEvent(
                identifier: identifier, eventName: submission.eventName, meter: .init(meter.id),
                customer: .init(customerID), timestamp: timestamp, value: value, dimensions: dimensions,
                recordedAt: now, cancelledAt: nil, late: late, customerKey: meter.customerKey,
                valueKey: meter.valueKey)
        }
        return .accepted

        /// The same event re-sent is a duplicate; anything else under its identifier a conflict.
        func compare(_ existing: Row) throws -> RecordOutcome {
            let same =
                existing["meterSeq"] == meter.seq && existing["customerSeq"] == customer
                && existing["valueSignificand"] == significand && existing["valueScale"] == value.scale
                && (existing["dimensions"] as String?) == dimensionsJSON
                && (submission.timestamp == nil || existing["timestamp"] == timestamp)
            if same { return .duplicate }
            throw LedgerError(
                .identifierConflict,
                "identifier '\(identifier)' was already recorded with different content", param: "identifier")
        }
    }

    /// Late: timestamped in a metered period whose invoice is already finalized. Most events are
    /// after the billed-through mark of their customer and meter, which is cached.
    private mutating func isLate(customer: Int64, meter: Int64, timestamp: Int64) throws -> Bool {
        if billedMax == nil {
            billedMax =
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT billedMax FROM meterEventClock WHERE id = 1"))
                ?? .min
        }
        guard timestamp < billedMax! else { return false }
        let key = BilledKey(customer: customer, meter: meter)
        let through: Int64
        if let cached = billedThrough[key] {
            through = cached
        } else {
            through =
                try Int64.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT billedThrough FROM meterBilledThrough WHERE customerSeq = ? AND meterSeq = ?"),
                    arguments: [customer, meter]) ?? .min
            if billedThrough.count >= 100_000 { billedThrough.removeAll(keepingCapacity: true) }  // bounded memory
            billedThrough[key] = through
        }
        guard timestamp < through else { return false }
        return try Ledger.isInFinalizedPeriod(db, customerSeq: customer, meterSeq: meter, timestamp: timestamp)
    }

    private struct BilledKey: Hashable {
        let customer: Int64
        let meter: Int64
    }

    /// Keeps the recorded-events mark at or after now once events were written (see
    /// meterEventClock). The mark moves in whole hours, so the row is written about once an hour
    /// rather than once per event: a mark later than the true latest recordedAt only makes a
    /// finalization scan for late events when none exist, never skip one.
    func advanceClock() throws {
        guard accepted > 0 else { return }
        let hourAfter = (now / 3_600 + 1) * 3_600
        try db.cachedStatement(sql: "UPDATE meterEventClock SET recordedMax = ? WHERE id = 1 AND recordedMax < ?")
            .execute(arguments: [hourAfter, now])
    }

    private mutating func meterKey(_ eventName: String) throws -> MeterKey {
        if let key = meters[eventName] { return key }
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT seq, id, status, customerKey, valueKey FROM meter WHERE eventName = ?"),
                arguments: [eventName])
        else {
            throw LedgerError(
                .resourceMissing, "no meter has event_name '\(eventName)'", param: "event_name")
        }
        let key = MeterKey(
            seq: row["seq"], active: row["status"] == "active", customerKey: row["customerKey"],
            valueKey: row["valueKey"], id: row["id"])
        meters[eventName] = key
        return key
    }

    private mutating func customerSeq(_ id: String) throws -> Int64 {
        if let seq = customers[id] { return seq }
        guard
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT seq FROM customer WHERE id = ?"), arguments: [id])
        else { throw LedgerError.missing("customer", id, param: "customer") }
        if customers.count >= 100_000 { customers.removeAll(keepingCapacity: true) }  // bounded memory
        customers[id] = seq
        return seq
    }
}
