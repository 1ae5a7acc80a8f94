import PropertyBased
import Testing

@testable import LedgerCore

@Suite struct JSONLineTests {
    @Test func parsesFlatAndStripeShapedLines() throws {
        let flat = try ImportLine.ndjson(
            #"{"event_name": "t", "customer": "cus_1", "value": "3", "timestamp": 1767916800, "identifier": "e-1", "region": "eu"}"#
        )
        #expect(
            flat
                == EventSubmission(
                    eventName: "t", identifier: "e-1", timestamp: 1_767_916_800, customer: "cus_1", value: 3,
                    payload: ["region": "eu"]))
        let stripe = try ImportLine.ndjson(
            #"{"event_name":"t","payload":{"stripe_customer_id":"cus_1","value":2.5},"timestamp":"2026-01-09T00:00:00Z","identifier":"e-2"}"#
        )
        #expect(stripe.payload == ["stripe_customer_id": "cus_1", "value": "2.5"])
        #expect(stripe.timestamp == 1_767_916_800)
        let resolved = try stripe.resolve(customerKey: "stripe_customer_id", valueKey: "value")
        #expect(resolved.customer == "cus_1")
        #expect(resolved.value == ExactDecimal(parsing: "2.5"))
        #expect(resolved.dimensions.isEmpty)
    }

    @Test func keepsNumbersExact() throws {
        let line = try ImportLine.ndjson(#"{"event_name":"t","customer":"c","value":123.100000000001}"#)
        #expect(line.value?.description == "123.100000000001")
        let error = #expect(throws: LedgerError.self) {
            try ImportLine.ndjson(#"{"event_name":"t","customer":"c","value":0.1000000000001}"#)
        }
        #expect(error?.code == .invalidQuantity)
    }

    @Test func decodesEscapes() throws {
        let line = try ImportLine.ndjson(
            #"{"event_name":"t\u00e9\n","customer":"a\"b","value":"1","note":"\ud83d\ude00"}"#)
        #expect(line.eventName == "té\n")
        #expect(line.customer == "a\"b")
        #expect(line.payload["note"] == "😀")
    }

    @Test(arguments: [
        "", "not json", "[1,2]", #"{"event_name": 5, "customer": "c", "value": 1}"#,
        #"{"customer":"c","value":1}"#, #"{"event_name":"t",}"#, #"{"event_name":"t"} x"#,
        #"{"event_name":"t","payload":[1]}"#, #"{"event_name":"t","value":{"a":1}}"#,
        #"{"event_name":"t","timestamp":"yesterday"}"#, #"{"event_name":"t\ud800"}"#,
        "{\"event_name\":\"a\u{1}\"}",
    ])
    func refusesMalformedLines(_ line: String) {
        #expect(throws: LedgerError.self) { try ImportLine.ndjson(Substring(line)) }
    }

    @Test func resolveNeedsCustomerAndValidValue() throws {
        #expect(throws: LedgerError.self) {
            try EventSubmission(eventName: "t", value: 1).resolve(customerKey: "c", valueKey: "v")
        }
        #expect(throws: LedgerError.self) {
            try EventSubmission(eventName: "t", customer: "c").resolve(customerKey: "c", valueKey: "v")
        }
        for bad in ["abc", "1e3", "0.0000000000001", "1234567890123456"] {
            let error = #expect(throws: LedgerError.self, "\(bad)") {
                try EventSubmission(eventName: "t", customer: "c", payload: ["v": bad]).resolve(
                    customerKey: "k", valueKey: "v")
            }
            #expect(error?.code == .invalidQuantity)
        }
        // A value given exactly meets the same limits as one given as text.
        for bad in ["0.0000000000001", "1234567890123456"] {
            let error = #expect(throws: LedgerError.self, "\(bad)") {
                try EventSubmission(eventName: "t", customer: "c", value: ExactDecimal(parsing: bad)!).resolve(
                    customerKey: "k", valueKey: "v")
            }
            #expect(error?.code == .invalidQuantity)
        }
        let negative = try EventSubmission(eventName: "t", customer: "c", value: -3).resolve(
            customerKey: "k", valueKey: "v")
        #expect(negative.value == ExactDecimal(-3))
        let fromPayload = try EventSubmission(eventName: "t", customer: "c", payload: ["v": "2.5"]).resolve(
            customerKey: "k", valueKey: "v")
        #expect(fromPayload.value == ExactDecimal(parsing: "2.5"))
    }
}

