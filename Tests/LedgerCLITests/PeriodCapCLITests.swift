import Foundation
import Testing

/// `bill` closes at most 1,000 periods of one subscription unless `--max-periods N` asks for more.
@Suite struct PeriodCapCLITests {
    @Test("a daily subscription backdated 1,001 days: bill is too_many_periods, bill --max-periods 1001 bills it")
    func backdatedYears() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try ok(
            CatalogStep.price("price_day", product: "prod_hyp", ["--unit-amount", "100", "--interval", "day"]), db: db)
        try subscribe(db, "cus_1", ["price_day"], id: "sub_d", extra: ["--backdate-start-date", "2023-04-06"])
        let message =
            "subscription 'sub_d' has more than 1000 periods due by 2026-01-01T00:00:00Z (from 2023-04-07T00:00:00Z); one billing run closes at most 1000 per subscription: run bill with --max-periods N (library: maxPeriods) to close more"
        for args in [["bill"], ["bill", "--max-periods", "1000"]] {
            let r = try rejected(args, db: db, codes: [65], code: "too_many_periods")
            #expect(r.stderr == "error: too_many_periods: \(message)\n")
        }
        // Any write runs the due steps first: refused the same way, with nothing written.
        try rejected(
            recordArgs("a_tokens", customer: "cus_1", value: "1"), db: db, codes: [65], code: "too_many_periods")
        try rejected(["bill", "--max-periods", "0"], db: db, codes: [65], code: "invalid_request")
        #expect(try invoiceList(db).count == 1)  // the creation invoice only

        let r = try ok(["bill", "--max-periods", "1001"], db: db)
        #expect(int64(r["invoices_created"]) == 1_001, "\(r)")
        #expect(int64(r["invoices_finalized"]) == 1_000, "\(r)")
        try recordEvent(db, "a_tokens", customer: "cus_1", value: "1")
        try bill(db, now: "2026-01-02T01:00:00Z", created: 1, finalized: 2)
    }
}
