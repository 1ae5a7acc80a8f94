import Foundation
import GRDBSQLite
import LedgerKit

/// `ledger events import` of `count` NDJSON events (dedupe included) into a fresh file, beside,
/// in the same run and on the same file system:
/// (a) raw C-API inserts of the same rows on the ledger's own schema, at 10,000 rows and at the
///     ledger's own transaction size;
/// (b) the sqlite3 shell, with its default settings, running `INSERT … SELECT` of the same rows
///     from a staging table (the ledger's own schema and indexes on the target).
/// Each is run `options.runs` times, interleaved; each ratio is taken within a run.
func benchImport(_ count: Int) throws {
    let data = rows(count, seed: 42)
    let file = work.appendingPathComponent("events-\(count).ndjson").path
    try writeNDJSON(data, to: file)
    let stage = work.appendingPathComponent("stage-\(count).sqlite").path
    try writeStage(data, to: stage)
    let sqlite3 = "/usr/bin/sqlite3"
    let shell = FileManager.default.isExecutableFile(atPath: sqlite3)
    var ledger = Spread(), rss = Spread()
    var raw = Spread(), rawSame = Spread(), viaShell = Spread()
    var ratio = Spread(), ratioSame = Spread(), ratioShell = Spread()
    for run in 0..<options.runs {
        let ledgerPath = work.appendingPathComponent("import-\(count).sqlite").path
        try removeDatabase(ledgerPath)
        _ = try prepareLedger(ledgerPath)
        let (seconds, peak, output) = try runLedger([
            "--db", ledgerPath, "--now", String(now), "--json", "events", "import", file,
        ])
        guard output.contains("\"accepted\": \(count)") else {
            throw BenchError("import did not accept every event: \(output)")
        }
        let rate = Double(count) / seconds
        ledger.add(rate)
        rss.add(peak)
        // The last run's file stays for the point aggregates below.
        if run < options.runs - 1 { try removeDatabase(ledgerPath) }

        let rawPath = work.appendingPathComponent("raw-\(count).sqlite").path
        try removeDatabase(rawPath)
        _ = try prepareLedger(rawPath)
        let rawRate = Double(count) / (try rawInsert(rawPath, data, batch: 10_000))
        raw.add(rawRate)
        ratio.add(rate / rawRate)
        if run < options.runs - 1 { try removeDatabase(rawPath) }

        let samePath = work.appendingPathComponent("raw-same-\(count).sqlite").path
        try removeDatabase(samePath)
        _ = try prepareLedger(samePath)
        let sameRate = Double(count) / (try rawInsert(samePath, data, batch: Limits.importTransactionSize))
        rawSame.add(sameRate)
        ratioSame.add(rate / sameRate)
        try removeDatabase(samePath)

        if shell {
            let shellPath = work.appendingPathComponent("shell-\(count).sqlite").path
            try removeDatabase(shellPath)
            _ = try prepareLedger(shellPath)
            let sql = """
                ATTACH '\(stage)' AS s;
                INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp,
                    valueSignificand, valueScale, recordedAt)
                SELECT identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, 0, recordedAt
                FROM s.stage ORDER BY seq;
                """
            let shellSeconds = try elapsed {
                try runTool(sqlite3, [shellPath, sql], stdout: work.appendingPathComponent("shell.txt").path)
            }
            let shellRate = Double(count) / shellSeconds
            viaShell.add(shellRate)
            ratioShell.add(rate / shellRate)
            try removeDatabase(shellPath)
        }
    }
    let runs = "median of \(options.runs) (min, max)"
    say("import \(count) events, \(runs): ledger \(ledger.text()) events/s, peak RSS \(rss.text(1)) MiB")
    say("  (a) raw C API, same schema, 10,000-row transactions: \(raw.text()) rows/s; ledger/raw \(ratio.text(2))")
    say(
        "  (a) raw C API, same schema, \(Limits.importTransactionSize)-row transactions (as the ledger): \(rawSame.text()) rows/s; ledger/raw \(ratioSame.text(2))"
    )
    if shell {
        say(
            "  (b) sqlite3 shell, default settings, INSERT … SELECT from a staging table, one statement: \(viaShell.text()) rows/s; ledger/shell \(ratioShell.text(2))"
        )
    } else {
        say("  (b) sqlite3 is not installed; the shell figure needs it (apt-get install sqlite3)")
    }
    if count == options.events { try benchPointAggregates(count) }
}

