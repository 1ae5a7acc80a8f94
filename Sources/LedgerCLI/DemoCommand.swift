import ArgumentParser
import Foundation
import LedgerKit

/// Builds the seed documents' pricing models on a fresh file and prints what they bill.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the seed documents' pricing models on a fresh file and print their figures.")
    @ParentCommand var root: LedgerCommand

    /// The demo's own file, rebuilt on every run unless --db names another (which must not exist).
    /// The demo runs on its own clock (2026-01-01 to 2026-04-01), whatever --now says.
    static let defaultPath = "ledger-demo.sqlite"

    func run() throws {
        let path = root.db ?? Self.defaultPath
        // A postgres:// URL names a database (or, with ?search_path=, a schema) the demo fills
        // when it holds no ledger yet (README, "PostgreSQL").
        let postgres = Ledger.isPostgresURL(path)
        if !postgres {
            if root.db != nil && FileManager.default.fileExists(atPath: path) {
                Context(root: root).fail(
                    LedgerError.invalidRequest("demo builds a fresh file; '\(path)' already exists", param: "db"))
            }
            Context.remove(path)
        }
        do {
            let clock = DemoClock(try Instant.parse("2026-01-01T00:00:00Z"))
            let ledger: Ledger
            if postgres {
                guard let url = URL(string: path) else {
                    throw LedgerError.invalidRequest("--db '\(path)' is not a valid URL", param: "db")
                }
                ledger = try Ledger(postgres: url, clock: { clock.now })
                guard try ledger.customers().isEmpty else {
                    throw LedgerError.invalidRequest(
                        "demo builds a fresh ledger; the database at '\(path)' already holds one", param: "db")
                }
            } else {
                ledger = try Ledger(path: path, clock: { clock.now })
            }
            let billing = try Self.billing(ledger, clock: clock)
            let quotes = try Self.build(ledger, path: path)
            let output = Output(
                json: .object([
                    ("object", .string("demo")), ("db", .string(path)), ("billing", billing.json),
                    ("quotes", quotes.json),
                ]),
                human: "Demo ledger written to \(path) (inspect it with --db \(path)).\n\n" + billing.human + "\n\n"
                    + quotes.human)
            output.print(json: root.json)
        } catch let error as LedgerError {
            Context(root: root).fail(error)
        }
    }

    /// A clock the demo moves forward as its story goes (a local test clock).
    final class DemoClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64
        init(_ start: Int64) { value = start }
        var now: Int64 { lock.withLock { value } }
        func set(_ iso: String) throws {
            let t = try Instant.parse(iso)
            lock.withLock { value = t }
        }
    }

    /// The seed documents' three pricing models billed over three months: subscriptions from
    /// 2026-01-01, usage recorded as it happens, `bill` run to 2026-04-01T01:00:00Z; then the
    /// prepaid contract's credit runs to its expiry on 2027-01-01.
    static func billing(_ ledger: Ledger, clock: DemoClock) throws -> Output {
        let usd = try Currency(code: "usd")
        let monthly = { (usage: Price.UsageType, meter: Meter?) in
            Price.Recurring(interval: .month, intervalCount: 1, usageType: usage, meter: meter?.id)
        }
        func tier(_ upTo: Int64?, _ unit: String) -> PriceTier {
            PriceTier(upTo: upTo, unitAmount: ExactDecimal(parsing: unit), flatAmount: nil)
        }
        // P1: pay as you go.
        let john = try ledger.createCustomer(.init(id: "cus_john", name: "John Doe"))
        let alpaca = try ledger.createMeter(
            .init(id: "mtr_alpaca", displayName: "Alpaca AI tokens", eventName: "alpaca_ai_tokens"))
        let alpacaProduct = try ledger.createProduct(.init(id: "prod_alpaca", name: "Alpaca AI tokens"))
        let paygo = try ledger.createPrice(
            .init(
                id: "price_paygo", product: alpacaProduct.id, currency: usd, nickname: "0.04 per 100 tokens",
                kind: .recurring,
                recurring: monthly(.metered, alpaca),
                scheme: .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))))
        _ = try ledger.createSubscription(.init(id: "sub_john", customer: john.id, items: [.init(price: paygo.id)]))
        // P2: flat fee and overages.
        let acme = try ledger.createCustomer(.init(id: "cus_acme", name: "Acme (3 seats)"))
        let hyper = try ledger.createMeter(
            .init(id: "mtr_hypernian", displayName: "Hypernian tokens", eventName: "hypernian_tokens"))
        let hyperProduct = try ledger.createProduct(.init(id: "prod_hypernian", name: "Hypernian"))
        let seat = try ledger.createPrice(
            .init(
                id: "price_seat", product: hyperProduct.id, currency: usd, nickname: "licence", kind: .recurring,
                recurring: monthly(.licensed, nil), scheme: .perUnit(unitAmount: ExactDecimal(10_000), transform: nil)))
        let overage = try ledger.createPrice(
            .init(
                id: "price_overage", product: hyperProduct.id, currency: usd, nickname: "1,000 free then 4 cents",
                kind: .recurring,
                recurring: monthly(.metered, hyper),
                scheme: .tiered(mode: .graduated, tiers: [tier(1000, "0"), tier(nil, "4")])))
        _ = try ledger.createSubscription(
            .init(
                id: "sub_acme", customer: acme.id,
                items: [.init(price: seat.id, quantity: 3), .init(price: overage.id)]))
        // P3: Hypernian Pro.
        let pro = try ledger.createCustomer(.init(id: "cus_pro", name: "Pro Labs"))
        let proMeter = try ledger.createMeter(
            .init(id: "mtr_pro", displayName: "Hypernian API tokens", eventName: "hypernian_api_tokens"))
        let proProduct = try ledger.createProduct(.init(id: "prod_pro", name: "Hypernian Pro"))
        let proLicence = try ledger.createPrice(
            .init(
                id: "price_pro", product: proProduct.id, currency: usd, kind: .recurring,
                recurring: monthly(.licensed, nil),
                scheme: .perUnit(unitAmount: ExactDecimal(20_000), transform: nil)))
        let proUsage = try ledger.createPrice(
            .init(
                id: "price_pro_usage", product: proProduct.id, currency: usd,
                nickname: "100,000 included then 0.1 cent",
                kind: .recurring, recurring: monthly(.metered, proMeter),
                scheme: .tiered(mode: .graduated, tiers: [tier(100_000, "0"), tier(nil, "0.1")])))
        _ = try ledger.createSubscription(
            .init(
                id: "sub_pro", customer: pro.id, items: [.init(price: proLicence.id), .init(price: proUsage.id)]))
        // P4: a prepaid enterprise contract on Hypernian Pro: pay 100,000 USD, get 120,000 USD of
        // paid credit for metered usage, expiring after 12 months.
        let enterprise = try ledger.createCustomer(.init(id: "cus_enterprise", name: "Enterprise Corp"))
        let funding = try ledger.createInvoice(
            customer: enterprise.id, currency: usd, includePending: false, description: "Hypernian Credits",
            id: "in_prepaid")
        _ = try ledger.createInvoiceItem(
            .init(
                customer: enterprise.id, currency: usd, amount: .whole(10_000_000), description: "Hypernian Credits",
                invoice: funding.id))
        _ = try ledger.finalizeInvoice(funding.id)
        _ = try ledger.payInvoice(funding.id)
        let contract = try ledger.createGrant(
            .init(
                id: "credgr_enterprise", customer: enterprise.id, amount: Money(amountMinor: 12_000_000, currency: usd),
                category: .paid,
                scope: .metered,
                effectiveAt: try Instant.parse("2026-01-01"), expiresAt: try Instant.parse("2027-01-01"),
                name: "Enterprise contract",
                costBasis: 10_000_000, fundingInvoice: funding.id))
        _ = try ledger.createSubscription(
            .init(
                id: "sub_enterprise", customer: enterprise.id,
                items: [.init(price: proLicence.id), .init(price: proUsage.id)]))

        // Usage as it happens, month by month, each recorded at its own instant.
        let usage: [(String, String, String, String)] = [
            ("2026-01-05T12:00:00Z", "alpaca_ai_tokens", "cus_john", "3000"),
            ("2026-01-10T00:00:00Z", "hypernian_tokens", "cus_acme", "3000"),
            ("2026-01-15T00:00:00Z", "hypernian_api_tokens", "cus_pro", "250000"),
            ("2026-01-15T00:00:00Z", "hypernian_api_tokens", "cus_enterprise", "250000"),
            ("2026-02-03T00:00:00Z", "alpaca_ai_tokens", "cus_john", "25"),
            ("2026-02-12T00:00:00Z", "hypernian_tokens", "cus_acme", "800"),
            ("2026-02-20T00:00:00Z", "hypernian_api_tokens", "cus_pro", "100005"),
            ("2026-03-09T00:00:00Z", "hypernian_tokens", "cus_acme", "5000"),
            ("2026-03-31T23:30:00Z", "hypernian_api_tokens", "cus_pro", "100000"),
        ]
        for (index, (time, event, customer, value)) in usage.enumerated() {
            try clock.set(time)
            _ = try ledger.record(
                EventSubmission(
                    eventName: event, identifier: "demo-\(index + 1)", timestamp: try Instant.parse(time),
                    customer: .init(customer), value: try ExactDecimal.quantity(value, param: "value")))
        }
        try clock.set("2026-04-01T01:00:00Z")
        _ = try ledger.bill()
        // John pays his January invoice.
        if let january = try ledger.invoices(customer: john.id).first(where: { $0.status == .open }) {
            _ = try ledger.payInvoice(january.id)
        }

        var sections: [String] = []
        var all: [JSON] = []
        for (customer, title) in [
            (john, "P1 pay as you go (John Doe): 0.04 usd per 100 tokens, rounded up per package"),
            (acme, "P2 flat fee and overages (Acme, 3 seats): 100.00 usd a seat + 0.04 usd a token above 1,000"),
            (pro, "P3 Hypernian Pro (Pro Labs): 200.00 usd with 100,000 tokens included, then 0.001 usd a token"),
            (
                enterprise,
                "P4 prepaid contract (Enterprise Corp): paid 100,000.00 usd for 120,000.00 usd of credit on Hypernian Pro"
            ),
        ] {
            let invoices = try ledger.invoices(customer: customer.id)
            let context = try ShapeContext.load(ledger, invoices: invoices)
            all += invoices.map { Shape.invoice($0, context) }
            let rows = invoices.flatMap { invoice -> [[String]] in
                let head = [
                    invoice.number ?? "(draft)", invoice.status.rawValue,
                    "\(Instant.format(invoice.periodStart).prefix(10)) → \(Instant.format(invoice.periodEnd).prefix(10))",
                    "", "", MoneyFormat.text(invoice.total, invoice.currency),
                ]
                return [head]
                    + invoice.lines.flatMap { line in
                        [
                            [
                                "", "", "  " + (line.description ?? ""), line.quantity.description,
                                "\(Instant.format(line.periodStart).prefix(10)) → \(Instant.format(line.periodEnd).prefix(10))",
                                MoneyFormat.text(line.amount, line.currency),
                            ]
                        ]
                            + line.creditAmounts.map { credit in
                                [
                                    "", "", "    credit from \(credit.grant)", "", "",
                                    MoneyFormat.text(-credit.amount, line.currency),
                                ]
                            }
                    }
            }
            sections.append(
                title + "\n"
                    + Human.table(
                        ["NUMBER", "STATUS", "PERIOD / LINE", "QUANTITY", "LINE PERIOD", "AMOUNT"], rows,
                        rightAligned: [3, 5]))
        }
        func credit(_ iso: String) throws -> String {
            let b = try ledger.creditBalances(customer: enterprise.id, asOf: try Instant.parse(iso)).first
            return
                "ledger \(MoneyFormat.text(b?.ledgerBalance ?? 0, usd)), available \(MoneyFormat.text(b?.availableBalance ?? 0, usd))"
        }
        var story = ["credit balance 2026-04-01: " + (try credit("2026-04-01T01:00:00Z"))]
        // No more usage: the contract's credit expires unused at 2027-01-01T00:00:00Z exactly.
        try clock.set("2027-01-01T00:00:00Z")
        _ = try ledger.bill()
        story.append("credit balance as of 2026-12-31T23:59:59Z: " + (try credit("2026-12-31T23:59:59Z")))
        story.append("credit balance as of 2027-01-01T00:00:00Z: " + (try credit("2027-01-01T00:00:00Z")))
        if let row = try ledger.reconcile(grant: contract.id).first {
            let money = { (amount: Int64) in MoneyFormat.text(amount, row.currency) }
            let differences = row.differences.map { "\($0.0) \(money($0.1))" }.joined(separator: ", ")
            story.append(
                "reconcile: committed \(money(row.committed)), paid \(money(row.paid)), granted \(money(row.granted)), "
                    + "applied \(money(row.applied)),\n  expired \(money(row.expired)); "
                    + "recognized revenue at cost \(money(row.recognized)) + breakage \(money(row.breakage)) = "
                    + "\(money(try MinorUnits.sum([row.recognized, row.breakage])));\n  differences \(differences)"
            )
        }
        sections.append(story.joined(separator: "\n"))
        let balances = try ledger.accountBalances().filter { !$0.account.name.hasPrefix("assets:receivable") }
        sections.append(
            "Journal balances on 2027-01-01, receivables left out (hledger signs: revenue and liabilities are negative)\n"
                + Human.table(
                    ["ACCOUNT", "AMOUNT"],
                    balances.map { [$0.account.name, MoneyFormat.text($0.amountMinor, $0.currency)] },
                    rightAligned: [1]))
        let findings = try ledger.verify()
        sections.append(
            "verify: "
                + (findings.isEmpty
                    ? "ok (trial balance zero, every entry balanced, invoices agree with lines and postings, numbers gapless)"
                    : findings.map(\.detail).joined(separator: "; ")))
        return Output(json: .list(all), human: sections.joined(separator: "\n\n"))
    }

    static func build(_ ledger: Ledger, path: String) throws -> Output {
        let usd = try Currency(code: "usd")
        let month = { (usage: Price.UsageType, meter: Meter?) in
            Price.Recurring(interval: .month, intervalCount: 1, usageType: usage, meter: meter?.id)
        }
        func tier(_ upTo: Int64?, _ unit: String?, _ flat: String? = nil) -> PriceTier {
            PriceTier(
                upTo: upTo, unitAmount: unit.flatMap(ExactDecimal.init(parsing:)),
                flatAmount: flat.flatMap(ExactDecimal.init(parsing:)))
        }
        var sections: [String] = []
        var quotes: [JSON] = []
        func show(_ title: String, _ price: Price, _ quantities: [String]) throws {
            var rows: [[String]] = []
            for text in quantities {
                let quantity = ExactDecimal(parsing: text)!
                let quote = try Pricing.quote(price.scheme, quantity: quantity)
                rows.append([
                    text, MoneyFormat.text(exactMinor: quote.exactAmount, price.currency),
                    MoneyFormat.text(quote.amount, price.currency),
                ])
                quotes.append(Shape.quote(price, quantity, quote))
            }
            sections.append(
                "\(title)\n  price \(price.id) — \(PricesCommand.schemeText(price.scheme, price.currency))\n"
                    + Human.table(["QUANTITY", "EXACT AMOUNT", "AMOUNT"], rows, rightAligned: [0, 1, 2])
                    .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }

        // P5: Stripe's tier examples, quoted by the pricing function.
        let examples = try ledger.createProduct(.init(name: "Stripe tier examples"))
        let stripeTiers = [tier(5, "700"), tier(10, "650"), tier(nil, "600")]
        for mode in [TiersMode.volume, .graduated] {
            let price = try ledger.createPrice(
                .init(
                    product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
                    scheme: .tiered(mode: mode, tiers: stripeTiers)))
            try show(
                "P5 \(mode.rawValue): 1–5 at 7.00 usd, 6–10 at 6.50 usd, 11+ at 6.00 usd", price,
                ["5", "6", "20", "25"])
        }
        let flatTiers = [
            tier(5, "500", "1000"), tier(10, "400", "2000"), tier(15, "300", "3000"),
            tier(20, "200", "4000"), tier(nil, "100", "5000"),
        ]
        for mode in [TiersMode.volume, .graduated] {
            let price = try ledger.createPrice(
                .init(
                    product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
                    scheme: .tiered(mode: mode, tiers: flatTiers)))
            try show("P5 \(mode.rawValue) with flat fees", price, ["12", "0"])
        }
        let rounding = try ledger.createPrice(
            .init(
                product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
                scheme: .perUnit(unitAmount: ExactDecimal(parsing: "0.05")!, transform: nil)))
        try show("Rounding once per line, half away from zero: 0.0005 usd a unit", rounding, ["30", "10", "9"])

        return Output(json: .list(quotes), human: sections.joined(separator: "\n\n"))
    }
}
