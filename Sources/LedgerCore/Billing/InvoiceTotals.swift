/// An invoice's amounts after its credits are applied (SPEC §2.5), as finalization freezes them.
///
/// `subtotal` is the sum of the lines, `total` the subtotal less the credits, `amountDue` the
/// total but never below 0. At finalization nothing is paid yet, so `amount_paid` is 0 and
/// `amount_remaining` equals `amountDue`; an invoice with nothing due becomes `paid` at once.
public struct InvoiceTotals: Hashable, Sendable {
    /// The sum of the lines' amounts.
    public var subtotal: Int64
    /// The sum of the credits applied to the lines (`total_pretax_credit_amounts`).
    public var credits: Int64
    /// `subtotal − credits`.
    public var total: Int64
    /// `max(total, 0)`.
    public var amountDue: Int64

    /// Nothing is due: the invoice is `paid` the instant it finalizes.
    public var paidAtOnce: Bool { amountDue == 0 }

    /// The status finalization gives: `paid` when nothing is due, else `open`.
    public var finalizedStatus: Invoice.Status { paidAtOnce ? .paid : .open }
}

extension InvoiceTotals {
    /// The totals of `lines` with the credit amounts they carry.
    /// - Throws: `amount_overflow` when a sum or the difference does not fit 64 bits.
    public init(lines: [InvoiceLine]) throws {
        let subtotal = try MinorUnits.sum(lines.map(\.amount))
        let credits = try MinorUnits.sum(lines.flatMap(\.creditAmounts).map(\.amount))
        let (total, overflow) = subtotal.subtractingReportingOverflow(credits)
        if overflow { throw LedgerError.amountOverflow("subtotal \(subtotal) less credits \(credits) does not fit") }
        self.subtotal = subtotal
        self.credits = credits
        self.total = total
        self.amountDue = max(total, 0)
    }
}

extension Invoice {
    /// The invoice's totals after the credits its lines carry (SPEC §2.5).
    /// - Throws: `amount_overflow`.
    public func totalsAfterCredits() throws -> InvoiceTotals {
        try InvoiceTotals(lines: lines)
    }
}
