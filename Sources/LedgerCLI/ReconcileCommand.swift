import ArgumentParser
import LedgerKit

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract:
            "Prepaid contracts against their grants and the journal; unbilled late usage. Exit 1 on any difference.")
    @ParentCommand var root: LedgerCommand
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "Only this grant's contract.") var grant: String?
    @Option(help: "A table for people, or CSV (amounts in minor units) for programs.")
    var format = Choice(Format.table)

    /// The output of `reconcile` (`--json` aside).
    enum Format: String, CaseIterable, Sendable {
        case table, csv
    }

    /// The CSV header. The CSV is for programs: amounts are integers of minor units of the row's
    /// `currency` (as in `--json` and Stripe), and each amount column says so by its `_minor` suffix;
    /// the table is the human form, in major units.
    static let columns =
        ["customer", "funding_invoice", "grants", "currency"]
        + [
            "committed", "invoiced", "paid", "granted", "applied", "reinstated", "expired", "voided", "remaining",
            "recognized_at_cost", "breakage_at_cost", "prepayment_left", "difference_balance", "difference_invoiced",
            "difference_paid", "difference_cost",
        ].map { $0 + "_minor" }

    func run() throws {
        try Context(root: root).read { ledger in
            let format = try format.value(or: .invalidRequest("--format must be table or csv", param: "format"))
            let rows = try ledger.reconcile(customer: customer.map { .init($0) }, grant: grant.map { .init($0) })
            let late = try ledger.lateUsage(customer: customer.map { .init($0) })
            let values = rows.map { r -> [String] in
                [
                    r.customer.rawValue, r.fundingInvoice?.rawValue ?? "",
                    r.grants.map(\.rawValue).joined(separator: " "), r.currency.code,
                ]
                    + [
                        r.committed, r.invoiced, r.paid, r.granted, r.applied, r.reinstated, r.expired, r.voided,
                        r.remaining,
                        r.recognized, r.breakage, r.prepaymentLeft, r.balanceDifference, r.invoicedDifference,
                        r.paidDifference,
                        r.costDifference,
                    ].map(String.init)
            }
            let json = Shape.reconciliation(rows, late: late)
            var human: String
            if format == .csv {
                human = CSV.document(Self.columns, values, numeric: Self.columns.map { $0.hasSuffix("_minor") })
            } else {
                human =
                    rows.isEmpty
                    ? "no prepaid contracts"
                    : rows.map { r in
                        let money = { (amount: Int64) in MoneyFormat.text(amount, r.currency) }
                        return Human.fields([
                            (
                                "contract",
                                (r.fundingInvoice?.rawValue ?? "(no funding invoice)") + " — " + r.customer.rawValue
                            ),
                            ("grants", r.grants.map(\.rawValue).joined(separator: ", ")),
                            ("committed", money(r.committed)), ("invoiced", money(r.invoiced)), ("paid", money(r.paid)),
                            ("granted", money(r.granted)), ("applied", money(r.applied)),
                            ("reinstated", money(r.reinstated)), ("expired (breakage)", money(r.expired)),
                            ("voided", money(r.voided)), ("remaining", money(r.remaining)),
                            ("recognized revenue at cost", money(r.recognized)),
                            ("breakage at cost", money(r.breakage)), ("prepayment left", money(r.prepaymentLeft)),
                            ("differences", r.differences.map { "\($0.0) \(money($0.1))" }.joined(separator: ", ")),
                        ])
                    }.joined(separator: "\n\n")
                if !late.isEmpty {
                    human +=
                        "\n\nunbilled late usage:\n"
                        + Human.table(
                            ["CUSTOMER", "METER", "EVENTS", "VALUE"],
                            late.map {
                                [$0.customer.rawValue, $0.meter.rawValue, "\($0.events)", $0.value.description]
                            })
                }
            }
            return Output(json: json, human: human, status: rows.allSatisfy(\.balanced) ? 0 : Exit.differences)
        }
    }
}
