import Foundation
import Testing

/// The ledger commands of README.md's "Stripe call → ledger command" table, exactly as written
/// there. `theTableIsTheTests` requires this list and the table's cells to be the same commands,
/// and each case to be run by a test of `StripeTableTests`, `StripeTableCatalogTests` or
/// `StripeTableBillingTests` (through `table`, `tableJSON` or `tableText`).
enum StripeRow: String, CaseIterable {
    case meterCreate =
        #"ledger --json meters create --display-name "Hypernian tokens" --event-name hypernian_tokens --aggregation sum --customer-key stripe_customer_id --value-key value"#
    case meterShow = "ledger --json meters show mtr_hyp"
    case meterList = "ledger --json meters list"
    case meterUpdate = #"ledger --json meters update mtr_hyp --display-name "Hypernian input tokens""#
    case meterDeactivate = "ledger --json meters deactivate mtr_hyp"
    case meterReactivate = "ledger --json meters reactivate mtr_hyp"
    case eventRecord =
        "ledger --json events record --event-name hypernian_tokens --payload stripe_customer_id=cus_1 --payload value=25 --identifier identifier_123"
    case eventCancel = "ledger --json events cancel --event-name hypernian_tokens --identifier identifier_123"
    case eventSummaries =
        "ledger meters list-event-summaries --meter mtr_hyp --customer cus_1 --start 2026-01-01T00:00:00Z --end 2026-02-01T00:00:00Z"
    case eventImport = "ledger events import events.ndjson"
    case idempotencyKey =
        "ledger events record --event-name hypernian_tokens --customer cus_1 --value 25 --idempotency-key req_1"
    case customerCreate = #"ledger --json customers create --name "John Doe" --email jdoe@example.com"#
    case productCreate = "ledger --json products create --name Hypernian"
    case priceMetered =
        "ledger --json prices create --product prod_hyp --currency usd --unit-amount 3 --interval month --usage-type metered --meter mtr_hyp"
    case pricePackage =
        "ledger --json prices create --product prod_hyp --currency usd --unit-amount 4 --divide-by 100 --round up --interval month --usage-type metered --meter mtr_hyp"
    case priceGraduated =
        "ledger --json prices create --product prod_hyp --currency usd --interval month --billing-scheme tiered --tiers-mode graduated --tier up_to=5,unit_amount=700 --tier up_to=10,unit_amount=650 --tier up_to=inf,unit_amount=600"
    case priceVolume =
        "ledger --json prices create --product prod_hyp --currency usd --interval month --billing-scheme tiered --tiers-mode volume --tier up_to=5,unit_amount=700 --tier up_to=10,unit_amount=650 --tier up_to=inf,unit_amount=600"
    case priceFlatFee =
        "ledger --json prices create --product prod_hyp --currency usd --interval month --usage-type metered --meter mtr_hyp --billing-scheme tiered --tiers-mode graduated --tier up_to=1000,flat_amount=5000 --tier up_to=inf,unit_amount=4"
    case priceLicensed =
        "ledger --json prices create --product prod_hyp --currency usd --unit-amount 1000 --interval month --usage-type licensed"
    case priceProductData =
        #"ledger --json prices create --product-name "Alpaca AI" --currency usd --unit-amount 4 --interval month --usage-type metered --meter mtr_hyp"#
    case priceUpdate = "ledger --json prices update price_pkg --active false"
    case subscriptionMetered = "ledger --json subscriptions create --customer cus_1 --item price_pkg"
    case subscriptionFlatFee =
        "ledger --json subscriptions create --customer cus_1 --item price_seat:1 --item price_pkg"
    case subscriptionGrace = "ledger --json subscriptions create --customer cus_1 --item price_pkg --grace-period 0"
    case subscriptionCancelAtPeriodEnd = "ledger --json subscriptions update sub_1 --cancel-at-period-end true"
    case subscriptionCancel = "ledger --json subscriptions cancel sub_1"
    case invoicePreview = "ledger --json invoices preview --subscription sub_1"
    case invoiceList = "ledger --json invoices list --customer cus_1"
    case invoiceShow = "ledger --json invoices show in_1"
    case invoiceItemCreate =
        #"ledger --json invoice-items create --customer cus_1 --currency usd --amount 1000 --description "Credit purchase""#
    case invoiceCreate = "ledger --json invoices create --customer cus_1 --pending-items include"
    case invoiceFinalize = "ledger --json invoices finalize in_1"
    case invoicePay = "ledger --json invoices pay in_1"
    case invoiceVoid = "ledger --json invoices void in_1"
    case invoiceUncollectible = "ledger --json invoices mark-uncollectible in_1"
    case invoiceDelete = "ledger --json invoices delete in_1"
    case grantPaid =
        #"ledger --json grants create --customer cus_1 --amount 1000 --currency usd --category paid --scope metered --name "Purchased Credits""#
    case grantPromotional =
        "ledger --json grants create --customer cus_1 --amount 500 --currency usd --category promotional --scope metered --priority 10 --expires-at 2026-04-01T00:00:00Z"
    case grantScoped =
        "ledger --json grants create --customer cus_1 --amount 500 --currency usd --category promotional --scope-price price_pkg"
    case grantUpdate =
        "ledger --json grants update credgr_1 --expires-at 2026-12-31T00:00:00Z --metadata cost_basis=0.9"
    case grantShow = "ledger --json grants show credgr_1"
    case grantList = "ledger --json grants list --customer cus_1"
    case grantExpire = "ledger --json grants expire credgr_1"
    case grantVoid = "ledger --json grants void credgr_1"
    case balance = "ledger --json balance --customer cus_1"
    case balanceOfGrant = "ledger --json balance --customer cus_1 --grant credgr_1"
    case balanceOfPrice = "ledger --json balance --customer cus_1 --scope-price price_pkg"
    case creditTransactions = "ledger --json credit-transactions list --customer cus_1 --grant credgr_1"
    case testClock = #"ledger --json --now 2026-01-01T00:00:00Z customers create --name "John Doe""#
    case testClockAdvance = "ledger bill --until 2026-02-01T01:00:00Z"
    case bill = "ledger bill"
    case usageAlert =
        "ledger --json alerts create --customer cus_1 --type usage_threshold --meter mtr_hyp --gte 100 --recurrence one_time"
    case feed = "ledger --json events-feed list --type invoice.finalized"
}

