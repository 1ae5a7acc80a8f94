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
    static let defaultPath = "ledger-demo.sqlite"

    func run() throws {
        let path = root.db ?? Self.defaultPath
        if root.db != nil && FileManager.default.fileExists(atPath: path) {
            Context(root: root).fail(
                LedgerError.invalidRequest("demo builds a fresh file; '\(path)' already exists", param: "db"))
        }
        Context.remove(path)
        var context = root
        context.db = path
        try Context(root: context).run { ledger in try Self.build(ledger, path: path) }
    }

    static func build(_ ledger: Ledger, path: String) throws -> Output {
        let usd = try Currency(code: "usd")
        let month = { (usage: Price.UsageType, meter: Meter?) in
            Price.Recurring(interval: .month, intervalCount: 1, usageType: usage, meter: meter?.id.rawValue)
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
                let money = Money(amountMinor: quote.amount, currency: price.currency)
                rows.append([text, quote.exactAmount.description, "\(quote.amount)", "\(money.decimalText) \(price.currency)"])
                quotes.append(Shape.quote(price, quantity, quote))
            }
            sections.append(
                "\(title)\n  price \(price.id) — \(PricesCommand.schemeText(price.scheme))\n"
                    + Human.table(["QUANTITY", "EXACT (minor)", "AMOUNT", ""], rows)
                    .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }

        _ = try ledger.createCustomer(.init(name: "John Doe", email: "john@example.com"))
        _ = try ledger.createCustomer(.init(name: "Enterprise Inc."))

        // P1: pay as you go, 0.04 USD per 100 tokens, rounded up per package.
        let alpaca = try ledger.createProduct(.init(name: "Alpaca AI tokens"))
        let tokens = try ledger.createMeter(.init(displayName: "Alpaca AI tokens", eventName: "alpaca_ai_tokens"))
        let paygo = try ledger.createPrice(.init(
            product: alpaca.id, currency: usd, kind: .recurring, recurring: month(.metered, tokens),
            scheme: .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))))
        try show("P1 pay as you go: 4 cents per 100 tokens, rounded up", paygo, ["3000", "25", "0"])

        // P2: 100 USD licence + graduated tiers 0–1,000 free then 4 cents a token.
        let hypernian = try ledger.createProduct(.init(name: "Hypernian"))
        let hyperTokens = try ledger.createMeter(.init(displayName: "Hypernian tokens", eventName: "hypernian_tokens"))
        let licence = try ledger.createPrice(.init(
            product: hypernian.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
            scheme: .perUnit(unitAmount: ExactDecimal(10_000), transform: nil)))
        let overage = try ledger.createPrice(.init(
            product: hypernian.id, currency: usd, kind: .recurring, recurring: month(.metered, hyperTokens),
            scheme: .tiered(mode: .graduated, tiers: [tier(1000, "0"), tier(nil, "4")])))
        try show("P2 flat fee: licence 100 USD a month per seat", licence, ["1", "3"])
        try show("P2 overages: first 1,000 tokens free, then 4 cents a token", overage, ["3000", "800"])

        // P3: 200 USD with 100,000 tokens included, then 0.1 cent a token.
        let pro = try ledger.createProduct(.init(name: "Hypernian Pro"))
        let proTokens = try ledger.createMeter(.init(displayName: "Hypernian Pro tokens", eventName: "hypernian_api_tokens"))
        let proUsage = try ledger.createPrice(.init(
            product: pro.id, currency: usd, kind: .recurring, recurring: month(.metered, proTokens),
            scheme: .tiered(mode: .graduated, tiers: [tier(100_000, "0"), tier(nil, "0.1")])))
        try show("P3 Hypernian Pro: 100,000 tokens included, then 0.1 cent a token", proUsage,
                 ["250000", "100001", "100005"])

        // P5: Stripe's tier examples.
        let examples = try ledger.createProduct(.init(name: "Stripe tier examples"))
        let stripeTiers = [tier(5, "700"), tier(10, "650"), tier(nil, "600")]
        for mode in [TiersMode.volume, .graduated] {
            let price = try ledger.createPrice(.init(
                product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
                scheme: .tiered(mode: mode, tiers: stripeTiers)))
            try show("P5 \(mode.rawValue): 1–5 at 7 USD, 6–10 at 6.50, 11+ at 6", price, ["5", "6", "20", "25"])
        }
        let flatTiers = [
            tier(5, "500", "1000"), tier(10, "400", "2000"), tier(15, "300", "3000"),
            tier(20, "200", "4000"), tier(nil, "100", "5000"),
        ]
        for mode in [TiersMode.volume, .graduated] {
            let price = try ledger.createPrice(.init(
                product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
                scheme: .tiered(mode: mode, tiers: flatTiers)))
            try show("P5 \(mode.rawValue) with flat fees", price, ["12", "0"])
        }
        let rounding = try ledger.createPrice(.init(
            product: examples.id, currency: usd, kind: .recurring, recurring: month(.licensed, nil),
            scheme: .perUnit(unitAmount: ExactDecimal(parsing: "0.05")!, transform: nil)))
        try show("Rounding once per line, half away from zero: 0.05 cent a unit", rounding, ["30", "10", "9"])

        let header = "Demo ledger written to \(path) (inspect it with --db \(path)).\n"
        return Output(
            json: .object([("object", .string("demo")), ("db", .string(path)), ("quotes", .list(quotes))]),
            human: header + "\n" + sections.joined(separator: "\n\n"))
    }
}
