// The project's benchmark: ledger figures beside raw SQLite measured in the same run, on the
// same file system. Run: swift run -c release ledger-bench [--events N] [--identifiers random|ordered]
// [--journal POSTINGS]; with --backends URL, SQLite beside PostgreSQL instead (Backends.swift)
// It prints figures and ratios; it asserts nothing (speed is never a unit test).
import Foundation
import GRDBSQLite
import LedgerKit

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var events = 1_000_000
    var customers = 10_000
    var meters = 3
    var singleCommits = 20_000
    var pointQueries = 10_000
    var randomIdentifiers = true
    var ledgerBinary: String?
    var skipImport = false
    var skipBill = false
    var subscriptions = 10_000
    var journal = 1_000_000
    /// Runs of each repeated figure: the median, min and max are printed.
    var runs = 3
    var backends: String?, writers = [1, 4, 8], figures = "ingest,commits,bill"

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--events": events = Int(value) ?? events
            case "--customers": customers = Int(value) ?? customers
            case "--single-commits": singleCommits = Int(value) ?? singleCommits
            case "--point-queries": pointQueries = Int(value) ?? pointQueries
            case "--identifiers": randomIdentifiers = value != "ordered"
            case "--ledger": ledgerBinary = value
            case "--skip-import": skipImport = true; i -= 1
            case "--skip-bill": skipBill = true; i -= 1
            case "--keep": i -= 1
            case "--subscriptions": subscriptions = Int(value) ?? subscriptions
            case "--journal": journal = Int(value) ?? journal
            case "--runs": runs = max(1, Int(value) ?? runs)
            case "--backends": backends = value
            case "--writers": writers = value.split(separator: ",").compactMap { Int($0) }
            case "--figures": figures = value
            default: fatalError("unknown option \(args[i])")
            }
            i += 2
        }
    }
}

/// Prints a line at once, so that progress shows while the benchmark runs.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

let options = Options(CommandLine.arguments)
let now: Int64 = 1_767_225_600 + 40 * 86_400  // 2026-02-10T00:00:00Z
let start: Int64 = now - 30 * 86_400
let work = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { if !CommandLine.arguments.contains("--keep") { try? FileManager.default.removeItem(at: work) } }

func elapsed(_ body: () throws -> Void) rethrows -> Double {
    var t0 = timespec()
    var t1 = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t0)
    try body()
    clock_gettime(CLOCK_MONOTONIC, &t1)
    return Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) / 1e9
}

func fmt(_ x: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", x) }

/// One figure over the runs, printed as its median with the min and max.
struct Spread {
    private(set) var samples: [Double] = []
    mutating func add(_ x: Double) { samples.append(x) }
    var median: Double { samples.sorted()[samples.count / 2] }
    /// `median (min a, max b)`, each multiplied by `scale`.
    func text(_ digits: Int = 0, scale: Double = 1) -> String {
        guard samples.count > 1 else { return fmt(median * scale, digits) }
        return
            "\(fmt(median * scale, digits)) (min \(fmt(samples.min()! * scale, digits)), max \(fmt(samples.max()! * scale, digits)))"
    }
}

/// Deterministic pseudo-random numbers (SplitMix64), so every run imports the same rows.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct Row {
    var identifier: String
    var meter: Int
    var customer: Int
    var timestamp: Int64
    var value: Int64
}

func rows(_ count: Int, seed: UInt64) -> [Row] {
    var rng = SplitMix(state: seed)
    return (0..<count).map { i in
        let id: String
        if options.randomIdentifiers {
            let a = rng.next(), b = rng.next()
            id = String(
                format: "%08x-%04x-4%03x-%04x-%012llx", UInt32(truncatingIfNeeded: a),
                UInt16(truncatingIfNeeded: a >> 32),
                UInt16(truncatingIfNeeded: a >> 48) & 0xfff, UInt16(truncatingIfNeeded: b) & 0x3fff | 0x8000, b >> 16)
        } else {
            id = String(format: "evt-%012d", i)
        }
        // Events arrive in time order, as a metering pipeline sends them.
        let timestamp = start + Int64(i) * (30 * 86_400) / Int64(max(count, 1))
        return Row(
            identifier: id, meter: Int(rng.next() % UInt64(options.meters)),
            customer: Int(rng.next() % UInt64(options.customers)),
            timestamp: timestamp, value: Int64(rng.next() % 5_000))
    }
}

func customerID(_ i: Int) -> String { String(format: "cus_%06d", i) }
func eventName(_ m: Int) -> String { "tokens_\(m)" }

/// A ledger file with the customers and meters, ready for events.
func prepareLedger(_ path: String) throws -> Ledger {
    let ledger = try Ledger(path: path, clock: { now })
    for m in 0..<options.meters {
        _ = try ledger.createMeter(.init(id: .init("mtr_\(m)"), displayName: "Tokens \(m)", eventName: eventName(m)))
    }
    // One transaction for all customers: this is setup, not measured.
    let db = try SQLiteHandle(path)
    try db.exec("BEGIN")
    for c in 0..<options.customers {
        try db.exec(
            "INSERT INTO customer (id, name, metadata, created) VALUES ('\(customerID(c))', 'Customer \(c)', '{}', \(now))"
        )
    }
    try db.exec("COMMIT")
    return ledger
}

