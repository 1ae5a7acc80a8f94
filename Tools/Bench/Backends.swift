// SQLite beside PostgreSQL (`ledger-bench --backends postgres://user@host:port/database`): the
// same three figures on both backends with 1, 4 and 8 concurrent writer processes, in one run on
// one machine. Each figure starts from a new ledger (a file, or a new database of the server):
// Run: swift run -c release ledger-bench --backends URL [--events N] [--single-commits N]
// [--subscriptions N] [--writers 1,4,8] [--figures ingest,commits,bill]. The server's role must be allowed CREATE DATABASE (Tools/postgres-server.sh's is).
// - ingest: W `ledger events import` processes, each with its own file of events/W events;
// - one-event commits: W processes recording events through the library, one per transaction;
// - bill: W `ledger bill` processes at once over `subscriptions` subscriptions (each billing
//   run takes what is still due; together they finalize every invoice exactly once).
// The figure is the wall time from the first process started to the last one ended.
import Foundation
import LedgerKit

#if canImport(Glibc)
    import Glibc
#endif

enum Backend: CustomStringConvertible {
    case sqlite, postgres(server: String)
    var description: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }
}

/// The comparison when `--backends` names a server, or a writer process of it: true when one ran
/// (the work folder then removed).
func runBackendModes() throws -> Bool {
    var comparison = options.backends.map { BackendComparison(server: $0) }
    guard ProcessInfo.processInfo.environment["LEDGER_BENCH_WRITER"] != nil || comparison != nil else { return false }
    defer { try? FileManager.default.removeItem(at: work) }
    if try runBenchWriter() { return true }
    try comparison?.run(events: options.events, commits: options.singleCommits, subscriptions: options.subscriptions)
    return true
}

/// A child of the comparison, told what to do by `LEDGER_BENCH_WRITER` (`record|DB|COUNT|TAG`
/// or `subscribe|DB|FROM|TO`); it exits when done. Returns false when this process is not one.
func runBenchWriter() throws -> Bool {
    guard let job = ProcessInfo.processInfo.environment["LEDGER_BENCH_WRITER"] else { return false }
    let parts = job.split(separator: "|").map(String.init)
    guard parts.count == 4, let a = Int(parts[2]) else { throw BenchError("LEDGER_BENCH_WRITER=\(job)") }
    let ledger = try openBenchLedger(parts[1], clock: { now })
    switch parts[0] {
    case "record":
        for i in 0..<a {
            _ = try ledger.record(
                EventSubmission(
                    eventName: eventName(i % 3), identifier: "\(parts[3])-\(i)", timestamp: now - Int64(i % 86_400),
                    customer: .init(customerID(i % 1_000)), value: ExactDecimal(Int64(i % 100))))
        }
    case "subscribe":
        let items = benchItems.map { SubscriptionParams.Item(price: .init($0.id), quantity: $0.quantity) }
        let subscriber = try openBenchLedger(parts[1], clock: { start })
        for c in a..<(Int(parts[3]) ?? a) {
            _ = try subscriber.createSubscription(.init(customer: .init(customerID(c)), items: items))
        }
    default: throw BenchError("LEDGER_BENCH_WRITER=\(job)")
    }
    return true
}

func openBenchLedger(_ db: String, clock: @escaping @Sendable () -> Int64) throws -> Ledger {
    if Ledger.isPostgresURL(db) { return try Ledger(postgres: URL(string: db)!, clock: clock) }
    return try Ledger(path: db, clock: clock)
}

/// The subscription items of the billing figure: three graduated metered prices and a licence.
let benchItems: [(id: String, quantity: Int64?)] = [
    ("price_m0", nil), ("price_m1", nil), ("price_m2", nil), ("price_licence", 1),
]

/// The comparison's state: the server's URL and a counter naming its new databases.
struct BackendComparison {
    let server: String
    var made = 0
    /// The databases made on the server, dropped at the end.
    var dropped: [String] = []

    /// A new, empty ledger location on `backend`.
    mutating func fresh(_ backend: Backend, _ name: String) throws -> String {
        made += 1
        switch backend {
        case .sqlite:
            let path = work.appendingPathComponent("\(name)-\(made).sqlite").path
            try removeDatabase(path)
            return path
        case .postgres:
            let database = "bench_\(getpid())_\(made)"
            try psql(server, "CREATE DATABASE \(database)")
            dropped.append(database)
            return replacingDatabase(of: server, with: database)
        }
    }

