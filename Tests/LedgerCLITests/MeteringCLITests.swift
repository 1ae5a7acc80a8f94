import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Meters and meter events through the binary (SPEC §2.2, §3, the appendix; SCENARIOS P6).
///
/// Times used below (UTC, Unix seconds):
/// 2026-01-05T00:00 = 1767571200, 2026-01-05T12:00 = 1767614400, 2026-01-06T00:00 = 1767657600,
/// 2026-01-07T00:00 = 1767744000.
enum MeteringTime {
    static let jan5: Int64 = 1_767_571_200
    static let jan5noon: Int64 = 1_767_614_400
    static let jan6: Int64 = 1_767_657_600
    static let jan7: Int64 = 1_767_744_000
    static let hour: Int64 = 3_600
    static let day: Int64 = 86_400
    /// The clock of most tests: two days after the P6 events.
    static let now = "2026-01-07T00:00:00Z"
}

/// A ledger built once through the binary (at `defaultNow`) and copied into each test's sandbox:
/// customers `cus_1`, `cus_2`; meters `mtr_tokens` (alpaca_ai_tokens, sum), `mtr_calls`
/// (api_calls, count), `mtr_seats` (seats, last), `mtr_peak` (peak, max), `mtr_custom`
/// (custom_units, sum, customer key `org`, value key `n`).
extension CLIFixture {
    fileprivate static let metering = CLIFixture(
        "the metering fixture",
        steps: Array(CatalogStep.people.prefix(2)) + [
            CatalogStep.meter("mtr_tokens", "Alpaca AI tokens", event: "alpaca_ai_tokens"),
            CatalogStep.meter("mtr_calls", "API calls", event: "api_calls", ["--aggregation", "count"]),
            CatalogStep.meter("mtr_seats", "Seats", event: "seats", ["--aggregation", "last"]),
            CatalogStep.meter("mtr_peak", "Peak", event: "peak", ["--aggregation", "max"]),
            CatalogStep.meter(
                "mtr_custom", "Custom", event: "custom_units", ["--customer-key", "org", "--value-key", "n"]),
        ])
}

// MARK: Helpers

/// `events record` at `MeteringTime.now` unless told, timestamps in Unix seconds; returns the
/// event object (requires exit 0).
@discardableResult
private func record(
    _ db: String, _ eventName: String, customer: String, value: String, at timestamp: Int64? = nil,
    id: String? = nil, now: String = MeteringTime.now, extra: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    try recordEvent(
        db, eventName, customer: customer, value: value, at: timestamp.map { String($0) }, id: id, now: now,
        extra: extra, sourceLocation: sourceLocation)
}

/// `events summary` with `--json`: the list's `data`.
private func summaries(
    _ db: String, meter: String, customer: String, start: String, end: String, group: String? = nil,
    now: String = MeteringTime.now, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [[String: Any]] {
    var args = ["events", "summary", "--meter", meter, "--customer", customer, "--start", start, "--end", end]
    if let group { args += ["--group", group] }
    let list = try ok(args, db: db, now: now, sourceLocation: sourceLocation)
    #expect(list["object"] as? String == "list", "\(list)", sourceLocation: sourceLocation)
    return try #require(list["data"] as? [[String: Any]], "no data: \(list)", sourceLocation: sourceLocation)
}

/// The `aggregated_value` of an ungrouped summary over `[start, end)` (Unix seconds), checking
/// that there is exactly one summary with those bounds.
private func aggregate(
    _ db: String, meter: String, customer: String, start: Int64, end: Int64, now: String = MeteringTime.now,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> String? {
    let data = try summaries(
        db, meter: meter, customer: customer, start: String(start), end: String(end), now: now,
        sourceLocation: sourceLocation)
    try #require(data.count == 1, "expected one summary: \(data)", sourceLocation: sourceLocation)
    let s = data[0]
    #expect(s["object"] as? String == "billing.meter_event_summary", sourceLocation: sourceLocation)
    #expect(s["meter"] as? String == meter, sourceLocation: sourceLocation)
    #expect(s["customer"] as? String == customer, sourceLocation: sourceLocation)
    #expect(int64(s["start_time"]) == start, "start_time: \(s)", sourceLocation: sourceLocation)
    #expect(int64(s["end_time"]) == end, "end_time: \(s)", sourceLocation: sourceLocation)
    return numberText(s["aggregated_value"])
}

/// Parses an import's JSON report from stdout.
private func report(_ stdout: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8))
    return try #require(
        object as? [String: Any], "stdout is not a JSON report: \(stdout)", sourceLocation: sourceLocation)
}

