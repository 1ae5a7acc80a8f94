/// Usage: what the events of a customer and meter add up to over a period.
extension StorageTransaction {
    /// The aggregate over `[start, end)` of the events recorded by `asOf` and not cancelled by
    /// then (default: everything recorded, cancellations included).
    ///
    /// Sums, counts and maxima are summarized by SQLite, one row per scale, so no event row
    /// crosses into Swift; a sum SQLite cannot hold in 64 bits (it stops with "integer
    /// overflow") and `last` (which needs each event's order) are aggregated event by event.
    func aggregate(
        customerSeq: Int64, meterSeq: Int64, formula: Meter.Aggregation, start: Int64, end: Int64,
        asOf: Int64 = .max
    ) throws -> ExactDecimal {
        let arguments: SQLArguments = [customerSeq, meterSeq, start, end, asOf, asOf]
        if formula != .last {
            var aggregator = UsageAggregator(formula)
            do {
                let groups = try SQLRow.fetchCursor(
                    db.cachedStatement(
                        sql: """
                            SELECT valueScale, count(*), sum(valueSignificand), max(valueSignificand) FROM meterEvent
                            WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ?
                                AND recordedAt <= ? AND (cancelledAt IS NULL OR cancelledAt > ?)
                            GROUP BY valueScale
                            """),
                    arguments: arguments)
                while let group = try groups.next() {
                    try aggregator.add(scale: group[0], count: group[1], sum: group[2], maximum: group[3])
                }
                return aggregator.result
            } catch let error where SQLFailure.isIntegerOverflow(error) {
                // Event by event below: exact in 38 digits.
            }
        }
        var aggregator = UsageAggregator(formula)
        let rows = try SQLRow.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT seq, timestamp, valueSignificand, valueScale FROM meterEvent
                    WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ?
                        AND recordedAt <= ? AND (cancelledAt IS NULL OR cancelledAt > ?)
                    """),
            arguments: arguments)
        while let row = try rows.next() {
            try aggregator.add(
                timestamp: row[1], seq: row[0], value: ExactDecimal(significand: Int128(row[2] as Int64), scale: row[3])
            )
        }
        return aggregator.result
    }

    /// Calls `body` with each uncancelled event of `[start, end)` in timestamp order: (seq,
    /// timestamp, value).
    func forEachEvent(
        customerSeq: Int64, meterSeq: Int64, start: Int64, end: Int64,
        _ body: (Int64, Int64, ExactDecimal) throws -> Void
    ) throws {
        let rows = try SQLRow.fetchCursor(
            db,
            sql: """
                SELECT seq, timestamp, valueSignificand, valueScale FROM meterEvent
                WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ?
                    AND cancelledAt IS NULL
                ORDER BY timestamp
                """,
            arguments: [customerSeq, meterSeq, start, end])
        while let row = try rows.next() {
            try body(row[0], row[1], ExactDecimal(significand: Int128(row[2] as Int64), scale: row[3]))
        }
    }
}
