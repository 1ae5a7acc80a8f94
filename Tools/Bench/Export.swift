import Foundation
import LedgerKit

/// `ledger export` of the billed file beside `sqlite3 -csv` selecting the same rows from the same
/// file in the same run: rows/s and their ratio, and the export's peak RSS at about a tenth of the
/// rows and at all of them (flat when the export streams).
func benchExports(_ path: String, journalTenth: Int64) throws {
    let sqlite3 = "/usr/bin/sqlite3"
    guard FileManager.default.isExecutableFile(atPath: sqlite3) else {
        say("export: sqlite3 is not installed; the export figures need it (apt-get install sqlite3)")
        return
    }
    let tenth = start + 3 * 86_400  // events are spread evenly over 30 days
    let plainEvents = """
        SELECT e.identifier, c.id, m.id, e.timestamp, e.valueSignificand, e.valueScale, e.recordedAt
        FROM meterEvent e JOIN customer c ON c.seq = e.customerSeq JOIN meter m ON m.seq = e.meterSeq
        WHERE e.timestamp >= ? AND e.timestamp < ? AND (c.id IS ? OR ?) ORDER BY e.seq
        """
    // Each export beside sqlite3 -csv running the export's own statement (Ledger.exportStatement:
    // the same rows, joins and order), and for events also beside a plain scan of the table.
    let cases: [(String, ExportKind, Int64, [(String, String)])] = [
        (
            "events (a tenth)", .events, tenth,
            [("same statement", Ledger.exportStatement(.events)), ("plain scan", plainEvents)]
        ),
        ("events", .events, .max, [("same statement", Ledger.exportStatement(.events)), ("plain scan", plainEvents)]),
        ("journal (--to part way)", .journal, journalTenth, [("same statement", Ledger.exportStatement(.journal))]),
        ("journal", .journal, .max, [("same statement", Ledger.exportStatement(.journal))]),
    ]
    for (name, kind, to, baselines) in cases {
        let out = work.appendingPathComponent("export.csv").path
        let range = to == .max ? [] : ["--to", String(to)]
        let (seconds, rss, _) = try runLedger(["--db", path, "export", kind.rawValue] + range + ["-o", out])
        let rows = try lineCount(out) - 1
        let rate = Double(rows) / seconds
        var line =
            "export \(name): ledger \(rows) rows in \(fmt(seconds, 2)) s = \(fmt(rate)) rows/s (peak RSS \(fmt(rss, 1)) MiB)"
        for (baseline, sql) in baselines {
            let raw = work.appendingPathComponent("raw.csv").path
            let bindings = [String(Int64.min), String(to), "NULL", "1"].enumerated().flatMap {
                ["-cmd", ".parameter set ?\($0.offset + 1) \($0.element)"]
            }
            let rawSeconds = try elapsed { try runTool(sqlite3, ["-csv"] + bindings + [path, sql], stdout: raw) }
            let rawRows = try lineCount(raw)
            let rawRate = Double(rawRows) / rawSeconds
            line +=
                "; sqlite3 -csv, \(baseline): \(rawRows) rows in \(fmt(rawSeconds, 2)) s = \(fmt(rawRate)) rows/s, ratio \(fmt(rate / rawRate, 2))"
        }
        say(line)
    }
}

/// Brings the billed file's journal to `postings` rows with manual adjustments posted through
/// the library (`Ledger.post`, one entry of ten postings per transaction: nine receivables, one
/// revenue), so the journal export is measured at the size the issue names. Entry `n` is posted
/// at `instant + n`; returns the instant before which the billing run's postings and a tenth of
/// the padding lie.
func padJournal(_ path: String, to postings: Int, at instant: Int64) throws -> Int64 {
    let have = try Ledger(path: path, clock: { instant }).journalEntries().reduce(0) { $0 + $1.postings.count }
    let entries = max(0, postings - have) / 10
    let ledger = try Ledger(path: path, clock: { instant + Int64(entries) })
    let usd = try Currency(code: "usd")
    let revenue = try Account("revenue:adjustments")
    let seconds = try elapsed {
        for n in 0..<entries {
            let debits = try (0..<9).map { k in
                Posting(
                    account: try Account("assets:receivable:" + customerID((n * 9 + k) % options.customers)),
                    amountMinor: Int64(100 + k), currency: usd)
            }
            let credit = Posting(
                account: revenue, amountMinor: -debits.reduce(0) { $0 + $1.amountMinor }, currency: usd)
            try ledger.post(
                .balanced(
                    postedAt: instant + Int64(n), description: "adjustment \(n)", sourceType: "adjustment",
                    sourceId: "adj_\(n)",
                    postings: debits + [credit]))
        }
    }
    say(
        "journal padded from \(have) to \(have + entries * 10) postings: \(entries) entries of 10 postings posted through Ledger.post in \(fmt(seconds, 1)) s"
    )
    return instant + Int64(entries / 10)
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