@Suite struct CSVTests {
    @Test func splitsRFC4180Records() throws {
        #expect(try ImportLine.csvFields("a,b,,c") == ["a", "b", "", "c"])
        #expect(try ImportLine.csvFields(#""e,u","say ""hi""",x"#) == ["e,u", "say \"hi\"", "x"])
        #expect(try ImportLine.csvFields(#"a,"open"#) == nil)
        #expect(try ImportLine.csvFields("a,\"two\nlines\"") == ["a", "two\nlines"])
        #expect(throws: LedgerError.self) { try ImportLine.csvFields(#"a,"b"c"#) }
        #expect(throws: LedgerError.self) { try ImportLine.csvFields(#"a,b"c"#) }
    }

    @Test func headerMapsColumns() throws {
        let header = try ImportLine.CSVHeader(["event_name", "customer", "value", "timestamp", "identifier", "region"])
        let submission = try header.submission(["t", "cus_1", "3", "2026-01-09", "e-1", "eu"])
        #expect(
            submission
                == EventSubmission(
                    eventName: "t", identifier: "e-1", timestamp: 1_767_916_800, customer: "cus_1", value: 3,
                    payload: ["region": "eu"]))
        #expect(throws: LedgerError.self) { try header.submission(["t", "cus_1"]) }
        #expect(throws: LedgerError.self) { try ImportLine.CSVHeader(["event_name", "value"]) }
        #expect(throws: LedgerError.self) { try ImportLine.CSVHeader(["event_name", "customer", "value", "value"]) }
    }
}

@Suite struct AggregationTests {
    static func d(_ s: String) -> ExactDecimal { ExactDecimal(parsing: s)! }

    func aggregate(_ formula: Meter.Aggregation, _ events: [(Int64, Int64, String)]) throws -> ExactDecimal {
        var aggregator = UsageAggregator(formula)
        for (timestamp, seq, value) in events {
            try aggregator.add(timestamp: timestamp, seq: seq, value: Self.d(value))
        }
        return aggregator.result
    }

    @Test func formulas() throws {
        let events: [(Int64, Int64, String)] = [(10, 1, "3000"), (30, 2, "500"), (20, 3, "200.5"), (30, 4, "-1")]
        #expect(try aggregate(.sum, events) == Self.d("3699.5"))
        #expect(try aggregate(.count, events) == ExactDecimal(4))
        #expect(try aggregate(.max, events) == ExactDecimal(3000))
        // Greatest timestamp wins; a tie goes to the one recorded last (greater seq).
        #expect(try aggregate(.last, events) == ExactDecimal(-1))
        #expect(try aggregate(.last, events.reversed()) == ExactDecimal(-1))
        for formula in Meter.Aggregation.allCases {
            #expect(try aggregate(formula, []) == .zero)
        }
    }

    @Test func lastIsIndependentOfArrivalOrder() async {
        await propertyCheck(input: zip(Gen.int(in: 0...20), Gen.int(in: -100...100)).array(of: 1...30)) { items in
            let events = items.enumerated().map { (Int64($1.0), Int64($0), String($1.1)) }
            let expected = events.max { ($0.0, $0.1) < ($1.0, $1.1) }!.2
            #expect(try! aggregate(.last, events.shuffled()) == Self.d(expected))
            #expect(try! aggregate(.sum, events.shuffled()) == ExactDecimal(Int64(items.map(\.1).reduce(0, +))))
        }
    }

    @Test func summaryBoundsAreAligned() throws {
        try SummaryWindow.validate(start: 1_767_571_200, end: 1_767_744_000, grouping: .day)
        try SummaryWindow.validate(start: 60, end: 120, grouping: nil)
        #expect(throws: LedgerError.self) { try SummaryWindow.validate(start: 30, end: 120, grouping: nil) }
        #expect(throws: LedgerError.self) { try SummaryWindow.validate(start: 1800, end: 7200, grouping: .hour) }
        #expect(throws: LedgerError.self) { try SummaryWindow.validate(start: 3600, end: 90_000, grouping: .day) }
        #expect(throws: LedgerError.self) { try SummaryWindow.validate(start: 120, end: 120, grouping: nil) }
    }
}

/// The identifier hash is stored (it is each event's slot): its values never change. Expected
/// values are FNV-1a 64 of the UTF-8 bytes, from its published definition ("a" is 0xaf63dc4c8601ec8c).
@Suite struct IdentifierHashTests {
    @Test func isFNV1a64OfTheUTF8Bytes() {
        #expect(identifierHash("") == -3_750_763_034_362_895_579)
        #expect(identifierHash("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        #expect(identifierHash("foobar") == -8_821_353_812_377_114_648)
        #expect(identifierHash("évé-1") == 8_118_510_114_778_918_463)
        // A bridged or sliced string hashes as its bytes do.
        let sliced = String("xx-foobar".dropFirst(3))
        #expect(identifierHash(sliced) == identifierHash("foobar"))
    }
}
