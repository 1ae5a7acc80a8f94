import Foundation
import Testing

/// Unix seconds of an ISO 8601 instant written in a test (`2026-02-01T01:00:00Z`).
func at(_ iso: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: iso) else { preconditionFailure("not ISO 8601: \(iso)") }
    return Int64(date.timeIntervalSince1970)
}

// MARK: Fixtures

/// A ledger built once through the binary and copied into each test's sandbox, so that a suite
/// pays for its catalog once: its file and WAL bytes, or on PostgreSQL a database of its own
/// (`f_<uuid>`, the ledger in its schema `ledger`) that each copy takes as its template.
final class CLIFixture: @unchecked Sendable {
    private let what: String
    private let steps: [(now: String, args: [String])]
    private let built: Built?
    private let lock = NSLock()
    private var files: Built??

    private enum Built {
        case files([String: Data])
        case template(String)
    }

    /// Runs each step at its own `now`; a step that fails leaves the fixture unbuilt, and every
    /// test that copies it fails saying so.
    init(_ what: String, timed steps: [(now: String, args: [String])]) {
        self.what = what
        self.steps = steps
        built = CLIBackend.postgres == nil ? Self.build(steps) : Self.buildTemplate(steps)
    }

    /// Runs every step at `now`.
    convenience init(_ what: String, now: String = defaultNow, steps: [[String]]) {
        self.init(what, timed: steps.map { (now, $0) })
    }

    private static func build(_ steps: [(now: String, args: [String])]) -> Built? {
        guard let sb = try? Sandbox() else { return nil }
        for (now, step) in steps where run(step, db: sb.db, now: now).status != 0 { return nil }
        var files: [String: Data] = [:]
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: sb.db + suffix) { files[suffix] = data }
        }
        return files[""] == nil ? nil : .files(files)
    }

    /// Every step's process has exited (and closed its connections) when this returns: a
    /// database with a session open cannot be a template.
    private static func buildTemplate(_ steps: [(now: String, args: [String])]) -> Built? {
        let database = CLIBackend.uniqueName("f")
        guard PostgresTools.createDatabase(database) else { return nil }
        let db = PostgresTools.ledgerURL(database: database, schema: "ledger")
        for (now, step) in steps where run(step, db: db, now: now).status != 0 { return nil }
        return .template(database)
    }

    /// Copies the fixture into `sb` under `name` and returns the ledger's `--db`: the file's path,
    /// or the URL of a new database made from the template. Under the default name, the copy is
    /// the sandbox's `db`.
    func copy(
        into sb: Sandbox, name: String = "ledger.sqlite", sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let built = try #require(built, "\(what) could not be built", sourceLocation: sourceLocation)
        let db: String
        switch built {
        case .files(let files):
            db = sb.path(name)
            for (suffix, data) in files {
                try data.write(to: URL(fileURLWithPath: db + suffix))
            }
        case .template(let template):
            let database = CLIBackend.uniqueName("c")
            try #require(
                PostgresTools.createDatabase(database, template: template), "cannot copy \(what) to \(database)",
                sourceLocation: sourceLocation)
            sb.databases.append(database)
            db = PostgresTools.ledgerURL(database: database, schema: "ledger")
        }
        if name == "ledger.sqlite" { sb.db = db }
        return db
    }

    /// Writes the fixture as a ledger file into `sb` under `name`, whatever the backend (built
    /// on first use on PostgreSQL), for the tests about files; returns its path.
    func copyFile(
        into sb: Sandbox, name: String = "ledger.sqlite", sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let built =
            CLIBackend.postgres == nil
            ? self.built
            : lock.withLock {
                if files == nil { files = Self.build(steps) }
                return files ?? nil
            }
        guard case .files(let files) = try #require(built, "\(what) could not be built", sourceLocation: sourceLocation)
        else { preconditionFailure("a fixture of files") }
        let path = sb.path(name)
        for (suffix, data) in files {
            try data.write(to: URL(fileURLWithPath: path + suffix))
        }
        return path
    }
}

/// The `ledger … create` steps of the catalogs the fixtures build, under the IDs tests name.
enum CatalogStep {
    static func customer(_ id: String, _ name: String) -> [String] {
        ["customers", "create", "--id", id, "--name", name]
    }

    static func meter(_ id: String, _ displayName: String, event: String, _ flags: [String] = []) -> [String] {
        ["meters", "create", "--id", id, "--display-name", displayName, "--event-name", event] + flags
    }

    static func product(_ id: String, _ name: String) -> [String] {
        ["products", "create", "--id", id, "--name", name]
    }

    static func price(_ id: String, product: String, currency: String = "usd", _ flags: [String]) -> [String] {
        ["prices", "create", "--id", id, "--product", product, "--currency", currency] + flags
    }

    /// Billed monthly for the usage of `meter`.
    static func metered(_ meter: String) -> [String] {
        ["--usage-type", "metered", "--interval", "month", "--meter", meter]
    }