extension CLIFixture {
    /// The Stripe table's catalog: customer `cus_1`; meter `mtr_hyp` (event `hypernian_tokens`,
    /// sum, Stripe's default payload keys); product `prod_hyp`; prices `price_pkg` (usd 4 per 100
    /// tokens rounded up, metered monthly on `mtr_hyp`) and `price_seat` (usd 1000 monthly, licensed).
    static let stripeTable = CLIFixture(
        "the Stripe table's catalog",
        steps: [
            CatalogStep.customer("cus_1", "John Doe"),
            CatalogStep.meter("mtr_hyp", "Hypernian tokens", event: "hypernian_tokens"),
            CatalogStep.product("prod_hyp", "Hypernian"),
            CatalogStep.price(
                "price_pkg", product: "prod_hyp",
                ["--unit-amount", "4", "--divide-by", "100", "--round", "up"] + CatalogStep.metered("mtr_hyp")),
            CatalogStep.price("price_seat", product: "prod_hyp", ["--unit-amount", "1000"] + CatalogStep.licensed),
        ])
}

/// A command's words as a shell splits them: at spaces, a double-quoted run kept as one word.
func words(_ command: String) -> [String] {
    var result: [String] = []
    var word = ""
    var quoted = false
    var started = false
    for character in command {
        if character == "\"" {
            quoted.toggle()
            started = true
        } else if character == " " && !quoted {
            if started { result.append(word) }
            word = ""
            started = false
        } else {
            word.append(character)
            started = true
        }
    }
    if started { result.append(word) }
    return result
}