/// Checks an import report's accepted / duplicate / rejected counts.
private func expectCounts(
    _ r: [String: Any], accepted: Int64, duplicate: Int64, rejected: Int64,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(int64(r["accepted"]) == accepted, "accepted: \(r)", sourceLocation: sourceLocation)
    #expect(int64(r["duplicate"]) == duplicate, "duplicate: \(r)", sourceLocation: sourceLocation)
    #expect(int64(r["rejected"]) == rejected, "rejected: \(r)", sourceLocation: sourceLocation)
}

/// The `line N: <code>: <message>` lines of an import's stderr, recording an issue for any other
/// non-empty line.
private func rejectionLines(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    var found: [String] = []
    for line in stderr.split(separator: "\n", omittingEmptySubsequences: true) {
        guard let m = line.firstMatch(of: /^line ([0-9]+): ([a-z][a-z0-9]*(?:_[a-z0-9]+)*): \S/) else {
            Issue.record("stderr line is not 'line N: <code>: <message>': \(line)", sourceLocation: sourceLocation)
            continue
        }
        found.append("\(m.1):\(m.2)")
    }
    return found
}

/// An NDJSON line from key/value pairs (values are JSON fragments, in order).
private func ndjson(_ fields: [(String, String)]) -> String {
    "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

private func q(_ s: String) -> String { "\"\(s)\"" }

@Suite("metering through the binary")
struct MeteringCLITests {
    // MARK: 1. Meters

    @Test("meters create / show / list / update / deactivate / reactivate, Stripe-shaped")
    func meterLifecycle() throws {
        let sb = try Sandbox()
        let db = sb.db
        try ok(["customers", "create", "--id", "cus_1", "--name", "John Doe"], db: db)
        try ok(["products", "create", "--id", "prod_1", "--name", "Tokens"], db: db)

        // Defaults: sum, stripe_customer_id, value, active.
        let tokens = try ok(
            ["meters", "create", "--display-name", "Alpaca AI tokens", "--event-name", "alpaca_ai_tokens"], db: db)
        let tokensID = try #require(tokens["id"] as? String)
        #expect(tokensID.hasPrefix("mtr_") && tokensID.count > 4, "generated id: \(tokensID)")
        #expect(tokens["object"] as? String == "billing.meter")
        #expect(tokens["display_name"] as? String == "Alpaca AI tokens")
        #expect(tokens["event_name"] as? String == "alpaca_ai_tokens")
        #expect((tokens["default_aggregation"] as? [String: Any])?["formula"] as? String == "sum")
        #expect((tokens["customer_mapping"] as? [String: Any])?["event_payload_key"] as? String == "stripe_customer_id")
        #expect((tokens["value_settings"] as? [String: Any])?["event_payload_key"] as? String == "value")
        #expect(tokens["status"] as? String == "active")
        #expect(int64(tokens["created"]) == defaultNowSeconds)

        // Every flag of the appendix.
        let peak = try ok(
            [
                "meters", "create", "--id", "mtr_peak", "--display-name", "Peak", "--event-name", "peak_tokens",
                "--aggregation", "max", "--customer-key", "org_id", "--value-key", "tokens",
            ], db: db)
        #expect(peak["id"] as? String == "mtr_peak")
        #expect((peak["default_aggregation"] as? [String: Any])?["formula"] as? String == "max")
        #expect((peak["customer_mapping"] as? [String: Any])?["event_payload_key"] as? String == "org_id")
        #expect((peak["value_settings"] as? [String: Any])?["event_payload_key"] as? String == "tokens")
        #expect(peak["status"] as? String == "active")
        let calls = try ok(
            [
                "meters", "create", "--id", "mtr_calls", "--display-name", "Calls", "--event-name", "calls",
                "--aggregation", "count",
            ], db: db)
        #expect((calls["default_aggregation"] as? [String: Any])?["formula"] as? String == "count")
        let seats = try ok(
            [
                "meters", "create", "--id", "mtr_seats", "--display-name", "Seats", "--event-name", "seats",
                "--aggregation", "last",
            ], db: db)
        #expect((seats["default_aggregation"] as? [String: Any])?["formula"] as? String == "last")

        // show returns what create returned.
        let shown = try ok(["meters", "show", tokensID], db: db)
        #expect(canonical(shown) == canonical(tokens))

        // A second meter on the same event name is refused and writes nothing.
        try rejected(
            ["meters", "create", "--display-name", "Other", "--event-name", "alpaca_ai_tokens"], db: db, codes: [65])

        // update changes display_name and nothing else.
        let renamed = try ok(["meters", "update", tokensID, "--display-name", "Tokens (renamed)"], db: db)
        #expect(renamed["display_name"] as? String == "Tokens (renamed)")
        var expected = tokens
        expected["display_name"] = "Tokens (renamed)"
        #expect(canonical(renamed) == canonical(expected))

        // deactivate: status only.
        let inactive = try ok(["meters", "deactivate", tokensID], db: db)
        #expect(inactive["status"] as? String == "inactive")
        expected["status"] = "inactive"
        #expect(canonical(inactive) == canonical(expected))

        // An inactive meter accepts no event and backs no new price.
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "5"), db: db, codes: [65], code: "meter_inactive")
        let metered = [
            "prices", "create", "--product", "prod_1", "--currency", "usd", "--unit-amount", "4",
            "--interval", "month", "--usage-type", "metered", "--meter", tokensID,
        ]
        try rejected(metered, db: db, codes: [65], code: "meter_inactive", json: true)

        // reactivate: it works again.
        let active = try ok(["meters", "reactivate", tokensID], db: db)
        #expect(active["status"] as? String == "active")
        expected["status"] = "active"
        #expect(canonical(active) == canonical(expected))
        let event = try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "5", now: defaultNow)
        #expect(event["result"] as? String == "accepted")
        #expect(event["meter"] as? String == tokensID)
        #expect(int64(event["timestamp"]) == defaultNowSeconds)
        let price = try ok(metered, db: db)
        #expect((price["recurring"] as? [String: Any])?["meter"] as? String == tokensID)
        #expect((price["recurring"] as? [String: Any])?["usage_type"] as? String == "metered")

        // list: oldest first, the rename and statuses as they stand.
        let list = try ok(["meters", "list"], db: db)
        #expect(list["object"] as? String == "list")
        #expect(list["has_more"] as? Bool == false)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.map { $0["id"] as? String ?? "?" } == [tokensID, "mtr_peak", "mtr_calls", "mtr_seats"])
        #expect(data.map { $0["status"] as? String ?? "?" } == ["active", "active", "active", "active"])
        #expect(data.first.map(canonical) == canonical(expected))
    }

    // MARK: 2. P6: usage for a custom time period

    @Test("P6: summaries over a custom period, grouped by day and by hour")
    func p6CustomPeriod() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let a = try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "3000", at: t.jan5noon, id: "p6-1")
        #expect(a["result"] as? String == "accepted")
        #expect(a["value"] as? String == "3000")
        #expect(int64(a["timestamp"]) == t.jan5noon)
        #expect(a["customer"] as? String == "cus_1")
        #expect(a["meter"] as? String == "mtr_tokens")
        try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "500", at: t.jan5noon + 1_800, id: "p6-2")
        try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "200", at: t.jan6 + 9 * t.hour, id: "p6-3")

        // Whole period, given as ISO 8601.
        let whole = try summaries(
            db, meter: "mtr_tokens", customer: "cus_1", start: "2026-01-05T00:00:00Z", end: "2026-01-07T00:00:00Z")
        try #require(whole.count == 1, "\(whole)")
        #expect(numberText(whole[0]["aggregated_value"]) == "3700")
        #expect(int64(whole[0]["start_time"]) == t.jan5)
        #expect(int64(whole[0]["end_time"]) == t.jan7)

        // By day: 3500 then 200.
        let days = try summaries(
            db, meter: "mtr_tokens", customer: "cus_1", start: "2026-01-05T00:00:00Z", end: "2026-01-07T00:00:00Z",
            group: "day")
        #expect(days.map { numberText($0["aggregated_value"]) ?? "?" } == ["3500", "200"])
        #expect(days.map { int64($0["start_time"]) ?? -1 } == [t.jan5, t.jan6])
        #expect(days.map { int64($0["end_time"]) ?? -1 } == [t.jan6, t.jan7])

        // By hour over 12:00 → 14:00: 3500, then nothing (or 0) for 13:00.
        let hours = try summaries(
            db, meter: "mtr_tokens", customer: "cus_1", start: "2026-01-05T12:00:00Z", end: "2026-01-05T14:00:00Z",
            group: "hour")
        try #require((1...2).contains(hours.count), "\(hours)")
        #expect(numberText(hours[0]["aggregated_value"]) == "3500")
        #expect(int64(hours[0]["start_time"]) == t.jan5noon)
        #expect(int64(hours[0]["end_time"]) == t.jan5noon + t.hour)
        if hours.count == 2 {
            #expect(numberText(hours[1]["aggregated_value"]) == "0", "13:00: \(hours[1])")
            #expect(int64(hours[1]["start_time"]) == t.jan5noon + t.hour)
        }

        // Unaligned bounds.
        let base = ["events", "summary", "--meter", "mtr_tokens", "--customer", "cus_1"]
        try rejected(
            base + ["--start", "2026-01-05T00:00:30Z", "--end", "2026-01-07T00:00:00Z"], db: db, codes: [65],
            code: "invalid_time", now: t.now)
        try rejected(
            base + ["--start", "2026-01-05T00:30:00Z", "--end", "2026-01-05T14:00:00Z", "--group", "hour"], db: db,
            codes: [65], code: "invalid_time", now: t.now)
        try rejected(
            base + ["--start", "2026-01-05T12:00:00Z", "--end", "2026-01-07T00:00:00Z", "--group", "day"], db: db,
            codes: [65], code: "invalid_time", now: t.now)
        try rejected(
            base + ["--start", "2026-01-05T00:00:00Z", "--end", "2026-01-07T00:00:01Z"], db: db, codes: [65],
            code: "invalid_time", json: true, now: t.now)
    }

    // MARK: 3. Aggregations

    @Test("count, last (ties: recorded last), max; negative and decimal values sum exactly")
    func aggregations() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let h = t.hour

        // count: the number of events, whatever their values.
        for v in ["5", "7", "-1"] { try record(db, "api_calls", customer: "cus_1", value: v, at: t.jan5 + h) }
        #expect(try aggregate(db, meter: "mtr_calls", customer: "cus_1", start: t.jan5, end: t.jan6) == "3")

        // last: the greatest timestamp wins, not the latest recorded; equal timestamps go to the
        // one recorded last.
        try record(db, "seats", customer: "cus_1", value: "4", at: t.jan5 + 10 * h)
        try record(db, "seats", customer: "cus_1", value: "9", at: t.jan5 + 12 * h)
        try record(db, "seats", customer: "cus_1", value: "12", at: t.jan5 + 11 * h)
        #expect(
            try aggregate(db, meter: "mtr_seats", customer: "cus_1", start: t.jan5, end: t.jan5 + 13 * h) == "9")
        try record(db, "seats", customer: "cus_1", value: "5", at: t.jan5 + 13 * h)
        try record(db, "seats", customer: "cus_1", value: "2", at: t.jan5 + 13 * h)
        #expect(try aggregate(db, meter: "mtr_seats", customer: "cus_1", start: t.jan5, end: t.jan6) == "2")

        // max, with a decimal and a negative value.
        for v in ["3", "11.5", "-2", "7"] { try record(db, "peak", customer: "cus_1", value: v, at: t.jan5 + 2 * h) }
        #expect(try aggregate(db, meter: "mtr_peak", customer: "cus_1", start: t.jan5, end: t.jan6) == "11.5")

        // sum with a correction: 10 − 3 = 7.
        let negative = try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "10", at: t.jan5 + 3 * h)
        #expect(negative["value"] as? String == "10")
        let correction = try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "-3", at: t.jan5 + 4 * h)
        #expect(correction["value"] as? String == "-3")
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan6) == "7")

        // 0.1 three times is exactly 0.3 (another customer: summaries are per customer).
        for _ in 0..<3 { try record(db, "alpaca_ai_tokens", customer: "cus_2", value: "0.1", at: t.jan5 + 5 * h) }
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_2", start: t.jan5, end: t.jan6) == "0.3")
    }

    // MARK: 4. events record outcomes

    @Test("events record in Stripe's form: customer and value from the payload under the meter's keys")
    func recordFromPayload() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let base = ["events", "record", "--event-name", "alpaca_ai_tokens", "--timestamp", String(t.jan5noon)]
        let e = try ok(
            base + [
                "--payload", "stripe_customer_id=cus_1", "--payload", "value=1250.5", "--payload", "region=eu",
                "--identifier", "s-1",
            ], db: db, now: MeteringTime.now)
        #expect(e["customer"] as? String == "cus_1" && e["value"] as? String == "1250.5", "\(canonical(e))")
        #expect((e["payload"] as? [String: Any])?["region"] as? String == "eu", "\(canonical(e))")
        // --customer and --value still win over nothing: the flat form is unchanged.
        try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "0.5", at: t.jan5noon + 60, id: "s-2")
        #expect(
            try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan5 + 86_400) == "1251")
        // Neither a customer nor a value: refused, the file unchanged.
        try rejected(
            base + ["--payload", "value=3"], db: db, codes: [65], code: "invalid_request", now: MeteringTime.now)
        try rejected(
            base + ["--payload", "stripe_customer_id=cus_1"], db: db, codes: [65], code: "invalid_request",
            now: MeteringTime.now)
    }

    @Test("events record: duplicate, identifier_conflict, timestamp window, unknown names, invalid values")
    func recordOutcomes() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self

        let first = try record(
            db, "alpaca_ai_tokens", customer: "cus_1", value: "5", at: t.jan5noon, id: "d-1",
            extra: ["--payload", "region=eu"])
        #expect(first["result"] as? String == "accepted")
        #expect(first["identifier"] as? String == "d-1")
        #expect(first["object"] as? String == "billing.meter_event")
        #expect((first["payload"] as? [String: Any])?["region"] as? String == "eu")

        // Same identifier, same content: exit 0, "duplicate", nothing written.
        let before = DatabaseSnapshot(db)
        let again = try record(
            db, "alpaca_ai_tokens", customer: "cus_1", value: "5", at: t.jan5noon, id: "d-1",
            extra: ["--payload", "region=eu"])
        #expect(again["result"] as? String == "duplicate")
        #expect(again["value"] as? String == "5")
        #expect(DatabaseSnapshot(db) == before, "a duplicate changed the file")

        // Same identifier, different value or dimensions: identifier_conflict.
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "6", at: String(t.jan5noon), id: "d-1")
                + ["--payload", "region=eu"], db: db, codes: [65], code: "identifier_conflict", now: t.now)
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "5", at: String(t.jan5noon), id: "d-1")
                + ["--payload", "region=us"], db: db, codes: [65], code: "identifier_conflict", json: true,
            now: t.now)
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "5")

        // Unknown event name, unknown customer.
        try rejected(
            recordArgs("no_such_event", customer: "cus_1", value: "1"), db: db, codes: [65],
            code: "resource_missing", now: t.now)
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_missing", value: "1"), db: db, codes: [65],
            code: "resource_missing", json: true, now: t.now)

        // Values: not a number, 13 decimals, 16 significant digits; the limits themselves pass.
        for bad in ["abc", "0.0000000000001", "1234567890123456"] {
            try rejected(
                recordArgs("alpaca_ai_tokens", customer: "cus_1", value: bad), db: db, codes: [65],
                code: "invalid_quantity", now: t.now)
        }
        let limits = try record(db, "alpaca_ai_tokens", customer: "cus_2", value: "0.000000000001", at: t.jan5)
        #expect(limits["value"] as? String == "0.000000000001")
        let wide = try record(db, "alpaca_ai_tokens", customer: "cus_2", value: "123456789012345", at: t.jan5)
        #expect(wide["value"] as? String == "123456789012345")

        // (The clock only moves forward: the later instants come last.)
        // The window: 35 days back, 5 minutes ahead, both inclusive.
        let now = "2026-02-10T00:00:00Z"
        let nowSeconds: Int64 = 1_770_681_600
        let oldest = nowSeconds - 35 * 86_400
        let newest = nowSeconds + 5 * 60
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "1", at: String(oldest - 1), id: "w-old"), db: db,
            codes: [65], code: "timestamp_outside_window", now: now)
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "1", at: String(newest + 1), id: "w-new"), db: db,
            codes: [65], code: "timestamp_outside_window", json: true, now: now)
        let atOldest = try record(
            db, "alpaca_ai_tokens", customer: "cus_2", value: "1", at: oldest, id: "w-oldest", now: now)
        #expect(atOldest["result"] as? String == "accepted")
        #expect(int64(atOldest["timestamp"]) == oldest)
        let atNewest = try record(
            db, "alpaca_ai_tokens", customer: "cus_2", value: "2", at: newest, id: "w-newest", now: now)
        #expect(atNewest["result"] as? String == "accepted")
        #expect(int64(atNewest["timestamp"]) == newest)

        // --max-age-days lets a backfill through.
        let backfill: Int64 = 1_748_736_000  // 2025-06-01T00:00:00Z, 254 days before now
        try rejected(
            recordArgs("alpaca_ai_tokens", customer: "cus_1", value: "8", at: String(backfill), id: "b-1"), db: db,
            codes: [65], code: "timestamp_outside_window", now: now)
        let late = try record(
            db, "alpaca_ai_tokens", customer: "cus_1", value: "8", at: backfill, id: "b-1", now: now,
            extra: ["--max-age-days", "400"])
        #expect(late["result"] as? String == "accepted")
        #expect(int64(late["timestamp"]) == backfill)
        #expect(
            try aggregate(
                db, meter: "mtr_tokens", customer: "cus_1", start: backfill, end: backfill + 86_400, now: now) == "8")
    }

    // MARK: 5. events cancel

    @Test("events cancel: the event stops counting; twice is event_already_cancelled; unknown is resource_missing")
    func cancel() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "100", at: t.jan5noon, id: "x-1")
        try record(db, "alpaca_ai_tokens", customer: "cus_1", value: "30", at: t.jan5noon + t.hour, id: "x-2")
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "130")

        let adjustment = try ok(
            ["events", "cancel", "--event-name", "alpaca_ai_tokens", "--identifier", "x-1"], db: db, now: t.now)
        #expect(adjustment["type"] as? String == "cancel")
        #expect((adjustment["cancel"] as? [String: Any])?["identifier"] as? String == "x-1")
        #expect(adjustment["event_name"] as? String == "alpaca_ai_tokens")

        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "30")
        let hours = try summaries(
            db, meter: "mtr_tokens", customer: "cus_1", start: String(t.jan5), end: String(t.jan7), group: "hour")
        #expect(hours.map { numberText($0["aggregated_value"]) ?? "?" } == ["30"])

        try rejected(
            ["events", "cancel", "--event-name", "alpaca_ai_tokens", "--identifier", "x-1"], db: db, codes: [65],
            code: "event_already_cancelled", now: t.now)
        try rejected(
            ["events", "cancel", "--event-name", "alpaca_ai_tokens", "--identifier", "x-missing"], db: db,
            codes: [65], code: "resource_missing", now: t.now)
    }

    // MARK: 6. events import

    @Test("import NDJSON: flat and Stripe-shaped lines, numbers and strings, Unix and ISO times, dimensions")
    func importShapes() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let lines = [
            ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", "2.5"),
                ("timestamp", String(t.jan5noon)), ("identifier", q("f-1")), ("region", q("eu")),
                ("tier", q("gold")),
            ]),
            ndjson([
                ("event_name", q("alpaca_ai_tokens")),
                (
                    "payload",
                    ndjson([
                        ("stripe_customer_id", q("cus_1")), ("value", q("3")),
                        ("model", q("alpaca-7b")),
                    ])
                ),
                ("timestamp", q("2026-01-05T13:00:00Z")), ("identifier", q("s-1")),
            ]),
            ndjson([
                ("event_name", q("alpaca_ai_tokens")),
                ("payload", ndjson([("stripe_customer_id", q("cus_2")), ("value", "4")])),
                ("timestamp", q("2026-01-06T00:00:00Z")), ("identifier", q("s-2")),
            ]),
            ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", q("0.5")),
                ("timestamp", q("2026-01-06T08:00:00Z")), ("identifier", q("f-2")),
            ]),
            // Stripe's shape under the meter's own keys.
            ndjson([
                ("event_name", q("custom_units")),
                ("payload", ndjson([("org", q("cus_1")), ("n", q("7")), ("region", q("us"))])),
                ("timestamp", String(t.jan5noon)), ("identifier", q("s-3")),
            ]),
        ]
        let file = try sb.file("shapes.ndjson", Data((lines.joined(separator: "\n") + "\n").utf8))
        let r = try ok(["events", "import", file], db: db, now: t.now)
        expectCounts(r, accepted: 5, duplicate: 0, rejected: 0)
        #expect(r["rolled_back"] as? Bool == false)

        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "6")
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_2", start: t.jan5, end: t.jan7) == "4")
        #expect(try aggregate(db, meter: "mtr_custom", customer: "cus_1", start: t.jan5, end: t.jan7) == "7")

        let f1 = try ok(["events", "show", "f-1"], db: db, now: t.now)
        #expect(f1["value"] as? String == "2.5")
        #expect(f1["customer"] as? String == "cus_1")
        #expect(int64(f1["timestamp"]) == t.jan5noon)
        let f1Payload = try #require(f1["payload"] as? [String: Any], "\(f1)")
        #expect(f1Payload["region"] as? String == "eu")
        #expect(f1Payload["tier"] as? String == "gold")
        let s1 = try ok(["events", "show", "s-1"], db: db, now: t.now)
        #expect(s1["value"] as? String == "3")
        #expect(s1["customer"] as? String == "cus_1")
        #expect(int64(s1["timestamp"]) == t.jan5noon + t.hour)
        #expect((s1["payload"] as? [String: Any])?["model"] as? String == "alpaca-7b")
    }

    @Test("import NDJSON with bad lines: exact counts, exit 65, line numbers and codes; re-import is all duplicates")
    func importMixed() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let good1 = ndjson([
            ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", "100"),
            ("timestamp", q("2026-01-05T10:00:00Z")), ("identifier", q("m-1")),
        ])
        let lines = [
            /* 1 */ good1,
            /* 2 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")),
                ("payload", ndjson([("stripe_customer_id", q("cus_1")), ("value", q("20"))])),
                ("timestamp", String(t.jan5 + 11 * t.hour)), ("identifier", q("m-2")),
            ]),
            /* 3 */ good1,  // duplicate
            /* 4 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")),
                ("payload", ndjson([("stripe_customer_id", q("cus_1")), ("value", q("21"))])),
                ("timestamp", String(t.jan5 + 11 * t.hour)), ("identifier", q("m-2")),
            ]),
            /* 5 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", "1"),
                ("timestamp", q("2025-11-01T00:00:00Z")), ("identifier", q("m-5")),
            ]),
            /* 6 */ ndjson([
                ("event_name", q("no_such_meter")), ("customer", q("cus_1")), ("value", "1"),
                ("timestamp", String(t.jan5noon)), ("identifier", q("m-6")),
            ]),
            /* 7 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_missing")), ("value", "1"),
                ("timestamp", String(t.jan5noon)), ("identifier", q("m-7")),
            ]),
            /* 8 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", q("abc")),
                ("timestamp", String(t.jan5noon)), ("identifier", q("m-8")),
            ]),
            /* 9 */ "{\"event_name\": \"alpaca_ai_tokens\", \"customer\": ",
            /* 10 */ "",
            /* 11 */ ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", q("3")),
                ("timestamp", q("2026-01-06T09:00:00Z")), ("identifier", q("m-11")),
                ("region", q("eu")),
            ]),
        ]
        let file = try sb.file("mixed.ndjson", Data((lines.joined(separator: "\n") + "\n").utf8))
        let expectedRejections = [
            "4:identifier_conflict", "5:timestamp_outside_window", "6:resource_missing", "7:resource_missing",
            "8:invalid_quantity", "9:malformed_line",
        ]

        let first = run(["events", "import", file], db: db, now: t.now)
        #expect(first.status == 65, "exit \(first.status): \(first.stderr)")
        let r1 = try report(first.stdout)
        expectCounts(r1, accepted: 3, duplicate: 1, rejected: 6)
        #expect(rejectionLines(first.stderr) == expectedRejections, "stderr: \(first.stderr)")
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "123")

        // Again: nothing new; every line accepted before is now a duplicate.
        let second = run(["events", "import", file], db: db, now: t.now)
        #expect(second.status == 65, "exit \(second.status): \(second.stderr)")
        let r2 = try report(second.stdout)
        expectCounts(r2, accepted: 0, duplicate: 4, rejected: 6)
        #expect(rejectionLines(second.stderr) == expectedRejections, "stderr: \(second.stderr)")
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "123")
    }

    @Test("import CSV: header, dimension column, quoted comma and doubled quote, wrong field count by line")
    func importCSV() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let csv =
            [
                "event_name,customer,value,timestamp,identifier,region",
                #"alpaca_ai_tokens,cus_1,10,2026-01-05T12:00:00Z,c-1,"eu-west, ""primary""""#,
                "alpaca_ai_tokens,cus_1,5,\(t.jan5noon),c-2,us",
                "alpaca_ai_tokens,cus_1,7,2026-01-05T12:00:00Z,c-3",
                "alpaca_ai_tokens,cus_1,1.25,2026-01-06T00:00:00Z,c-4,ap",
            ].joined(separator: "\n") + "\n"
        let file = try sb.file("events.csv", Data(csv.utf8))
        let r = run(["events", "import", file, "--format", "csv"], db: db, now: t.now)
        #expect(r.status == 65, "exit \(r.status): \(r.stderr)")
        expectCounts(try report(r.stdout), accepted: 3, duplicate: 0, rejected: 1)
        #expect(rejectionLines(r.stderr) == ["4:malformed_line"], "stderr: \(r.stderr)")

        let c1 = try ok(["events", "show", "c-1"], db: db, now: t.now)
        #expect((c1["payload"] as? [String: Any])?["region"] as? String == "eu-west, \"primary\"", "\(c1)")
        #expect(c1["value"] as? String == "10")
        #expect(int64(c1["timestamp"]) == t.jan5noon)
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "16.25")
    }

    @Test("import --atomic: one bad line rolls everything back byte for byte; a clean file is accepted whole")
    func importAtomic() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        func line(_ id: String, _ customer: String, _ value: String) -> String {
            ndjson([
                ("event_name", q("alpaca_ai_tokens")), ("customer", q(customer)), ("value", q(value)),
                ("timestamp", String(t.jan5noon)), ("identifier", q(id)),
            ])
        }
        let bad = try sb.file(
            "bad.ndjson",
            Data(
                ([
                    line("a-1", "cus_1", "1"), line("a-2", "cus_1", "2"), line("a-3", "cus_missing", "3"),
                    line("a-4", "cus_1", "4"),
                ].joined(separator: "\n") + "\n").utf8))
        let before = DatabaseSnapshot(db)
        let r = run(["events", "import", bad, "--atomic"], db: db, now: t.now)
        #expect(r.status == 65, "exit \(r.status): \(r.stderr)")
        let rep = try report(r.stdout)
        #expect(rep["rolled_back"] as? Bool == true, "\(rep)")
        #expect(int64(rep["rejected"]) == 1, "\(rep)")
        #expect(rejectionLines(r.stderr) == ["3:resource_missing"], "stderr: \(r.stderr)")
        #expect(DatabaseSnapshot(db) == before, "an atomic import that rolled back changed the file")

        let clean = try sb.file(
            "clean.ndjson",
            Data(
                ([line("a-1", "cus_1", "1"), line("a-2", "cus_1", "2"), line("a-4", "cus_1", "4")]
                    .joined(separator: "\n") + "\n").utf8))
        let ok1 = try ok(["events", "import", clean, "--atomic"], db: db, now: t.now)
        expectCounts(ok1, accepted: 3, duplicate: 0, rejected: 0)
        #expect(ok1["rolled_back"] as? Bool == false)
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == "7")
    }

    @Test("import - reads standard input; a missing file exits 66 and writes nothing")
    func importStdinAndMissingFile() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        let input =
            [
                ndjson([
                    ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_2")), ("value", "40"),
                    ("timestamp", String(t.jan5noon)), ("identifier", q("in-1")),
                ]),
                ndjson([
                    ("event_name", q("alpaca_ai_tokens")),
                    ("payload", ndjson([("stripe_customer_id", q("cus_2")), ("value", q("2"))])),
                    ("timestamp", q("2026-01-06T12:00:00Z")), ("identifier", q("in-2")),
                ]),
            ].joined(separator: "\n") + "\n"
        let r = try ok(["events", "import", "-"], db: db, now: t.now, stdin: input)
        expectCounts(r, accepted: 2, duplicate: 0, rejected: 0)
        #expect(try aggregate(db, meter: "mtr_tokens", customer: "cus_2", start: t.jan5, end: t.jan7) == "42")

        let missing = try rejected(
            ["events", "import", sb.path("no-such-file.ndjson")], db: db, codes: [66], now: t.now)
        #expect(missing.status == 66, "SPEC §3: input file missing → 66; got \(missing.status): \(missing.stderr)")
    }

    // MARK: 7. Two imports at once

    @Test("two concurrent imports with overlapping identifiers lose nothing and double-count nothing")
    func concurrentImports() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.metering.copy(into: sb)
        let t = MeteringTime.self
        signal(SIGPIPE, SIG_IGN)  // a child that dies early must fail the test, not kill it

        // Event i: identifier cc-i, value (i % 50).25, every 10 s from 2026-01-05T00:00; even
        // lines flat, odd lines in Stripe's shape. The overlap has identical content in both files.
        func line(_ i: Int) -> String {
            let ts = String(t.jan5 + Int64(i) * 10)
            let value = "\(i % 50).25"
            if i % 2 == 0 {
                return ndjson([
                    ("event_name", q("alpaca_ai_tokens")), ("customer", q("cus_1")), ("value", q(value)),
                    ("timestamp", ts), ("identifier", q("cc-\(i)")),
                ])
            }
            return ndjson([
                ("event_name", q("alpaca_ai_tokens")),
                ("payload", ndjson([("stripe_customer_id", q("cus_1")), ("value", value)])),
                ("timestamp", ts), ("identifier", q("cc-\(i)")),
            ])
        }
        let dataA = Data(((0..<3000).map(line).joined(separator: "\n") + "\n").utf8)
        let dataB = Data(((1500..<4500).map(line).joined(separator: "\n") + "\n").utf8)
        // Σ (i % 50) + 0.25 × 4500 over the 4500 distinct events, in hundredths.
        let hundredths = (0..<4500).reduce(0) { $0 + ($1 % 50) * 100 + 25 }
        #expect(hundredths == 11_137_500)
        let expected = "\(hundredths / 100)"

        // Both processes read standard input from a pipe, so both are running (holding the file
        // open) before either can finish; then both get their input and race to write.
        let importing = ["events", "import", "-", "--format", "ndjson"]
        let a = try LedgerProcess(sb, "a", db: db, now: t.now, arguments: importing, pipedInput: true)
        let b = try LedgerProcess(sb, "b", db: db, now: t.now, arguments: importing, pipedInput: true)
        try a.process.run()
        try b.process.run()
        #expect(a.process.isRunning && b.process.isRunning, "both imports must be running at once")
        try? a.input.fileHandleForWriting.write(contentsOf: dataA)
        try? b.input.fileHandleForWriting.write(contentsOf: dataB)
        try a.input.fileHandleForWriting.close()
        try b.input.fileHandleForWriting.close()
        a.process.waitUntilExit()
        b.process.waitUntilExit()

        #expect(a.process.terminationStatus == 0, "import A: exit \(a.process.terminationStatus): \(a.stderr)")
        #expect(b.process.terminationStatus == 0, "import B: exit \(b.process.terminationStatus): \(b.stderr)")
        let ra = try report(a.stdout)
        let rb = try report(b.stdout)
        #expect(int64(ra["rejected"]) == 0 && int64(rb["rejected"]) == 0, "A: \(ra)\nB: \(rb)")
        #expect((int64(ra["accepted"]) ?? -1) + (int64(rb["accepted"]) ?? -1) == 4500, "A: \(ra)\nB: \(rb)")
        #expect((int64(ra["duplicate"]) ?? -1) + (int64(rb["duplicate"]) ?? -1) == 1500, "A: \(ra)\nB: \(rb)")
        #expect((int64(ra["accepted"]) ?? 0) + (int64(ra["duplicate"]) ?? 0) == 3000, "A: \(ra)")
        #expect((int64(rb["accepted"]) ?? 0) + (int64(rb["duplicate"]) ?? 0) == 3000, "B: \(rb)")

        #expect(expected == "111375")
        #expect(
            try aggregate(db, meter: "mtr_tokens", customer: "cus_1", start: t.jan5, end: t.jan7) == expected)
    }
}
