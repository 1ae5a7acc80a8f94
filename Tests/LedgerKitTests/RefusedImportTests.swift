import Foundation
import Testing

@testable import LedgerKit

/// Imports the hostile-input tool (`Tools/stress.py hostile`) found changing the file or judging
/// a line by where the input's chunks end.
@Suite struct RefusedImportTests {
    static let t0: Int64 = 1_767_225_600

    /// A non-atomic import that rejects every line exits 65 in the CLI: it must write nothing,
    /// not even the clock it would have moved forward (a later write at an earlier instant would
    /// then have been `clock_regression`).
    @Test func importRejectingEveryLineWritesNothing() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let first = try location.open(clock: fixedClock(Self.t0))
        _ = try first.createCustomer(CustomerParams(id: .init("cus_a"), name: "A"))
        let before = try first.dump()
        let file = location.path("bad.ndjson")
        try Data("{\n[1]\n{\"event_name\": 3}\n".utf8).write(to: URL(fileURLWithPath: file))
        let later = try location.open(clock: fixedClock(Self.t0 + 600))
        let report = try later.importEvents(try LineReader(path: file), format: .ndjson)
        #expect((report.accepted, report.rejected, report.lines) == (0, 3, 3))
        #expect(try later.dump() == before)
        // The clock did not move: a time-dependent write at t0 + 300 is not a regression.
        let between = try location.open(clock: fixedClock(Self.t0 + 300))
        #expect(code { _ = try between.importEvents(try LineReader(path: file), format: .ndjson) } == nil)
    }

    /// A line over `Limits.importLineBytesMax` is too long wherever it lies in the input: read
    /// whole within one chunk (first line, small file) as well as across chunks.
    @Test(arguments: [0, 1, 90_000])
    func lineOverTheLimitIsTooLongWherever(_ shortLines: Int) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path("long.ndjson")
        let long = "{\"event_name\":\"t\",\"note\":\"" + String(repeating: "n", count: 70_000) + "\"}\n"
        let pad = String(repeating: "{}\n", count: shortLines)
        try Data((pad + long + "{}\n").utf8).write(to: URL(fileURLWithPath: file))
        let reader = try LineReader(path: file)
        var kinds: [String] = []
        while let line = try reader.next() {
            switch line {
            case .tooLong: kinds.append("tooLong")
            case .text(_, let text): kinds.append(text.count > 100 ? "long text" : "text")
            case .invalid: kinds.append("invalid")
            }
        }
        #expect(kinds == Array(repeating: "text", count: shortLines) + ["tooLong", "text"])
    }
}
