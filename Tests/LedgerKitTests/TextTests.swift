import Foundation
import Testing

@testable import LedgerKit

/// Text a host app or an import gives: a NUL or bytes that are not UTF-8 are refused
/// (`invalid_text`), never stored cut at the NUL or read with replacement characters.
@Suite struct TextTests {
    /// Customer `cus_a`, meter `mtr_u` (event `units`), product `prod_p`.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_a"]),
        meters: [.init(id: "mtr_u", displayName: "Units", eventName: "units")],
        products: [.init(id: "prod_p", name: "Product")])

    @Test func aNULInTheTextOfAnObjectIsInvalidTextAndNothingIsStored() throws {
        let w = try World(Self.catalog)
        #expect(code { _ = try w.ledger.createCustomer(.init(name: "a\0b")) } == .invalidText)
        #expect(code { _ = try w.ledger.createCustomer(.init(email: "a@b\0.c")) } == .invalidText)
        #expect(code { _ = try w.ledger.createCustomer(.init(id: "cus_\0x", name: "A")) } == .invalidText)
        #expect(code { _ = try w.ledger.createCustomer(.init(name: "A", metadata: ["k\0": "v"])) } == .invalidText)
        #expect(code { _ = try w.ledger.createCustomer(.init(name: "A", metadata: ["k": "v\0"])) } == .invalidText)
        #expect(code { _ = try w.ledger.createProduct(.init(name: "P", description: "d\0")) } == .invalidText)
        #expect(code { _ = try w.ledger.createMeter(.init(displayName: "M", eventName: "ev\0x")) } == .invalidText)
        #expect(try w.ledger.customers().map(\.id) == ["cus_a"])
        #expect(try w.ledger.products().map(\.id) == ["prod_p"])
        #expect(try w.ledger.meters().map(\.id) == ["mtr_u"])
    }

    @Test func theErrorNamesTheParameter() throws {
        let w = try World(Self.catalog)
        #expect(throws: LedgerError(.invalidText, "name contains a NUL character (U+0000)", param: "name")) {
            try w.ledger.createCustomer(.init(name: "a\0b"))
        }
        #expect(
            throws: LedgerError(.invalidText, "metadata[k] contains a NUL character (U+0000)", param: "metadata[k]")
        ) {
            try w.ledger.createCustomer(.init(name: "A", metadata: ["k": "v\0"]))
        }
    }

    /// An identifier with a NUL was stored cut at the NUL while its uniqueness hashed the whole
    /// string: `e-1\0x` and then `e-1` were two events sharing one stored identifier.
    @Test func aNULInAnEventIsInvalidTextAndTheEventIsNotRecorded() throws {
        let w = try World(Self.catalog)
        let at = "2026-01-01T00:00:00Z"
        let t = try Instant.parse(at)
        func submit(_ s: EventSubmission) -> LedgerError.Code? { code { _ = try w.ledger.record(s) } }
        let one = ExactDecimal(1)
        #expect(
            submit(.init(eventName: "units", identifier: "e-1\0x", timestamp: t, customer: "cus_a", value: one))
                == .invalidText)
        #expect(
            submit(.init(eventName: "units\0", identifier: "e-2", timestamp: t, customer: "cus_a", value: one))
                == .invalidText)
        #expect(
            submit(.init(eventName: "units", identifier: "e-3", timestamp: t, customer: "cus_a\0", value: one))
                == .invalidText)
        #expect(
            submit(
                .init(
                    eventName: "units", identifier: "e-4", timestamp: t, customer: "cus_a", value: one,
                    payload: ["region": "eu\0"])) == .invalidText)
        #expect(
            submit(
                .init(
                    eventName: "units", identifier: "e-5", timestamp: t, customer: "cus_a", value: one,
                    payload: ["re\0gion": "eu"])) == .invalidText)
        let (outcome, event) = try w.record("1", customer: "cus_a", at: at, id: "e-1")
        #expect(outcome == .accepted)
        #expect(event.identifier == "e-1")
        #expect(try w.ledger.usage(customer: "cus_a", meter: "mtr_u", start: t, end: t + 1) == ExactDecimal(1))
    }

    @Test func aNULInAnIdempotencyKeyIsInvalidText() throws {
        let w = try World(Self.catalog)
        #expect(code { _ = try w.ledger.idempotent(key: "k\0", request: "r") { 1 } } == .invalidText)
    }

    /// Import lines: a `\u0000` escape, a raw NUL, and bytes that are not UTF-8 (0xFF and 0xFE
    /// both used to read as U+FFFD, so the second line was a duplicate of the first) are each
    /// rejected with their line number; the other lines are accepted.
    @Test func importLinesWithNULOrInvalidUTF8AreInvalidText() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(Self.catalog)
        func line(_ identifier: [UInt8]) -> [UInt8] {
            Array(#"{"event_name":"units","customer":"cus_a","value":1,"identifier":""#.utf8) + identifier
                + Array("\"}\n".utf8)
        }
        var bytes = line(Array("e-1".utf8))
        bytes += line(Array(#"e-2\u0000x"#.utf8))
        bytes += line([0x65, 0x00, 0x33])
        bytes += line([0x65, 0xFF])
        bytes += line([0x65, 0xFE])
        bytes += line(Array("e-6".utf8))
        let file = dir.path("in.ndjson")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        var rejections: [Int: LedgerError] = [:]
        let report = try w.ledger.importEvents(try LineReader(path: file), format: .ndjson) {
            rejections[$0.line] = $0.error
        }
        #expect((report.accepted, report.duplicate, report.rejected, report.lines) == (2, 0, 4, 6))
        #expect(
            rejections == [
                2: LedgerError(.invalidText, "identifier contains a NUL character (U+0000)", param: "identifier"),
                3: LedgerError(.invalidText, "the line contains a NUL byte"),
                4: LedgerError(.invalidText, "the line is not valid UTF-8"),
                5: LedgerError(.invalidText, "the line is not valid UTF-8"),
            ])
    }

    /// A CSV record whose quoted field continues on a line that is not UTF-8 is rejected as that
    /// text, not as a field never closed; a raw NUL in a field is rejected too.
    @Test func csvRecordsWithNULOrInvalidUTF8AreInvalidText() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(Self.catalog)
        var bytes = Array("event_name,customer,value,identifier,note\nunits,cus_a,1,c-1,ok\n".utf8)
        bytes += Array("units,cus_a,1,c-2,a".utf8) + [0x00] + Array("b\n".utf8)
        bytes += Array("units,cus_a,1,c-3,\"two\n".utf8) + [0xC3, 0x28] + Array("lines\"\n".utf8)
        bytes += Array("units,cus_a,1,c-4,ok\n".utf8)
        let file = dir.path("in.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        var rejections: [Int: LedgerError.Code] = [:]
        let report = try w.ledger.importEvents(try LineReader(path: file), format: .csv) {
            rejections[$0.line] = $0.error.code
        }
        #expect((report.accepted, report.rejected, report.lines) == (2, 2, 6))
        #expect(rejections == [3: .invalidText, 4: .invalidText])
    }

    /// A byte order mark before the first line is dropped, in NDJSON as it always was in CSV.
    @Test(arguments: [
        (ImportFormat.ndjson, #"{"event_name":"units","customer":"cus_a","value":2,"identifier":"b-1"}"#),
        (ImportFormat.csv, "event_name,customer,value,identifier\nunits,cus_a,2,b-1"),
    ])
    func aByteOrderMarkIsDropped(_ format: ImportFormat, _ text: String) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(Self.catalog)
        let file = dir.path("in")
        try Data([0xEF, 0xBB, 0xBF] + Array((text + "\n").utf8)).write(to: URL(fileURLWithPath: file))
        var rejections: [LedgerError] = []
        let report = try w.ledger.importEvents(try LineReader(path: file), format: format) {
            rejections.append($0.error)
        }
        #expect(rejections == [])
        #expect(report.accepted == 1)
        #expect(try w.ledger.event(identifier: "b-1").value == ExactDecimal(2))
    }
}
