/// Meter events: the hot write path, look-ups by identifier, cancellation and late events.
extension StorageTransaction {
    /// Where `identifier` is recorded, or where it would go (see 0008_identifier_slots.sql): the
    /// probe starts at the identifier's hash and walks the held slots until it finds the
    /// identifier (then `recorded` is its row, with what `EventWriter` compares) or a free slot.
    func probeSlot(identifier: String) throws -> (slot: Int64, recorded: SQLRow?) {
        let probe = try db.cachedStatement(
            sql: """
                SELECT identifier, meterSeq, customerSeq, timestamp, valueSignificand, valueScale, dimensions
                FROM meterEvent WHERE identifierHash = ?
                """)
        var slot = identifierHash(identifier)
        for _ in 0...EventWriter.probesMax {
            guard let held = try SQLRow.fetchOne(probe, arguments: [slot]) else { return (slot, nil) }
            if held["identifier"] == identifier { return (slot, held) }
            slot &+= 1
        }
        throw LedgerError(.storage, "no free identifier slot within \(EventWriter.probesMax) of the hash")
    }

    /// The slot holding the event recorded under `identifier`; nil when none is.
    func eventSlot(identifier: String) throws -> Int64? {
        let (slot, recorded) = try probeSlot(identifier: identifier)
        return recorded == nil ? nil : slot
    }

