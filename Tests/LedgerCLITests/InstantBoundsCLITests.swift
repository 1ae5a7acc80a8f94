import Foundation
import Testing

/// Every instant the binary reads (--now, LEDGER_NOW, each TIME option, import timestamps) is
/// within 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z: outside, `invalid_time` (65)
/// naming the parameter, and the file unchanged.
@Suite struct InstantBoundsCLITests {
    static let range =
        "is outside the supported range 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z (Unix seconds 0 through 253402300799)"

    @Test(
        "--now outside the range is invalid_time and creates no file",
        arguments: ["-9223372036854775808", "-1", "253402300800", "9223372036854775807", "0000-01-01T00:00:00Z"])
    func nowOutsideTheRange(now: String) throws {
        let sb = try Sandbox()
        let r = try rejected(
            ["customers", "create", "--name", "A"], db: sb.db, codes: [65], code: "invalid_time", now: now)
        #expect(r.stderr == "error: invalid_time: --now (now): now '\(now)' \(Self.range)\n")
        // The same on an existing file, for a read and a write: nothing changes.
        let db = try CLIFixture.standard.copy(into: sb)
        try rejected(["customers", "list"], db: db, codes: [65], code: "invalid_time", now: now)
        try rejected(["customers", "create", "--name", "A"], db: db, codes: [65], code: "invalid_time", now: now)
        #expect(try listData(["customers", "list"], db, now: defaultNow).count == 3)
    }

    @Test func ledgerNowOutsideTheRange() throws {
        let sb = try Sandbox()
        var env = ProcessInfo.processInfo.environment
        env["LEDGER_DB"] = nil
        env["LEDGER_NOW"] = "9999-12-31T23:59:59-00:01"
        let r = LedgerBinary.execute(["--db", sb.db, "customers", "create", "--name", "A"], environment: env)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr == "error: invalid_time: now '9999-12-31T23:59:59-00:01' \(Self.range)\n", "\(r)")
        #expect(!databaseExists(sb.db))
        env["LEDGER_NOW"] = "9999-12-31T23:59:59Z"
        #expect(
            LedgerBinary.execute(["--db", sb.db, "customers", "create", "--name", "A"], environment: env).status == 0)
    }

    static let grant = ["grants", "create", "--customer", "cus_1", "--amount", "100", "--currency", "usd"]
    static let subscription = ["subscriptions", "create", "--customer", "cus_1", "--item", "price_m1"]

    /// Each TIME option with a value before 1970 and one after 9999, and the parameter it names.
    static let options: [(args: [String], param: String)] = [
        (["events", "record", "--event-name", "a_tokens", "--customer", "cus_1", "--value", "1"], "timestamp"),
        (["bill"], "until"),
        (["balance", "--customer", "cus_1"], "as_of"),
        (["credit-transactions", "list", "--customer", "cus_1"], "as_of"),
        (["events", "summary", "--meter", "mtr_a", "--customer", "cus_1", "--end", "1767225600"], "start_time"),
        (["events", "summary", "--meter", "mtr_a", "--customer", "cus_1", "--start", "1767225600"], "end_time"),
        (grant + ["--scope", "metered"], "effective_at"),
        (grant + ["--scope", "metered"], "expires_at"),
        (["grants", "update", "credgr_t"], "expires_at"),
        (subscription, "billing_cycle_anchor"),
        (subscription, "backdate_start_date"),
    ]

    static let flags = [
        "timestamp": "--timestamp", "until": "--until", "as_of": "--as-of", "start_time": "--start",
        "end_time": "--end", "effective_at": "--effective-at", "expires_at": "--expires-at",
        "billing_cycle_anchor": "--billing-cycle-anchor", "backdate_start_date": "--backdate-start-date",
    ]

    @Test("every TIME option outside the range is invalid_time naming its parameter, the file unchanged")
    func timeOptionsOutsideTheRange() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try ok(Self.grant + ["--scope", "metered", "--id", "credgr_t"], db: db)
        for (args, param) in Self.options {
            for value in ["-1", "253402300800", "-9223372036854775808"] {
                let r = try rejected(
                    args + ["\(Self.flags[param]!)=\(value)"], db: db, codes: [65], code: "invalid_time", json: true)
                let error = try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: [String: Any]]
                #expect(error?["error"]?["param"] as? String == param, "\(args) \(value): \(r.stderr)")
                #expect(
                    error?["error"]?["message"] as? String == "\(param) '\(value)' \(Self.range)",
                    "\(args) \(value): \(r.stderr)")
            }
        }
    }

    @Test("an import line timestamped outside the range is rejected as invalid_time; the others are accepted")
    func importTimestampsOutsideTheRange() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let lines = [
            #"{"event_name": "a_tokens", "customer": "cus_1", "value": "1", "timestamp": -1, "identifier": "e-1"}"#,
            #"{"event_name": "a_tokens", "customer": "cus_1", "value": "1", "timestamp": 253402300800, "identifier": "e-2"}"#,
            #"{"event_name": "a_tokens", "customer": "cus_1", "value": "1", "timestamp": 1767225600, "identifier": "e-3"}"#,
        ]
        let file = try sb.file("events.ndjson", Data((lines.joined(separator: "\n") + "\n").utf8))
        let r = run(["events", "import", file], db: db)
        #expect(r.status == 65, "\(r)")
        #expect(
            r.stderr.split(separator: "\n") == [
                "line 1: invalid_time: timestamp '-1' \(Self.range)",
                "line 2: invalid_time: timestamp '253402300800' \(Self.range)",
            ], "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(int64(report?["accepted"]) == 1, "\(r)")
        #expect(int64(report?["rejected"]) == 2, "\(r)")
        let csv = try sb.file(
            "events.csv",
            Data("event_name,customer,value,timestamp,identifier\na_tokens,cus_1,1,0000-01-01,c-1\n".utf8))
        let c = run(["events", "import", csv], db: db)
        #expect(c.status == 65, "\(c)")
        #expect(c.stderr == "line 2: invalid_time: timestamp '0000-01-01' \(Self.range)\n", "\(c)")
    }
}