/// The raw C API, for the reference figures.
final class SQLiteHandle {
    var db: OpaquePointer?
    init(_ path: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchError("open \(path)") }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = FULL")  // as the ledger
        try exec("PRAGMA foreign_keys = ON")
        try exec("PRAGMA cache_size = -\(Limits.pageCacheKiB)")  // as the ledger
        sqlite3_busy_timeout(db, 10_000)
    }
    deinit { sqlite3_close(db) }
    func exec(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "?"
            sqlite3_free(error)
            throw BenchError("\(message): \(sql.prefix(80))")
        }
    }
    /// Copies the database page by page through SQLite's backup API. A plain file copy while
    /// this process holds connections to the file would close a descriptor of it, and POSIX
    /// then drops every lock the process holds on the file: other processes could write under
    /// our readers, which corrupted a copy of this benchmark's file once.
    func backup(to destination: String) throws {
        let target = try SQLiteHandle(destination)
        guard let backup = sqlite3_backup_init(target.db, "main", db, "main") else {
            throw BenchError("backup to \(destination): \(String(cString: sqlite3_errmsg(target.db)))")
        }
        let step = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE else { throw BenchError("backup to \(destination): step \(step)") }
    }

    func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchError(String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

nonisolated(unsafe) let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Raw insert of `rows` into a prepared ledger file: one prepared statement, `batch` rows per
/// transaction, the same table, indexes and triggers as the ledger.
func rawInsert(_ path: String, _ rows: [Row], batch: Int) throws -> Double {
    let db = try SQLiteHandle(path)
    let insert = try db.prepare(
        "INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, valueScale, dimensions, recordedAt) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?)"
    )
    defer { sqlite3_finalize(insert) }
    return try elapsed {
        var i = 0
        while i < rows.count {
            try db.exec("BEGIN IMMEDIATE")
            for row in rows[i..<min(i + batch, rows.count)] { try insertRow(row, with: insert, in: db) }
            try db.exec("COMMIT")
            i += batch
        }
    }
}

/// Binds `row` as the ledger would store it (hash computed, customer and meter as their seq,
/// recorded now) to the seven parameters of `insert`, and runs it.
func insertRow(_ row: Row, with insert: OpaquePointer?, in db: SQLiteHandle) throws {
    sqlite3_bind_text(insert, 1, row.identifier, -1, SQLITE_TRANSIENT)
    sqlite3_bind_int64(insert, 2, identifierHash(row.identifier))
    sqlite3_bind_int64(insert, 3, Int64(row.meter + 1))
    sqlite3_bind_int64(insert, 4, Int64(row.customer + 1))
    sqlite3_bind_int64(insert, 5, row.timestamp)
    sqlite3_bind_int64(insert, 6, row.value)
    sqlite3_bind_int64(insert, 7, now)
    guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db.db))) }
    sqlite3_reset(insert)
}

/// The peak resident set of process `pid` so far (VmHWM), in MiB.
func peakRSS(_ pid: pid_t) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return nil
}

/// Runs `ledger` as a child process; returns seconds, the child's peak RSS in MiB (sampled
/// from /proc every 2 ms: wait4's ru_maxrss would include this parent's memory, which the
/// child shares until exec), and its standard output.
func runLedger(_ args: [String]) throws -> (Double, Double, String) {
    let binary =
        options.ledgerBinary
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger")
        .path
    let out = work.appendingPathComponent("stdout.txt").path
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([binary] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    var status: Int32 = 0
    var peak = 0.0
    let seconds = try elapsed {
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else { throw BenchError("spawn \(binary)") }
        while waitpid(pid, &status, WNOHANG) == 0 {
            if let rss = peakRSS(pid) { peak = max(peak, rss) }
            usleep(2_000)
        }
    }
    posix_spawn_file_actions_destroy(&actions)
    let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    guard status == 0 else { throw BenchError("ledger \(args.joined(separator: " ")) exited \(status): \(output)") }
    return (seconds, peak, output)
}

func writeNDJSON(_ rows: [Row], to path: String) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var chunk = ""
    for row in rows {
        chunk +=
            "{\"event_name\":\"\(eventName(row.meter))\",\"customer\":\"\(customerID(row.customer))\",\"value\":\(row.value),\"timestamp\":\(row.timestamp),\"identifier\":\"\(row.identifier)\"}\n"
        if chunk.utf8.count > 1 << 20 {
            handle.write(Data(chunk.utf8))
            chunk = ""
        }
    }
    handle.write(Data(chunk.utf8))
    try handle.close()
}

if try runBackendModes() { exit(0) }  // Backends.swift: --backends URL, and its writer processes

say(
    "ledger benchmark: \(options.events) events, \(options.customers) customers, \(options.meters) meters, \(options.randomIdentifiers ? "random (UUIDv4-like)" : "time-ordered") identifiers"
)
say("work folder: \(work.path)")