/// Runs a row's command as the README writes it (its words after `ledger`), in the sandbox's
/// folder, with `LEDGER_DB` the sandbox's ledger and `LEDGER_NOW` `now` (unset when nil).
func table(_ row: StripeRow, _ sb: Sandbox, now: String? = defaultNow) -> CLIResult {
    let all = words(row.rawValue)
    precondition(all.first == "ledger", "not a ledger command: \(row.rawValue)")
    var env = ProcessInfo.processInfo.environment
    env["LEDGER_DB"] = sb.db
    env["LEDGER_NOW"] = now
    return LedgerBinary.execute(Array(all.dropFirst()), environment: env, cwd: sb.dir)
}

/// `table`, requiring exit 0 and a JSON object on stdout.
@discardableResult
func tableJSON(
    _ row: StripeRow, _ sb: Sandbox, now: String? = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let r = table(row, sb, now: now)
    try #require(r.status == 0, "\(row.rawValue) → \(r)", sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(r.stdout)", sourceLocation: sourceLocation)
}

/// The human output of `table`, requiring exit 0.
func tableText(
    _ row: StripeRow, _ sb: Sandbox, now: String? = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    let r = table(row, sb, now: now)
    try #require(r.status == 0, "\(row.rawValue) → \(r)", sourceLocation: sourceLocation)
    return r.stdout
}

/// `cus_1`'s `mtr_hyp` usage in January, read from `events summary`'s human table.
func januaryUsage(_ sb: Sandbox, now: String = defaultNow) -> String? {
    let r = run(
        [
            "events", "summary", "--meter", "mtr_hyp", "--customer", "cus_1", "--start", "2026-01-01T00:00:00Z",
            "--end", "2026-02-01T00:00:00Z",
        ], db: sb.db, now: now, json: false)
    let rows = humanRows(r.stdout)
    return rows.count == 2 && rows[1].count == 3 ? rows[1][2] : nil
}

/// A value inside nested JSON objects, by key path.
func field(_ object: [String: Any], _ path: String...) -> Any? {
    var value: Any? = object
    for key in path { value = (value as? [String: Any])?[key] }
    return value
}

@Suite struct StripeTableTests {
    @Test(
        "each ledger command of README's Stripe table is a StripeRow, each StripeRow is in the table once and run by a test"
    )
    func theTableIsTheTests() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
            .components(separatedBy: "\n")
        let heading = try #require(readme.firstIndex(of: "### Stripe call → ledger command"), "no table heading")
        let lines = readme[heading...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        #expect(lines.first == "| Stripe call | ledger command | notes |", "\(lines.first ?? "no table")")
        var commands: [String] = []
        for line in lines.dropFirst(2) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(cells.count == 5, "not three cells: \(line)")
            #expect(!cells[1].isEmpty, "no Stripe call: \(line)")
            if cells[2] == "none" {
                #expect(!cells[3].isEmpty, "a row without an equivalent says why: \(line)")
                continue
            }
            let match = try #require(cells[2].wholeMatch(of: /`(ledger [^`]+)`/), "not one `ledger …` span: \(line)")
            commands.append(String(match.1))
        }
        let rows = Set(StripeRow.allCases.map(\.rawValue))
        for command in commands { #expect(rows.contains(command), "no test runs the README's `\(command)`") }
        for row in StripeRow.allCases { #expect(commands.contains(row.rawValue), "not in the README: \(row)") }
        #expect(commands.count == Set(commands).count, "a command is in the table twice")
        #expect(commands.count == StripeRow.allCases.count)
        // And each row is run: some test calls `table`, `tableJSON` or `tableText` with it.
        let sources = try ["StripeTableTests", "StripeTableCatalogTests", "StripeTableBillingTests"].map {
            try String(contentsOf: root.appendingPathComponent("Tests/LedgerCLITests/\($0).swift"), encoding: .utf8)
        }.joined()
        for row in StripeRow.allCases {
            let call = ["table(", "tableJSON(", "tableText("].map { $0 + ".\(row)," }
            #expect(call.contains { sources.contains($0) }, "no test runs \(row): \(row.rawValue)")
        }
    }

    @Test func meterCreate() throws {
        let sb = try Sandbox()
        let meter = try tableJSON(.meterCreate, sb)
        #expect((meter["id"] as? String)?.hasPrefix("mtr_") == true, "\(canonical(meter))")
        #expect(meter["object"] as? String == "billing.meter")
        #expect(meter["status"] as? String == "active")
        #expect(field(meter, "default_aggregation", "formula") as? String == "sum")
        #expect(field(meter, "customer_mapping", "event_payload_key") as? String == "stripe_customer_id")
        #expect(field(meter, "value_settings", "event_payload_key") as? String == "value")
    }

    @Test func meterShow() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        let meter = try tableJSON(.meterShow, sb)
        #expect(meter["id"] as? String == "mtr_hyp" && meter["display_name"] as? String == "Hypernian tokens")
    }