    /// The event recorded under `identifier`.
    /// - Throws: `resource_missing`.
    func event(identifier: String) throws -> MeterEvent {
        guard
            let slot = try eventSlot(identifier: identifier),
            let row = try SQLRow.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT e.*, m.id AS meterId, m.eventName, m.customerKey, m.valueKey, c.id AS customerId
                        FROM meterEvent e JOIN meter m ON m.seq = e.meterSeq JOIN customer c ON c.seq = e.customerSeq
                        WHERE e.identifierHash = ? AND e.identifier = ?
                        """),
                arguments: [slot, identifier])
        else { throw LedgerError.missing("meter event", identifier, param: "identifier") }
        let dimensions: String? = row["dimensions"]
        return MeterEvent(
            identifier: row["identifier"], eventName: row["eventName"], meter: .init(row["meterId"]),
            customer: .init(row["customerId"]), timestamp: row["timestamp"],
            value: ExactDecimal(significand: Int128(row["valueSignificand"] as Int64), scale: row["valueScale"]),
            dimensions: try dimensions.map { try MetadataJSON.decode($0) } ?? [:], recordedAt: row["recordedAt"],
            cancelledAt: row["cancelledAt"], late: row["late"], customerKey: row["customerKey"],
            valueKey: row["valueKey"])
    }

    /// Marks the event cancelled at `instant` (a trigger refuses a second cancellation).
    func cancel(identifier: String, at instant: Int64) throws {
        guard let slot = try eventSlot(identifier: identifier) else { return }
        try db.execute(
            sql: "UPDATE meterEvent SET cancelledAt = ? WHERE identifierHash = ? AND identifier = ?",
            arguments: [instant, slot, identifier])
        try markEventsChanged()
    }

    /// The periods `[periodStart, periodEnd)` of this customer's lines billing this meter on
    /// invoices past draft, the classic first invoice's placeholders left out (the finalized
    /// periods `EventRules.isLate` looks in).
    func finalizedPeriods(customerSeq: Int64, meterSeq: Int64) throws -> [Range<Int64>] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT l.periodStart, l.periodEnd FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId
                    WHERE l.customerSeq = ? AND l.meterSeq = ? AND l.periodStart < l.periodEnd
                        AND i.status != 'draft' AND i.billingReason != 'subscription_create'
                    ORDER BY l.periodStart
                    """),
            arguments: [customerSeq, meterSeq]
        ).map { row in (row["periodStart"] as Int64)..<(row["periodEnd"] as Int64) }
    }

    /// The recorded-events mark (see `meterEventClock` and `markEventsChanged`): after the
    /// instant of every event recorded or cancelled since 0010.
    func recordedEventsMark() throws -> Int64 {
        try stored(
            Int64.fetchOne(db.cachedStatement(sql: "SELECT recordedMax FROM meterEventClock WHERE id = 1")),
            "meter event clock")
    }

    /// Keeps the recorded-events mark after the latest instant an event was recorded or
    /// cancelled at, and after every instant this file has processed (`processedThrough`, which
    /// this transaction has already moved to now, unless the clock was let go back). The mark
    /// moves in whole hours, so the row is written about once an hour rather than once per event:
    /// a mark later than needed only makes a finalization look again (scan for late events,
    /// recount a draft's usage) when nothing changed, never skip a look it needs. A draft made at
    /// an instant after the mark therefore counted every event as it still stands.
    func markEventsChanged() throws {
        try db.cachedStatement(
            sql: """
                UPDATE meterEventClock SET recordedMax = (p.processedThrough / 3600 + 1) * 3600
                FROM ledgerClock p WHERE meterEventClock.id = 1 AND p.id = 1 AND recordedMax <= p.processedThrough
                """
        ).execute()
    }

    /// After a finalization at `instant`, for one metered line: events recorded after it but
    /// timestamped in the line's period are late (never billed; looked for only when
    /// `recordedMax`, the recorded-events mark, is after the instant), and the billed-through
    /// marks move to the period's end.
    func closeUsage(
        customer: Customer.ID, customerSeq: Int64, meterSeq: Int64, periodStart: Int64, periodEnd: Int64,
        at instant: Int64,
        recordedMax: Int64
    ) throws {
        if recordedMax > instant {
            try db.cachedStatement(
                sql: """
                    UPDATE meterEvent SET late = 1 WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ?
                        AND timestamp < ? AND recordedAt > ? AND late = 0
                    """
            ).execute(arguments: [customerSeq, meterSeq, periodStart, periodEnd, instant])
        }
        try db.cachedStatement(sql: "UPDATE meterEventClock SET billedMax = ? WHERE id = 1 AND billedMax < ?")
            .execute(arguments: [periodEnd, periodEnd])
        try db.cachedStatement(
            sql: """
                INSERT INTO meterBilledThrough (customerSeq, meterSeq, billedThrough, customerId) VALUES (?, ?, ?, ?)
                ON CONFLICT (customerId, customerSeq, meterSeq)
                    DO UPDATE SET billedThrough = max(meterBilledThrough.billedThrough, excluded.billedThrough)
                """
        ).execute(arguments: [customerSeq, meterSeq, periodEnd, customer.rawValue])
    }

    /// Late, uncancelled events with their customer, meter (and its aggregation), timestamp,
    /// order of recording and value, ordered by customer and meter.
    func lateEvents(customer: Customer.ID?) throws -> [LateEvent] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT c.id AS customerId, m.id AS meterId, m.aggregation, e.seq, e.timestamp, e.valueSignificand,
                    e.valueScale
                FROM meterEvent e JOIN customer c ON c.seq = e.customerSeq JOIN meter m ON m.seq = e.meterSeq
                WHERE e.late = 1 AND e.cancelledAt IS NULL AND (c.id IS ? OR ?)
                ORDER BY c.id, m.id
                """,
            arguments: [customer?.rawValue, customer == nil]
        ).map { row in
            LateEvent(
                customer: Customer.ID(row["customerId"]), meter: Meter.ID(row["meterId"]),
                aggregation: try stored(Meter.Aggregation(rawValue: row["aggregation"]), "aggregation"),
                seq: row["seq"], timestamp: row["timestamp"],
                value: ExactDecimal(significand: Int128(row["valueSignificand"] as Int64), scale: row["valueScale"]))
        }
    }
}

/// A late event as the reconciliation reads it.
struct LateEvent {
    let customer: Customer.ID
    let meter: Meter.ID
    let aggregation: Meter.Aggregation
    let seq: Int64
    let timestamp: Int64
    let value: ExactDecimal
}

/// Writes events inside one transaction, caching meter and customer look-ups. Shared by
/// `record` (one event) and `importEvents` (a batch).
struct EventWriter {
    let tx: StorageTransaction
    var db: any SQLConnection { tx.db }
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
    /// The finalized periods of a customer and meter (they do not change while events are written).
    private var finalized: [BilledKey: [Range<Int64>]] = [:]
    /// The latest finalized metered period end of anyone (read once per writer).
    private var billedMax: Int64?
    /// Events written by this writer.
    private(set) var accepted = 0
    /// Whether any usage alert is active (read once per writer), and when so, the customers'
    /// meters whose usage this writer changed: what `Ledger.judgeUsageAlerts` judges after it.
    private var watchesUsage: Bool?
    private(set) var touched: Set<UsageKey> = []

    struct UsageKey: Hashable {
        let customer: Customer.ID
        let meter: Meter.ID
    }
    /// The insert, found once per writer (GRDB finds a cached statement by hashing its SQL).
    private var insertStatement: (any SQLStatement)?
    /// How many slots past its hash an identifier may land. Each step needs another identifier
    /// of the same or the previous hashes: at 2^64 slots, a run even of 3 is beyond any file.
    static let probesMax = 64

    struct MeterKey {
        let seq: Int64
        let active: Bool
        let customerKey: String
        let valueKey: String
        let id: String
    }

    init(_ tx: StorageTransaction, now: Int64, window: EventWindow) {
        self.tx = tx
        self.now = now
        self.window = window
    }

    /// - Throws: the rejection of this event; nothing is written then.
    mutating func write(_ submission: EventSubmission) throws -> RecordOutcome {
        try submission.checkText()
        let meter = try meterKey(submission.eventName)
        guard meter.active else {
            throw LedgerError(
                .meterInactive, "meter '\(meter.id)' for event_name '\(submission.eventName)' is inactive",
                param: "event_name")
        }
        let (customerID, value, dimensions) = try submission.resolve(
            customerKey: meter.customerKey, valueKey: meter.valueKey)
        let customer = try customerSeq(customerID.rawValue)
        let timestamp = try Instant.check(submission.timestamp ?? now, param: "timestamp")
        try window.check(timestamp, now: now)
        let identifier = submission.identifier ?? IDs.generateTimeOrdered(prefix: "evt", at: now)
        try EventRules.checkIdentifier(identifier)
        lastIdentifier = identifier
        let significand = Int64(value.significand)  // < 10^15: checked by the quantity parser
        let dimensionsJSON = dimensions.isEmpty ? nil : MetadataJSON.encode(dimensions)
        let late = try isLate(customer: customer, meter: meter.seq, timestamp: timestamp)
        if insertStatement == nil {
            insertStatement = try db.cachedStatement(
                sql: """
                    INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp,
                        valueSignificand, valueScale, dimensions, recordedAt, late, customerId)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """)
        }
        let statement = insertStatement!
        // Insert into the identifier's slot (its hash) first: nearly always free. An insert that
        // changes nothing found it held, by this identifier (a duplicate or a conflict) or, after
        // a hash collision, by another one: the probe then finds the identifier or its free slot.
        if try !insert(at: identifierHash(identifier)) {
            let (slot, recorded) = try tx.probeSlot(identifier: identifier)
            if let recorded { return try compare(recorded) }
            guard try insert(at: slot) else {
                throw LedgerError(.storage, "the free identifier slot \(slot) was taken under the write lock")
            }
        }
        accepted += 1
        if watchesUsage == nil { watchesUsage = try tx.anyActiveUsageAlert() }
        if watchesUsage == true { touched.insert(UsageKey(customer: customerID, meter: .init(meter.id))) }
        if keepAccepted {
            lastAccepted = MeterEvent(
                identifier: identifier, eventName: submission.eventName, meter: .init(meter.id),
                customer: customerID, timestamp: timestamp, value: value, dimensions: dimensions,
                recordedAt: now, cancelledAt: nil, late: late, customerKey: meter.customerKey,
                valueKey: meter.valueKey)
        }
        return .accepted

        func insert(at slot: Int64) throws -> Bool {
            try statement.run {
                $0.bind(1, identifier)
                $0.bind(2, slot)
                $0.bind(3, meter.seq)
                $0.bind(4, customer)
                $0.bind(5, timestamp)
                $0.bind(6, significand)
                $0.bind(7, Int64(value.scale))
                $0.bind(8, dimensionsJSON)
                $0.bind(9, now)
                $0.bind(10, late ? 1 : 0)
                $0.bind(11, customerID.rawValue)
            }
        }

        /// The same event re-sent is a duplicate; anything else under its identifier a conflict.
        func compare(_ existing: SQLRow) throws -> RecordOutcome {
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

    /// Late (`EventRules.isLate`): timestamped in a metered period whose invoice is already
    /// finalized. Most events are after the billed-through mark of their customer and meter,
    /// which is cached, and need no look at the periods.
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
        let periods: [Range<Int64>]
        if let cached = finalized[key] {
            periods = cached
        } else {
            periods = try tx.finalizedPeriods(customerSeq: customer, meterSeq: meter)
            if finalized.count >= 10_000 { finalized.removeAll(keepingCapacity: true) }  // bounded memory
            finalized[key] = periods
        }
        return EventRules.isLate(timestamp: timestamp, finalizedPeriods: periods)
    }

    private struct BilledKey: Hashable {
        let customer: Int64
        let meter: Int64
    }

    /// Moves the recorded-events mark past now once events were written (`markEventsChanged`).
    func advanceClock() throws {
        guard accepted > 0 else { return }
        try tx.markEventsChanged()
    }

    private mutating func meterKey(_ eventName: String) throws -> MeterKey {
        if let key = meters[eventName] { return key }
        guard
            let row = try SQLRow.fetchOne(
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

extension StorageTransaction {
    /// The newest timestamp of the customer's events recorded by `asOf` and not cancelled by
    /// then; nil without any.
    func latestEventTimestamp(customer: Customer.ID, asOf: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT max(timestamp) FROM meterEvent
                WHERE customerSeq = ? AND recordedAt <= ? AND (cancelledAt IS NULL OR cancelledAt > ?)
                """, arguments: [try customerSeq(customer), asOf, asOf])
    }
}