// 1. Bulk import through the real binary vs raw inserts of the same rows (Import.swift).
for count in [options.events / 10, options.events] where count > 0 && !options.skipImport {
    try benchImport(count)
}

// 2. One event per transaction: the library's record() vs raw one-row commits.
do {
    let data = rows(options.singleCommits, seed: 99)
    let ledgerPath = work.appendingPathComponent("single.sqlite").path
    let ledger = try prepareLedger(ledgerPath)
    let seconds = try elapsed {
        for row in data {
            _ = try ledger.record(
                EventSubmission(
                    eventName: eventName(row.meter), identifier: row.identifier, timestamp: row.timestamp,
                    customer: .init(customerID(row.customer)), value: ExactDecimal(row.value)))
        }
    }
    let rawPath = work.appendingPathComponent("single-raw.sqlite").path
    _ = try prepareLedger(rawPath)
    let rawSeconds = try rawInsert(rawPath, data, batch: 1)
    let rate = Double(data.count) / seconds
    let rawRate = Double(data.count) / rawSeconds
    say(
        "one event per transaction (\(data.count)): ledger record() \(fmt(rate)) events/s; raw SQLite \(fmt(rawRate)) commits/s; ratio \(fmt(rate / rawRate, 2))"
    )
}

// 4. The billing run: one period of `subscriptions` subscriptions (3 metered prices and a
// licence each) over the imported events, through the binary, beside raw SQLite's GROUP BY of
// the same usage.
if !options.skipBill {
    let count = options.events
    let data = rows(count, seed: 42)
    let file = work.appendingPathComponent("bill-events.ndjson").path
    try writeNDJSON(data, to: file)
    let path = work.appendingPathComponent("bill.sqlite").path
    let ledger = try prepareLedger(path)
    let usd = try Currency(code: "usd")
    let product = try ledger.createProduct(.init(name: "API"))
    let month = { (meter: Meter.ID?) in
        Price.Recurring(
            interval: .month, intervalCount: 1, usageType: meter == nil ? .licensed : .metered, meter: meter)
    }
    var items: [SubscriptionParams.Item] = []
    for m in 0..<options.meters {
        let price = try ledger.createPrice(
            .init(
                product: product.id, currency: usd, kind: .recurring, recurring: month(.init("mtr_\(m)")),
                scheme: .tiered(
                    mode: .graduated,
                    tiers: [
                        PriceTier(upTo: 1000, unitAmount: .zero, flatAmount: nil),
                        PriceTier(upTo: nil, unitAmount: ExactDecimal(parsing: "0.1"), flatAmount: nil),
                    ])))
        items.append(.init(price: price.id))
    }
    let licence = try ledger.createPrice(
        .init(
            product: product.id, currency: usd, kind: .recurring, recurring: month(nil),
            scheme: .perUnit(unitAmount: ExactDecimal(2_000), transform: nil)))
    items.append(.init(price: licence.id, quantity: 1))
    let subscriber = try Ledger(path: path, clock: { start })
    for c in 0..<min(options.subscriptions, options.customers) {
        _ = try subscriber.createSubscription(.init(customer: .init(customerID(c)), items: items))
    }
    let (importSeconds, _, _) = try runLedger(["--db", path, "--now", String(now), "--json", "events", "import", file])
    let periodEnd = try BillingCycle(anchor: start, interval: .month, intervalCount: 1).boundary(1)
    let until = periodEnd + Limits.finalizationGraceSeconds
    if CommandLine.arguments.contains("--keep") {
        try SQLiteHandle(path).backup(to: path + ".before-bill")
    }
    // The same file without grants, billed too: what applying credits costs.
    let bare = work.appendingPathComponent("bill-nogrants.sqlite").path
    try SQLiteHandle(path).backup(to: bare)
    let grants = try grantCredits(path, at: now)
    let subs = min(options.subscriptions, options.customers)
    let db = try SQLiteHandle(path)
    let group = try db.prepare(
        """
        SELECT customerSeq, meterSeq, sum(valueSignificand) FROM meterEvent
        WHERE timestamp >= ? AND timestamp < ? AND cancelledAt IS NULL GROUP BY customerSeq, meterSeq
        """)
    var groups = 0
    let rawSeconds = elapsed {
        sqlite3_bind_int64(group, 1, start)
        sqlite3_bind_int64(group, 2, periodEnd)
        while sqlite3_step(group) == SQLITE_ROW { groups += 1 }
        sqlite3_reset(group)
    }
    sqlite3_finalize(group)
    say(
        "bill: \(subs) subscriptions over \(count) events (import took \(fmt(importSeconds, 1)) s); raw SQLite GROUP BY customer, meter over the period: \(fmt(rawSeconds, 3)) s (\(groups) groups)"
    )
    try benchBill(path, bare: bare, subscriptions: subs, grants: grants, until: until)
    let journalTenth = try padJournal(path, to: options.journal, at: until)
    try benchExports(path, journalTenth: journalTenth)
    try benchReads(path, at: until + 1_000_000)
    try benchHistory()
}