    /// Meters, 1,000 customers (or `customers`), and with `prices` the billing figure's prices.
    func prepare(_ db: String, customers: Int, prices: Bool) throws {
        let ledger = try openBenchLedger(db, clock: { start })
        for m in 0..<3 {
            _ = try ledger.createMeter(
                .init(id: .init("mtr_\(m)"), displayName: "Tokens \(m)", eventName: eventName(m)))
        }
        let values = (0..<customers).map { "('\(customerID($0))', 'Customer \($0)', '{}', \(start))" }
        let insert = "INSERT INTO customer (id, name, metadata, created) VALUES " + values.joined(separator: ", ")
        if db.hasPrefix("postgres") {
            try psql(db, insert)
        } else {
            try SQLiteHandle(db).exec(insert)
        }
        guard prices else { return }
        let product = try ledger.createProduct(.init(id: .init("prod_api"), name: "API"))
        let usd = try Currency(code: "usd")
        let month = { (meter: Meter.ID?) in
            Price.Recurring(
                interval: .month, intervalCount: 1, usageType: meter == nil ? .licensed : .metered, meter: meter)
        }
        let tiers = [
            PriceTier(upTo: 1000, unitAmount: .zero, flatAmount: nil),
            PriceTier(upTo: nil, unitAmount: ExactDecimal(parsing: "0.1"), flatAmount: nil),
        ]
        for m in 0..<3 {
            _ = try ledger.createPrice(
                .init(
                    id: .init("price_m\(m)"), product: product.id, currency: usd, kind: .recurring,
                    recurring: month(.init("mtr_\(m)")), scheme: .tiered(mode: .graduated, tiers: tiers)))
        }
        _ = try ledger.createPrice(
            .init(
                id: .init("price_licence"), product: product.id, currency: usd, kind: .recurring,
                recurring: month(nil), scheme: .perUnit(unitAmount: ExactDecimal(2_000), transform: nil)))
    }