    /// Billed monthly, per seat.
    static let licensed = ["--interval", "month", "--usage-type", "licensed"]

    /// Graduated tiers, each `up_to=…,unit_amount_decimal=…`.
    static func graduated(_ tiers: [String]) -> [String] {
        ["--billing-scheme", "tiered", "--tiers-mode", "graduated"] + tiers.flatMap { ["--tier", $0] }
    }

    /// `cus_1` John Doe, `cus_2` Jane Roe, `cus_3` Max Mustermann.
    static let people = [
        customer("cus_1", "John Doe"), customer("cus_2", "Jane Roe"), customer("cus_3", "Max Mustermann"),
    ]

    /// Meter `mtr_t` (event `tokens`, sum), product `prod_t` ("Tokens"); prices `price_pkg` (usd,
    /// metered monthly on `mtr_t`, unit_amount_decimal 4 per 100 tokens rounded up) and
    /// `price_tenth` (usd one-time, unit_amount_decimal 0.1, a tenth of a cent).
    static let tokens = [
        meter("mtr_t", "Tokens", event: "tokens"),
        product("prod_t", "Tokens"),
        price(
            "price_pkg", product: "prod_t",
            metered("mtr_t") + ["--unit-amount-decimal", "4", "--divide-by", "100", "--round", "up"]),
        price("price_tenth", product: "prod_t", ["--unit-amount-decimal", "0.1"]),
    ]
}

extension CLIFixture {
    /// The billing and credits catalog (at `defaultNow`): customers `cus_1`, `cus_2`, `cus_3`
    /// (`CatalogStep.people`); meters `mtr_alpaca` (alpaca_ai_tokens), `mtr_hyp` (hypernian_tokens),
    /// `mtr_a` (a_tokens), `mtr_b` (b_tokens), all sums; products `prod_alpaca`, `prod_hyp`; prices
    /// - `price_payg` / `price_payg_cad`: 4 per 100 tokens rounded up, metered monthly (P1);
    /// - `price_licence`: usd 10000 monthly licensed; `price_overage`: graduated metered, 0–1000 at
    ///   0 then 4 a token (P2);
    /// - `price_pro`: usd 20000 monthly licensed; `price_pro_usage`: graduated metered on `mtr_hyp`,
    ///   0–100000 at 0 then 0.1 a token (P3, P4);
    /// - `price_week` (usd 500 weekly), `price_year` (usd 100000 yearly), `price_onetime` (one_time),
    ///   `price_archived` (monthly, archived), `price_licence_eur` (eur 10000 monthly);
    /// - `price_m1` (on `mtr_a`) and `price_m2` (on `mtr_b`): usd, 1 cent a token, metered monthly;
    ///   `price_eur_m`: eur, 1 a token, metered monthly on `mtr_a`.
    static let standard = CLIFixture("the standard fixture", steps: standardSteps)

    private static var standardSteps: [[String]] {
        typealias S = CatalogStep
        let package = ["--unit-amount", "4", "--divide-by", "100", "--round", "up"]
        return S.people + [
            S.meter("mtr_alpaca", "Alpaca AI tokens", event: "alpaca_ai_tokens"),
            S.meter("mtr_hyp", "Hypernian tokens", event: "hypernian_tokens"),
            S.meter("mtr_a", "A tokens", event: "a_tokens"),
            S.meter("mtr_b", "B tokens", event: "b_tokens"),
            S.product("prod_alpaca", "Alpaca AI"),
            S.product("prod_hyp", "Hypernian"),
            S.price("price_payg", product: "prod_alpaca", package + S.metered("mtr_alpaca")),
            S.price("price_payg_cad", product: "prod_alpaca", currency: "cad", package + S.metered("mtr_alpaca")),
            S.price("price_licence", product: "prod_hyp", ["--unit-amount", "10000"] + S.licensed),
            S.price(
                "price_overage", product: "prod_hyp",
                S.graduated(["up_to=1000,unit_amount_decimal=0", "up_to=inf,unit_amount_decimal=4"])
                    + S.metered("mtr_hyp")),
            S.price("price_pro", product: "prod_hyp", ["--unit-amount", "20000"] + S.licensed),
            S.price(
                "price_pro_usage", product: "prod_hyp",
                S.graduated(["up_to=100000,unit_amount_decimal=0", "up_to=inf,unit_amount_decimal=0.1"])
                    + S.metered("mtr_hyp")),
            S.price("price_week", product: "prod_hyp", ["--unit-amount", "500", "--interval", "week"]),
            S.price("price_year", product: "prod_hyp", ["--unit-amount", "100000", "--interval", "year"]),
            S.price("price_onetime", product: "prod_hyp", ["--unit-amount", "1000", "--type", "one_time"]),
            S.price("price_archived", product: "prod_hyp", ["--unit-amount", "100", "--interval", "month"]),
            ["prices", "archive", "price_archived"],
            S.price(
                "price_licence_eur", product: "prod_hyp", currency: "eur",
                ["--unit-amount", "10000", "--interval", "month"]),
            S.price("price_m1", product: "prod_hyp", ["--unit-amount", "1"] + S.metered("mtr_a")),
            S.price("price_m2", product: "prod_hyp", ["--unit-amount", "1"] + S.metered("mtr_b")),
            S.price("price_eur_m", product: "prod_hyp", currency: "eur", ["--unit-amount", "1"] + S.metered("mtr_a")),
        ]
    }
}