    @Test func meterList() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        let list = try tableJSON(.meterList, sb)
        #expect(list["object"] as? String == "list")
        #expect((list["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["mtr_hyp"], "\(canonical(list))")
    }

    @Test func meterUpdate() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        #expect(try tableJSON(.meterUpdate, sb)["display_name"] as? String == "Hypernian input tokens")
        #expect(
            try ok(["meters", "show", "mtr_hyp"], db: sb.db)["display_name"] as? String == "Hypernian input tokens")
    }

    @Test func meterDeactivate() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        #expect(try tableJSON(.meterDeactivate, sb)["status"] as? String == "inactive")
        try rejected(
            recordArgs("hypernian_tokens", customer: "cus_1", value: "1"), db: sb.db, codes: [65],
            code: "meter_inactive")
    }

    @Test func meterReactivate() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        try ok(["meters", "deactivate", "mtr_hyp"], db: sb.db)
        #expect(try tableJSON(.meterReactivate, sb)["status"] as? String == "active")
        try ok(recordArgs("hypernian_tokens", customer: "cus_1", value: "1"), db: sb.db)
        #expect(januaryUsage(sb) == "1")
    }

    @Test func eventRecordInStripesPayloadForm() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        let event = try tableJSON(.eventRecord, sb)
        #expect(event["object"] as? String == "billing.meter_event", "\(canonical(event))")
        #expect(event["customer"] as? String == "cus_1" && event["identifier"] as? String == "identifier_123")
        #expect(januaryUsage(sb) == "25")
        // Re-sent: a duplicate, counted once.
        #expect(try tableJSON(.eventRecord, sb)["result"] as? String == "duplicate")
        #expect(januaryUsage(sb) == "25")
    }

    @Test func eventAdjustmentCancels() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        try usage(sb.db, "hypernian_tokens", "cus_1", 25, at: defaultNow, id: "identifier_123")
        let adjustment = try tableJSON(.eventCancel, sb)
        #expect(adjustment["object"] as? String == "billing.meter_event_adjustment", "\(canonical(adjustment))")
        #expect(adjustment["status"] as? String == "complete")
        #expect(januaryUsage(sb) == "0")
    }

    @Test func eventSummaries() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        try usage(sb.db, "hypernian_tokens", "cus_1", 1000, at: defaultNow, id: "e1")
        try usage(sb.db, "hypernian_tokens", "cus_1", 2000, at: defaultNow, id: "e2")
        let rows = humanRows(try tableText(.eventSummaries, sb))
        #expect(rows.last == ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "3000"], "\(rows)")
    }

    @Test func eventStreamIsAnImport() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        let lines = [
            #"{"event_name":"hypernian_tokens","payload":{"stripe_customer_id":"cus_1","value":"25"},"identifier":"a1"}"#,
            #"{"event_name":"hypernian_tokens","payload":{"stripe_customer_id":"cus_1","value":"75"},"identifier":"a2"}"#,
        ]
        _ = try sb.file("events.ndjson", Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(try tableText(.eventImport, sb) == "2 accepted, 0 duplicate, 0 rejected (2 lines)\n")
        #expect(januaryUsage(sb) == "100")
    }

    @Test func idempotencyKeyReplays() throws {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        let first = try tableText(.idempotencyKey, sb)
        #expect(first.hasPrefix("accepted: evt_"), "\(first)")
        #expect(try tableText(.idempotencyKey, sb) == first)
        #expect(januaryUsage(sb) == "25")
    }
}
