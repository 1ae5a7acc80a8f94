import Testing

@testable import LedgerCore

/// The rules a meter event meets when recorded (SPEC §2.2): the window, the identifier, lateness.
@Suite struct EventRulesTests {
    typealias F = RuleFixtures
    static let now: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    // MARK: The window

    @Test func theWindowIncludesBothEnds() throws {
        let earliest = Self.now - Limits.eventMaxAgeSeconds
        let latest = Self.now + Limits.eventMaxFutureSeconds
        for timestamp in [earliest, Self.now, latest] {
            try EventRules.checkWindow(timestamp: timestamp, now: Self.now)
        }
        for timestamp in [earliest - 1, latest + 1] {
            let error = #expect(throws: LedgerError.self) {
                try EventRules.checkWindow(timestamp: timestamp, now: Self.now)
            }
            #expect(error?.code == .timestampOutOfWindow)
            #expect(error?.param == "timestamp")
        }
    }

    @Test func theRejectionNamesTheTimestampAndTheWindow() {
        let error = #expect(throws: LedgerError.self) {
            try EventRules.checkWindow(timestamp: Self.now + 301, now: Self.now)
        }
        #expect(
            error?.message
                == "timestamp 2026-01-01T00:05:01Z is outside the accepted window (35 days before now to 5 minutes after)"
        )
        #expect(error?.code.rawValue == "timestamp_outside_window")
    }

    @Test func aGivenWindowIsUsed() throws {
        try EventRules.checkWindow(
            timestamp: Self.now - 86_400, now: Self.now, maxAgeSeconds: 86_400, maxFutureSeconds: 0)
        let error = #expect(throws: LedgerError.self) {
            try EventRules.checkWindow(
                timestamp: Self.now + 1, now: Self.now, maxAgeSeconds: 86_400, maxFutureSeconds: 0)
        }
        #expect(error?.message.hasSuffix("(1 days before now to 0 minutes after)") == true)
    }

    @Test func extremeInstantsNeverOverflow() throws {
        try EventRules.checkWindow(timestamp: .max, now: .max)
        try EventRules.checkWindow(timestamp: .min, now: .min)
        // Instant.format overflows a day from Int64.min: the message falls back to Unix seconds.
        let error = #expect(throws: LedgerError.self) { try EventRules.checkWindow(timestamp: .min, now: .max) }
        #expect(error?.message.hasPrefix("timestamp -9223372036854775808 (Unix seconds) is outside") == true)
        #expect(EventRules.describe(.min + 86_399) == Instant.format(.min + 86_399))
        #expect(EventRules.describe(.max) == Instant.format(.max))
        #expect(throws: LedgerError.self) { try EventRules.checkWindow(timestamp: .max, now: .min) }
    }

    // MARK: The identifier

    @Test func identifiersAreOneTo255Bytes() throws {
        try EventRules.checkIdentifier("a")
        try EventRules.checkIdentifier(String(repeating: "x", count: Limits.eventIdentifierLengthMax))
        // "é" is two bytes of UTF-8: the bound counts bytes.
        try EventRules.checkIdentifier(String(repeating: "é", count: Limits.eventIdentifierLengthMax / 2))
        for bad in [
            "", String(repeating: "x", count: Limits.eventIdentifierLengthMax + 1),
            String(repeating: "é", count: Limits.eventIdentifierLengthMax / 2 + 1),
        ] {
            let error = #expect(throws: LedgerError.self) { try EventRules.checkIdentifier(bad) }
            #expect(error?.code == .invalidRequest)
            #expect(error?.param == "identifier")
            #expect(error?.message == "identifier must be 1–255 characters")
        }
    }

    // MARK: Late events

    @Test func lateMeansInAFinalizedPeriodStartIncludedEndExcluded() {
        let periods: [Range<Int64>] = [100..<200, 300..<400]
        for timestamp: Int64 in [100, 199, 300, 399] {
            #expect(EventRules.isLate(timestamp: timestamp, finalizedPeriods: periods))
        }
        for timestamp: Int64 in [99, 200, 250, 400] {
            #expect(!EventRules.isLate(timestamp: timestamp, finalizedPeriods: periods))
        }
        #expect(!EventRules.isLate(timestamp: 150, finalizedPeriods: []))
    }

    /// An event in a finalized period is billed, unless it is late (it arrived after the invoice);
    /// only a billed event is refused a cancel.
    @Test func billedMeansInAFinalizedPeriodAndNotLate() {
        func event(_ timestamp: Int64, late: Bool) -> MeterEvent {
            MeterEvent(
                identifier: "e", eventName: "tokens", meter: "mtr_tokens", customer: "cus_1", timestamp: timestamp,
                value: ExactDecimal(1), dimensions: [:], recordedAt: 0, cancelledAt: nil, late: late,
                customerKey: "stripe_customer_id", valueKey: "value")
        }
        let periods: [Range<Int64>] = [100..<200]
        #expect(EventRules.isBilled(event(150, late: false), finalizedPeriods: periods))
        #expect(!EventRules.isBilled(event(150, late: true), finalizedPeriods: periods))
        #expect(!EventRules.isBilled(event(200, late: false), finalizedPeriods: periods))
        #expect(!EventRules.isBilled(event(150, late: false), finalizedPeriods: []))
    }

    @Test func finalizedPeriodsAreThoseOfTheCustomersMeteredLinesPastDraft() throws {
        let other = Meter.ID("mtr_other")
        let metered = { (id: String, start: Int64, end: Int64) in
            F.line(id, price: F.usage, amount: 0, meter: F.meter, period: (start, end))
        }
        let invoices = [
            try F.invoice("in_open", status: .open, lines: [metered("il_1", 0, 100)]),
            try F.invoice("in_void", status: .void, lines: [metered("il_2", 100, 200)]),
            try F.invoice("in_paid", status: .paid, lines: [metered("il_3", 200, 300)]),
            try F.invoice("in_bad", status: .uncollectible, lines: [metered("il_4", 300, 400)]),
            // Left out: a draft, the first invoice of a subscription, another meter, another
            // customer, a licensed line, an empty period.
            try F.invoice("in_draft", status: .draft, lines: [metered("il_5", 400, 500)]),
            try F.invoice("in_first", status: .paid, reason: .subscriptionCreate, lines: [metered("il_6", 500, 600)]),
            try F.invoice(
                "in_meter", lines: [F.line("il_7", price: F.usage, amount: 0, meter: other, period: (600, 700))]),
            try F.invoice("in_cus", customer: .init("cus_2"), lines: [metered("il_8", 700, 800)]),
            try F.invoice("in_lic", lines: [F.line("il_9", price: F.licence, amount: 5, period: (800, 900))]),
            try F.invoice("in_empty", lines: [metered("il_10", 950, 950)]),
        ]
        let periods = EventRules.finalizedPeriods(of: invoices, customer: F.customer, meter: F.meter)
        #expect(periods == [0..<100, 100..<200, 200..<300, 300..<400])
        #expect(EventRules.isLate(timestamp: 399, finalizedPeriods: periods))
        #expect(!EventRules.isLate(timestamp: 400, finalizedPeriods: periods))
        #expect(!EventRules.isLate(timestamp: 550, finalizedPeriods: periods))
    }
}