// MARK: Steps

/// The arguments of `events record`, with `--timestamp` and `--identifier` only when given.
func recordArgs(
    _ eventName: String, customer: String, value: String, at timestamp: String? = nil, id: String? = nil
) -> [String] {
    var args = ["events", "record", "--event-name", eventName, "--customer", customer, "--value=\(value)"]
    if let timestamp { args += ["--timestamp", timestamp] }
    if let id { args += ["--identifier", id] }
    return args
}

/// `events record` (requires exit 0), recorded at `now` (default: the timestamp itself, else
/// `defaultNow`); the event.
@discardableResult
func recordEvent(
    _ db: String, _ eventName: String, customer: String, value: String, at timestamp: String? = nil,
    id: String? = nil, now: String? = nil, extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    try ok(
        recordArgs(eventName, customer: customer, value: value, at: timestamp, id: id) + extra, db: db,
        now: now ?? timestamp ?? defaultNow, sourceLocation: sourceLocation)
}

/// `events record` of `value` at `timestamp` (default mid-January), recorded at `now` (default:
/// the timestamp itself); requires an accepted event and returns it.
@discardableResult
func usage(
    _ db: String, _ eventName: String, _ customer: String, _ value: some CustomStringConvertible,
    at timestamp: String = "2026-01-15T00:00:00Z", id: String, now: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let event = try recordEvent(
        db, eventName, customer: customer, value: "\(value)", at: timestamp, id: id, now: now,
        sourceLocation: sourceLocation)
    #expect(event["result"] as? String == "accepted", "\(event)", sourceLocation: sourceLocation)
    return event
}

/// `subscriptions create --customer C --id ID --item …` (requires exit 0 and an active
/// subscription); the subscription.
@discardableResult
func subscribe(
    _ db: String, _ customer: String, _ items: [String], id: String, now: String = defaultNow,
    extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let args =
        ["subscriptions", "create", "--customer", customer, "--id", id]
        + items.flatMap { ["--item", $0] } + extra
    let sub = try ok(args, db: db, now: now, sourceLocation: sourceLocation)
    #expect(sub["id"] as? String == id, "\(sub)", sourceLocation: sourceLocation)
    #expect(sub["object"] as? String == "subscription", "\(sub)", sourceLocation: sourceLocation)
    #expect(sub["status"] as? String == "active", "\(sub)", sourceLocation: sourceLocation)
    return sub
}

/// `bill` at `now`; checks the report's counts.
@discardableResult
func bill(
    _ db: String, now: String, created: Int64, finalized: Int64, ended: Int64 = 0,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let r = try ok(["bill"], db: db, now: now, sourceLocation: sourceLocation)
    #expect(r["object"] as? String == "billing_run", "\(r)", sourceLocation: sourceLocation)
    #expect(int64(r["invoices_created"]) == created, "invoices_created: \(r)", sourceLocation: sourceLocation)
    #expect(int64(r["invoices_finalized"]) == finalized, "invoices_finalized: \(r)", sourceLocation: sourceLocation)
    #expect(int64(r["subscriptions_ended"]) == ended, "subscriptions_ended: \(r)", sourceLocation: sourceLocation)
    return r
}

/// The `data` of a list command (requires a list object).
func listData(
    _ args: [String], _ db: String, now: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [[String: Any]] {
    let list = try ok(args, db: db, now: now, sourceLocation: sourceLocation)
    #expect(list["object"] as? String == "list", "\(list)", sourceLocation: sourceLocation)
    return try #require(list["data"] as? [[String: Any]], "no data: \(list)", sourceLocation: sourceLocation)
}

/// `invoices list [filters]`: the list's `data`, oldest first, all of it.
func invoiceList(
    _ db: String, _ filters: [String] = [], now: String = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [[String: Any]] {
    let list = try ok(["invoices", "list"] + filters, db: db, now: now, sourceLocation: sourceLocation)
    #expect(list["object"] as? String == "list", "\(list)", sourceLocation: sourceLocation)
    #expect(list["has_more"] as? Bool == false, "\(list)", sourceLocation: sourceLocation)
    return try #require(list["data"] as? [[String: Any]], "no data: \(list)", sourceLocation: sourceLocation)
}

/// An invoice's lines.
func lines(_ invoice: [String: Any]) -> [[String: Any]] {
    ((invoice["lines"] as? [String: Any])?["data"] as? [[String: Any]]) ?? []
}