/// The rows of `data` in a staging table of their own file, as the ledger would write them
/// (hash computed, customer and meter as their seq), for the shell's `INSERT … SELECT`.
func writeStage(_ data: [Row], to path: String) throws {
    try removeDatabase(path)
    let db = try SQLiteHandle(path)
    try db.exec(
        """
        CREATE TABLE stage (seq INTEGER PRIMARY KEY, identifier TEXT, identifierHash INTEGER, meterSeq INTEGER,
            customerSeq INTEGER, timestamp INTEGER, valueSignificand INTEGER, recordedAt INTEGER)
        """)
    let insert = try db.prepare("INSERT INTO stage VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)")
    defer { sqlite3_finalize(insert) }
    try db.exec("BEGIN")
    for row in data { try insertRow(row, with: insert, in: db) }
    try db.exec("COMMIT")
}

/// Removes a database file and its -wal and -shm files, when present.
func removeDatabase(_ path: String) throws {
    for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
        try FileManager.default.removeItem(atPath: path + suffix)
    }
}

/// Point aggregates (one customer, meter and month) on the imported file through the library,
/// beside the raw statement on the raw file of the same rows.
func benchPointAggregates(_ count: Int) throws {
    let ledgerPath = work.appendingPathComponent("import-\(count).sqlite").path
    let rawPath = work.appendingPathComponent("raw-\(count).sqlite").path
    let ledger = try Ledger(path: ledgerPath, clock: { now })
    var rng = SplitMix(state: 7)
    var samples: [Double] = []
    for _ in 0..<options.pointQueries {
        let c = customerID(Int(rng.next() % UInt64(options.customers)))
        let m = "mtr_\(rng.next() % UInt64(options.meters))"
        samples.append(
            try elapsed {
                _ = try ledger.usage(customer: .init(c), meter: .init(m), start: start, end: start + 30 * 86_400)
            })
    }
    samples.sort()
    let db = try SQLiteHandle(rawPath)
    let query = try db.prepare(
        "SELECT valueSignificand FROM meterEvent WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ? AND timestamp < ? AND cancelledAt IS NULL"
    )
    var rawSamples: [Double] = []
    for _ in 0..<options.pointQueries {
        let c = Int64(rng.next() % UInt64(options.customers)) + 1
        let m = Int64(rng.next() % UInt64(options.meters)) + 1
        rawSamples.append(
            elapsed {
                sqlite3_bind_int64(query, 1, c); sqlite3_bind_int64(query, 2, m)
                sqlite3_bind_int64(query, 3, start); sqlite3_bind_int64(query, 4, start + 30 * 86_400)
                var sum: Int64 = 0
                while sqlite3_step(query) == SQLITE_ROW { sum &+= sqlite3_column_int64(query, 0) }
                sqlite3_reset(query)
            })
    }
    sqlite3_finalize(query)
    rawSamples.sort()
    func p(_ s: [Double], _ q: Double) -> String { fmt(s[Int(Double(s.count - 1) * q)] * 1000, 4) }
    say(
        "point aggregate (1 customer, 1 meter, 30 days) at \(count) events: ledger p50 \(p(samples, 0.5)) ms, p99 \(p(samples, 0.99)) ms; raw SQLite p50 \(p(rawSamples, 0.5)) ms, p99 \(p(rawSamples, 0.99)) ms"
    )
}