    /// The comparison, all figures, both backends.
    mutating func run(events: Int, commits: Int, subscriptions: Int) throws {
        say(
            "SQLite beside PostgreSQL (\(server)): \(events) events, \(commits) one-event commits, bill of \(subscriptions) subscriptions; \(options.writers.map(String.init).joined(separator: ", ")) writer processes"
        )
        var table: [(String, String, Int, Double)] = []
        let figures = options.figures.split(separator: ",").map(String.init)
        for backend in [Backend.sqlite, .postgres(server: server)] {
            for writers in options.writers where figures.contains("ingest") {
                let rate = try ingest(backend, writers: writers, events: events)
                table.append(("ingest events/s", "\(backend)", writers, rate))
                say("  \(backend), \(writers) writers: ingest \(fmt(rate)) events/s")
            }
            for writers in options.writers where figures.contains("commits") {
                let rate = try singleCommits(backend, writers: writers, commits: commits)
                table.append(("one-event commits/s", "\(backend)", writers, rate))
                say("  \(backend), \(writers) writers: \(fmt(rate)) one-event commits/s")
            }
            for writers in options.writers where figures.contains("bill") {
                let seconds = try bill(backend, writers: writers, subscriptions: subscriptions)
                table.append(("bill seconds", "\(backend)", writers, seconds))
                say("  \(backend), \(writers) writers: bill \(subscriptions) subscriptions in \(fmt(seconds, 2)) s")
            }
        }
        say("figure | writers | SQLite | PostgreSQL | PostgreSQL / SQLite")
        for (figure, backend, writers, value) in table where backend == "SQLite" {
            guard let pg = table.first(where: { $0.0 == figure && $0.1 == "PostgreSQL" && $0.2 == writers }) else {
                continue
            }
            let digits = figure == "bill seconds" ? 2 : 0
            say("\(figure) | \(writers) | \(fmt(value, digits)) | \(fmt(pg.3, digits)) | \(fmt(pg.3 / value, 2))")
        }
        for database in dropped { try psql(server, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
    }

    mutating func ingest(_ backend: Backend, writers: Int, events: Int) throws -> Double {
        let db = try fresh(backend, "ingest")
        try prepare(db, customers: 1_000, prices: false)
        let share = events / writers
        var files: [String] = []
        for w in 0..<writers {
            let path = work.appendingPathComponent("ingest-\(w).ndjson").path
            let data = rows(share, seed: UInt64(1_000 + w)).map {
                Row(
                    identifier: "w\(w)-\($0.identifier)", meter: $0.meter, customer: $0.customer % 1_000,
                    timestamp: $0.timestamp, value: $0.value)
            }
            try writeNDJSON(data, to: path)
            files.append(path)
        }
        let seconds = try together(files.map { ["--db", db, "--now", String(now), "--json", "events", "import", $0] })
        return Double(share * writers) / seconds
    }

    mutating func singleCommits(_ backend: Backend, writers: Int, commits: Int) throws -> Double {
        let db = try fresh(backend, "commits")
        try prepare(db, customers: 1_000, prices: false)
        let share = commits / writers
        let seconds = try together((0..<writers).map { _ in [] }) { w in "record|\(db)|\(share)|c\(w)" }
        return Double(share * writers) / seconds
    }

    mutating func bill(_ backend: Backend, writers: Int, subscriptions: Int) throws -> Double {
        let db = try fresh(backend, "bill")
        try prepare(db, customers: subscriptions, prices: true)
        let step = (subscriptions + 7) / 8
        _ = try together((0..<8).map { _ in [] }) { w in
            "subscribe|\(db)|\(w * step)|\(min(subscriptions, (w + 1) * step))"
        }
        let file = work.appendingPathComponent("bill-events.ndjson").path
        try writeNDJSON(
            rows(subscriptions * 3, seed: 7).map {
                Row(
                    identifier: $0.identifier, meter: $0.meter, customer: $0.customer % subscriptions,
                    timestamp: $0.timestamp, value: $0.value)
            }, to: file)
        _ = try runLedger(["--db", db, "--now", String(now), "--json", "events", "import", file])
        let until =
            try BillingCycle(anchor: start, interval: .month, intervalCount: 1).boundary(1)
            + Limits.finalizationGraceSeconds
        var outputs: [String] = []
        let seconds = try together(
            (0..<writers).map { _ in ["--db", db, "--now", String(until), "--json", "bill"] }, outputs: &outputs)
        let finalized = outputs.compactMap { output -> Int? in
            guard let range = output.range(of: #""invoices_finalized": (\d+)"#, options: .regularExpression) else {
                return nil
            }
            return Int(output[range].split(separator: " ").last!)
        }.reduce(0, +)
        guard finalized == subscriptions else {
            throw BenchError("\(writers) bill processes finalized \(finalized) invoices, not \(subscriptions)")
        }
        return seconds
    }
}

/// Runs every argument list as a `ledger` process (or, with `writer`, this benchmark as the
/// writer that names) at once; returns the wall time until the last one ended.
func together(_ commands: [[String]], writer: ((Int) -> String)? = nil) throws -> Double {
    var outputs: [String] = []
    return try together(commands, writer: writer, outputs: &outputs)
}

func together(_ commands: [[String]], writer: ((Int) -> String)? = nil, outputs: inout [String]) throws -> Double {
    let ledger =
        options.ledgerBinary
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger")
        .path
    let processes = commands.enumerated().map { index, arguments in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer == nil ? ledger : CommandLine.arguments[0])
        process.arguments = arguments
        if let writer {
            process.environment = ProcessInfo.processInfo.environment.merging(["LEDGER_BENCH_WRITER": writer(index)]) {
                $1
            }
        }
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        return process
    }
    var results: [String] = []
    let seconds = try elapsed {
        for process in processes { try process.run() }
        for process in processes {
            let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
            let err = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw BenchError(
                    "\(process.arguments ?? []) exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))"
                )
            }
            results.append(String(decoding: out, as: UTF8.self))
        }
    }
    outputs = results
    return seconds
}

/// Runs SQL with psql on `url` (a postgres:// URL; its `?search_path=` ignored), sent on its
/// standard input (a statement of 10,000 rows is longer than an argument may be).
func psql(_ url: String, _ sql: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url]
    process.standardOutput = FileHandle.nullDevice
    let err = Pipe()
    let input = Pipe()
    process.standardError = err
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(Data((sql + ";\n").utf8))
    try input.fileHandleForWriting.close()
    let message = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("psql: \(String(decoding: message, as: UTF8.self))") }
}

/// `postgres://u@h:p/old` with its database replaced by `database`.
func replacingDatabase(of url: String, with database: String) -> String {
    var parts = URLComponents(string: url)!
    parts.path = "/" + database
    parts.query = nil
    return parts.string!
}
