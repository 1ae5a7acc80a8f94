import Foundation

/// `ledger export` of the billed file beside `sqlite3 -csv` selecting the same rows from the same
/// file in the same run: rows/s and their ratio, and the export's peak RSS at about a tenth of the
/// rows and at all of them (flat when the export streams).
func benchExports(_ path: String) throws {
    let sqlite3 = "/usr/bin/sqlite3"
    guard FileManager.default.isExecutableFile(atPath: sqlite3) else {
        say("export: sqlite3 is not installed; the export figures need it (apt-get install sqlite3)")
        return
    }
    let tenth = start + 3 * 86_400  // events are spread evenly over 30 days
    let cases: [(String, [String], String)] = [
        (
            "events (a tenth)", ["events", "--to", String(tenth)],
            """
            SELECT e.identifier, c.id, m.id, e.timestamp, e.valueSignificand, e.valueScale, e.recordedAt
            FROM meterEvent e JOIN customer c ON c.seq = e.customerSeq JOIN meter m ON m.seq = e.meterSeq
            WHERE e.timestamp < \(tenth) ORDER BY e.seq
            """
        ),
        (
            "events", ["events"],
            """
            SELECT e.identifier, c.id, m.id, e.timestamp, e.valueSignificand, e.valueScale, e.recordedAt
            FROM meterEvent e JOIN customer c ON c.seq = e.customerSeq JOIN meter m ON m.seq = e.meterSeq
            ORDER BY e.seq
            """
        ),
        (
            "journal", ["journal"],
            """
            SELECT p.entryId, j.postedAt, j.sourceType, j.sourceId, p.position, p.account, p.currency, p.amountMinor
            FROM posting p JOIN journalEntry j ON j.id = p.entryId ORDER BY p.postedAt, p.entryId, p.position
            """
        ),
    ]
    for (name, args, sql) in cases {
        let out = work.appendingPathComponent("export.csv").path
        let (seconds, rss, _) = try runLedger(["--db", path, "export"] + args + ["-o", out])
        let rows = try lineCount(out) - 1
        let raw = work.appendingPathComponent("raw.csv").path
        let rawSeconds = try elapsed { try runTool(sqlite3, ["-csv", path, sql], stdout: raw) }
        let rawRows = try lineCount(raw)
        let rate = Double(rows) / seconds
        let rawRate = Double(rawRows) / rawSeconds
        say(
            "export \(name): ledger \(rows) rows in \(fmt(seconds, 2)) s = \(fmt(rate)) rows/s (peak RSS \(fmt(rss, 1)) MiB); sqlite3 -csv \(rawRows) rows in \(fmt(rawSeconds, 2)) s = \(fmt(rawRate)) rows/s; ratio \(fmt(rate / rawRate, 2))"
        )
    }
}

/// Lines in a file, counted as newline bytes.
func lineCount(_ path: String) throws -> Int {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var count = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        count += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
    return count
}

/// Runs `tool` with `args`, its standard output written to `stdout`.
func runTool(_ tool: String, _ args: [String], stdout: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = args
    _ = FileManager.default.createFile(atPath: stdout, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("\(tool) exited \(process.terminationStatus)") }
}
