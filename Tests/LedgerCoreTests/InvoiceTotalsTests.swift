import PropertyBased
import Testing

@testable import LedgerCore

/// The totals finalization freezes (SPEC §2.5): subtotal, credits, total, amount due.
@Suite struct InvoiceTotalsTests {
    typealias F = RuleFixtures

    static func credit(_ amount: Int64, _ grant: String = "credgr_a") -> CreditAmount {
        CreditAmount(amount: amount, transaction: nil, grant: grant)
    }

    @Test func p4FebruaryIsTheLicenceAfterCredits() throws {
        // Given the metered 15,000 paid by credit and the licence 20,000.
        let totals = try InvoiceTotals(lines: [
            F.line("il_usage", price: F.usage, amount: 15_000, meter: F.meter, credits: [Self.credit(15_000)]),
            F.line("il_licence", price: F.licence, amount: 20_000),
        ])
        #expect(totals == InvoiceTotals(subtotal: 35_000, credits: 15_000, total: 20_000, amountDue: 20_000))
        #expect(!totals.paidAtOnce)
        #expect(totals.finalizedStatus == .open)
    }

    @Test func nothingDueIsPaidAtOnce() throws {
        let covered = try InvoiceTotals(lines: [
            F.line(
                "il_1", price: F.usage, amount: 900, meter: F.meter,
                credits: [Self.credit(600), Self.credit(300, "credgr_b")])
        ])
        #expect(covered == InvoiceTotals(subtotal: 900, credits: 900, total: 0, amountDue: 0))
        #expect(covered.paidAtOnce)
        #expect(covered.finalizedStatus == .paid)
        let empty = try InvoiceTotals(lines: [])
        #expect(empty == InvoiceTotals(subtotal: 0, credits: 0, total: 0, amountDue: 0))
        #expect(empty.paidAtOnce)
    }

    @Test func aNegativeTotalOwesNothing() throws {
        // Never produced by the planner (credits never exceed a line), but the rule is max(total, 0).
        let totals = try InvoiceTotals(lines: [F.line("il_1", price: F.usage, amount: 100, credits: [Self.credit(150)])]
        )
        #expect(totals.total == -50)
        #expect(totals.amountDue == 0)
        #expect(totals.paidAtOnce)
    }

    @Test func theInvoiceMethodIsTheSame() throws {
        let invoice = try F.invoice(lines: [F.line("il_1", price: nil, amount: 42)])
        #expect(try invoice.totalsAfterCredits() == InvoiceTotals(lines: invoice.lines))
    }

    @Test func overflowIsRefused() {
        // The subtotal, the credits, and the difference each checked.
        #expect(throws: LedgerError.self) {
            try InvoiceTotals(lines: [F.line("il_1", price: nil, amount: .max), F.line("il_2", price: nil, amount: 1)])
        }
        #expect(throws: LedgerError.self) {
            try InvoiceTotals(lines: [
                F.line("il_1", price: F.usage, amount: 1, credits: [Self.credit(.max), Self.credit(1)])
            ])
        }
        #expect(throws: LedgerError.self) {
            try InvoiceTotals(lines: [F.line("il_1", price: nil, amount: -2, credits: [Self.credit(.max)])])
        }
        #expect(throws: Never.self) {
            try InvoiceTotals(lines: [F.line("il_1", price: nil, amount: .max), F.line("il_2", price: nil, amount: 0)])
        }
    }

    /// For any lines and credits: subtotal is the lines' sum, total is subtotal less credits, due
    /// is never negative and is the total whenever the total is not.
    @Test func totalsFollowTheirDefinitions() async {
        let line = zip(Gen.int64(in: 0...1_000_000_000), Gen.int64(in: 0...1_000_000_000).array(of: 0...3))
            .map { amount, credits in
                F.line("il_?", price: F.usage, amount: amount, meter: F.meter, credits: credits.map { Self.credit($0) })
            }
        await propertyCheck(count: 300, input: line.array(of: 0...8)) { lines in
            let totals = try InvoiceTotals(lines: lines)
            #expect(totals.subtotal == lines.reduce(0) { $0 + $1.amount })
            #expect(totals.credits == lines.flatMap(\.creditAmounts).reduce(0) { $0 + $1.amount })
            #expect(totals.total == totals.subtotal - totals.credits)
            #expect(totals.amountDue >= 0)
            #expect(totals.amountDue == (totals.total >= 0 ? totals.total : 0))
            #expect(totals.paidAtOnce == (totals.total <= 0))
        }
    }
}
