import Testing

@testable import LedgerCore

@Suite struct InstantTests {
    @Test(arguments: [
        ("2026-01-01T00:00:00Z", Int64(1_767_225_600)), ("2026-01-01", 1_767_225_600),
        ("1767225600", 1_767_225_600), ("2026-02-01T01:00:00Z", 1_769_907_600),
        ("2026-01-01T02:00:00+02:00", 1_767_225_600), ("2024-02-29T12:30:15Z", 1_709_209_815),
        ("1970-01-01T00:00:00Z", 0), ("9999-12-31T23:59:59Z", 253_402_300_799),
        ("2026-01-05T12:00:00.750Z", 1_767_614_400),
    ])
    func parses(_ text: String, _ seconds: Int64) throws {
        #expect(try Instant.parse(text) == seconds)
    }

    @Test(arguments: [
        "garbage", "2026-13-01", "2026-02-30", "2025-02-29", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00", "2026-1-1",
        "1969-12-31T23:59:59Z",
    ])
    func refuses(_ text: String) {
        #expect(throws: LedgerError.self) { try Instant.parse(text) }
    }

    @Test func formatsWhatItParses() throws {
        for text in ["2026-01-31T00:00:00Z", "2024-02-29T23:59:59Z", "1970-07-20T20:17:40Z", "2100-03-01T00:00:00Z"] {
            #expect(Instant.format(try Instant.parse(text)) == text)
        }
    }
}
