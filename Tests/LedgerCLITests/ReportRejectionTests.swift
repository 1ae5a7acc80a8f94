import Foundation
import Testing

/// Bad input to the reading and reporting commands (balance, reconcile, credit transactions,
/// bill, shows, meter updates): each is refused and the file is byte for byte as before.
@Suite("report and lookup commands refuse bad input")
struct ReportRejectionTests {
    static let cases: [(name: String, args: [String], status: Int32, code: String?)] = [
        ("balance without a customer", ["balance"], 65, "invalid_request"),
        ("balance of an unknown customer", ["balance", "--customer", "cus_missing"], 65, "resource_missing"),
        (
            "balance at a malformed instant", ["balance", "--customer", "cus_1", "--as-of", "yesterday"], 65,
            "invalid_time"
        ),
        (
            "balance of another customer's grant", ["balance", "--customer", "cus_1", "--grant", "credgr_other"], 65,
            "resource_missing"
        ),
        ("reconcile in an unknown format", ["reconcile", "--format", "xml"], 65, "invalid_request"),
        ("reconcile an unknown customer", ["reconcile", "--customer", "cus_missing"], 65, "resource_missing"),
        (
            "credit transactions of an unknown customer", ["credit-transactions", "list", "--customer", "cus_missing"],
            65,
            "resource_missing"
        ),
        ("bill until a malformed instant", ["bill", "--until", "soon"], 65, "invalid_time"),
        (
            "credit transactions at a malformed instant",
            ["credit-transactions", "list", "--customer", "cus_1", "--as-of", "soon"], 65, "invalid_time"
        ),
        (
            "rename an unknown meter", ["meters", "update", "mtr_missing", "--display-name", "X"], 65,
            "resource_missing"
        ),
        ("rename a meter to nothing", ["meters", "update", "mtr_1", "--display-name", ""], 65, "invalid_request"),
        ("show an unknown grant", ["grants", "show", "credgr_missing"], 65, "resource_missing"),
        ("show an unknown subscription", ["subscriptions", "show", "sub_missing"], 65, "resource_missing"),
        ("show an unknown invoice", ["invoices", "show", "in_missing"], 65, "resource_missing"),
        ("show an unknown event", ["events", "show", "evt_missing"], 65, "resource_missing"),
        ("update a grant with nothing to change", ["grants", "update", "credgr_other"], 65, "invalid_request"),
        ("list invoices in an unknown status", ["invoices", "list", "--status", "pending"], 65, "invalid_request"),
    ]

    @Test(arguments: cases.indices)
    func refusedAndUnchanged(_ index: Int) throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.db)
        try ok(["customers", "create", "--id", "cus_2", "--name", "B"], db: sb.db)
        try ok(["meters", "create", "--id", "mtr_1", "--display-name", "T", "--event-name", "t"], db: sb.db)
        try ok(
            [
                "grants", "create", "--id", "credgr_other", "--customer", "cus_2", "--amount", "100", "--currency",
                "usd",
                "--scope", "metered",
            ], db: sb.db)
        let c = Self.cases[index]
        try rejected(c.args, db: sb.db, codes: [c.status], code: c.code)
    }
}
