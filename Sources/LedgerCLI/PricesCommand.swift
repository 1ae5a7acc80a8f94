import ArgumentParser
import LedgerKit

struct PricesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices", abstract: "Create, show, list, update, archive and quote prices.",
        subcommands: [Create.self, Show.self, List.self, Update.self, Archive.self, Quote.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a price (per_unit, package via --divide-by, graduated or volume tiers).")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The product's ID (or --product-name).") var product: String?
        @Option(help: "Creates a product of this name with the price (Stripe's product_data[name]).")
        var productName: String?
        @Option(help: "ISO 4217 currency code (usd, eur, jpy …).") var currency: String
        @Option(help: "A name for people.") var nickname: String?
        @Option(help: "A key unique among active prices.") var lookupKey: String?
        @Option(
            help:
                "One-time or recurring (default: recurring when --interval, --interval-count, --usage-type or --meter is given, else one_time)."
        )
        var type: Choice<Price.Kind>?
        @Option(help: "How often a recurring price bills.") var interval: Choice<Price.Interval>?
        @Option(parsing: .unconditional, help: "Intervals between billings (default: 1; at most 3 years in total).")
        var intervalCount: Int?
        @Option(help: "Licensed (a quantity, the default) or metered (usage).") var usageType: Choice<Price.UsageType>?
        @Option(help: "The meter of a metered price.") var meter: String?
        @Option(help: "Per unit (default), or tiered (default when --tier or --tiers-mode is given).")
        var billingScheme: Choice<BillingScheme>?
        @Option(parsing: .unconditional, help: "Whole minor units per unit.") var unitAmount: String?
        @Option(parsing: .unconditional, help: "Minor units per unit, up to 12 decimals.")
        var unitAmountDecimal: String?
        @Option(parsing: .unconditional, help: "transform_quantity: divide the quantity by N before pricing.")
        var divideBy: String?
        @Option(help: "transform_quantity: how to round the division (with --divide-by).")
        var round: Choice<TransformQuantity.Round>?
        @Option(help: "How tiers price a quantity: each tier its part (graduated), or one tier all (volume).")
        var tiersMode: Choice<TiersMode>?
        @Option(
            help:
                "A tier: up_to=N|inf[,unit_amount=N|,unit_amount_decimal=D][,flat_amount=N|,flat_amount_decimal=D] (repeatable, in order)."
        )
        var tier: [String] = []
        @OptionGroup var created: CreateOptions<Price>

        func validate() throws {
            try Refusal.check(Self.self, root) {
                if (product == nil) == (productName == nil) {
                    throw LedgerError.invalidRequest(
                        "give --product (product) or --product-name (product_data[name]), one of them",
                        param: "product")
                }
                if unitAmount != nil && unitAmountDecimal != nil {
                    throw LedgerError.invalidRequest(
                        "give unit_amount or unit_amount_decimal, not both", param: "unit_amount")
                }
                if (divideBy == nil) != (round == nil) {
                    throw LedgerError.invalidRequest(
                        "transform_quantity needs both --divide-by and --round", param: "transform_quantity")
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                guard let productName else { return PricesCommand.output(try ledger.createPrice(try params())) }
                return PricesCommand.output(
                    try ledger.createPrice(try params(), newProduct: .init(name: productName)).1)
            }
        }

        func params() throws -> PriceParams {
            let currency = try Currency(code: self.currency)
            let interval = try interval?.value(param: "interval")
            let usageType = try usageType?.value(param: "usage_type")
            let kind =
                try type?.value(param: "type")
                ?? (interval != nil || usageType != nil || meter != nil || intervalCount != nil ? .recurring : .oneTime)
            var recurring: Price.Recurring?
            if let interval {
                recurring = .init(
                    interval: interval, intervalCount: intervalCount ?? 1,
                    usageType: usageType ?? .licensed, meter: meter.map { Meter.ID($0) })
            } else if kind == .oneTime && (usageType != nil || meter != nil || intervalCount != nil) {
                throw LedgerError.invalidRequest(
                    "usage_type, meter and interval_count need a recurring price (--interval)", param: "interval")
            }
            let scheme = try self.scheme()
            return PriceParams(
                id: created.typedID, product: .init(product ?? ""), currency: currency, nickname: nickname,
                lookupKey: lookupKey, kind: kind, recurring: recurring, scheme: scheme,
                metadata: try created.parsedMetadata())
        }

        func scheme() throws -> PricingScheme {
            let billing =
                try billingScheme.map { choice in
                    try choice.value(
                        or: .invalidRequest(
                            "billing_scheme '\(choice.text)' must be per_unit or tiered", param: "billing_scheme"))
                } ?? (tier.isEmpty && tiersMode == nil ? .perUnit : .tiered)
            if billing == .tiered {
                if divideBy != nil {
                    throw LedgerError.invalidRequest(
                        "transform_quantity cannot be combined with tiers", param: "transform_quantity")
                }
                if unitAmount != nil || unitAmountDecimal != nil {
                    throw LedgerError.invalidRequest(
                        "a tiered price takes its amounts from --tier, not --unit-amount", param: "unit_amount")
                }
                guard let tiersMode else {
                    throw LedgerError.invalidRequest(
                        "a tiered price needs --tiers-mode graduated|volume", param: "tiers_mode")
                }
                let mode = try tiersMode.value(param: "tiers_mode")
                return .tiered(
                    mode: mode, tiers: try tier.enumerated().map { try PricesCommand.parseTier($1, index: $0) })
            }
            if !tier.isEmpty || tiersMode != nil {
                throw LedgerError.invalidRequest("tiers need --billing-scheme tiered", param: "tiers")
            }
            let amount: ExactDecimal
            if let unitAmount {
                amount = ExactDecimal(try AmountInput.minorUnits(unitAmount, param: "unit_amount"))
            } else if let unitAmountDecimal {
                amount = try ExactDecimal.unitAmount(unitAmountDecimal, param: "unit_amount_decimal")
            } else {
                throw LedgerError.invalidRequest(
                    "a per_unit price needs --unit-amount or --unit-amount-decimal", param: "unit_amount")
            }
            var transform: TransformQuantity?
            if let divideBy, let round {
                let divisor = try AmountInput.minorUnits(divideBy, param: "divide_by", allowZero: false)
                transform = .init(divideBy: divisor, round: try round.value(param: "round"))
            }
            return .perUnit(unitAmount: amount, transform: transform)
        }
    }

    /// Parses `up_to=N|inf[,unit_amount=N|,unit_amount_decimal=D][,flat_amount=N|,flat_amount_decimal=D]`.
    /// - Throws: `invalid_tiers`, `invalid_amount`, `amount_overflow` naming the tier.
    static func parseTier(_ text: String, index: Int) throws -> PriceTier {
        let param = "tiers[\(index)]"
        var fields: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = part.firstIndex(of: "=") else {
                throw LedgerError(
                    .invalidTiers, "tier \(index + 1) '\(text)': '\(part)' must be key=value", param: param)
            }
            let key = String(part[..<eq])
            guard ["up_to", "unit_amount", "unit_amount_decimal", "flat_amount", "flat_amount_decimal"].contains(key)
            else {
                throw LedgerError(.invalidTiers, "tier \(index + 1): unknown field '\(key)'", param: param)
            }
            if fields[key] != nil {
                throw LedgerError(.invalidTiers, "tier \(index + 1): '\(key)' is given twice", param: param)
            }
            fields[key] = String(part[part.index(after: eq)...])
        }
        guard let upToText = fields["up_to"] else {
            throw LedgerError(.invalidTiers, "tier \(index + 1) needs up_to=N or up_to=inf", param: param)
        }
        var upTo: Int64?
        if upToText != "inf" {
            guard let value = ExactDecimal(parsing: upToText), value.isInteger, !value.isNegative, !value.isZero,
                let whole = Int64(exactly: value.significand)
            else {
                throw LedgerError(
                    .invalidTiers, "tier \(index + 1): up_to '\(upToText)' must be a positive whole number or inf",
                    param: "\(param).up_to")
            }
            upTo = whole
        }
        func amount(_ integerKey: String, _ decimalKey: String) throws -> ExactDecimal? {
            switch (fields[integerKey], fields[decimalKey]) {
            case (.some, .some):
                throw LedgerError(
                    .invalidTiers, "tier \(index + 1): give \(integerKey) or \(decimalKey), not both", param: param)
            case (.some(let text), .none):
                return ExactDecimal(try AmountInput.minorUnits(text, param: "\(param).\(integerKey)"))
            case (.none, .some(let text)):
                return try ExactDecimal.unitAmount(text, param: "\(param).\(decimalKey)")
            case (.none, .none):
                return nil
            }
        }
        return PriceTier(
            upTo: upTo, unitAmount: try amount("unit_amount", "unit_amount_decimal"),
            flatAmount: try amount("flat_amount", "flat_amount_decimal"))
    }

    /// `billing_scheme`: the core knows it from the scheme's shape (`PricingScheme`); the flag names it.
    enum BillingScheme: String, CaseIterable, Sendable {
        case perUnit = "per_unit"
        case tiered
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a price.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The price's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in PricesCommand.output(try ledger.price(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List prices, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this product's prices.") var product: String?
        @Flag(help: "Only active prices.") var active = false
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv {
                    let filters = [
                        "product_id": product, "active": active ? "true" : nil,
                    ].compactMapValues { $0 }
                    return try listFormat.write(ledger, .prices, where: filters)
                }
                let prices = try ledger.prices(product: product.map { .init($0) }, activeOnly: active)
                return Output(
                    json: .list(prices.map(Shape.price)),
                    human: Human.table(
                        ["ID", "PRODUCT", "CURRENCY", "SCHEME", "RECURRING", "ACTIVE", "LOOKUP KEY"],
                        prices.map { p in
                            [
                                p.id.rawValue, p.product.rawValue, p.currency.code,
                                PricesCommand.schemeText(p.scheme, p.currency),
                                PricesCommand.recurringText(p), p.active ? "yes" : "no", p.lookupKey ?? "",
                            ]
                        }))
            }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "archive",
            abstract: "Archive a price: no new use, its lookup key freed; terms never change.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The price's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in PricesCommand.output(try ledger.archivePrice(.init(id))) }
        }
    }

    struct Quote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quote", abstract: "What a quantity costs under a price.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The price's ID.") var id: String
        @Option(parsing: .unconditional, help: "The quantity (a decimal, up to 12 digits after the point).")
        var quantity: String

        func run() throws {
            try Context(root: root).read { ledger in
                let q = try ExactDecimal.quantity(quantity, param: "quantity")
                let (price, quote) = try ledger.quote(.init(id), quantity: q)
                return Output(
                    json: Shape.quote(price, q, quote),
                    human: Human.fields([
                        ("price", price.id.rawValue), ("quantity", q.description),
                        ("billed quantity", quote.billedQuantity.description),
                        ("exact amount", MoneyFormat.text(exactMinor: quote.exactAmount, price.currency)),
                        ("amount", MoneyFormat.text(quote.amount, price.currency)),
                    ]))
            }
        }
    }

    /// An exact unit amount per unit, or per package of `units`: `0.04 usd / 100 units`.
    static func unitText(_ amount: ExactDecimal, _ currency: Currency, per units: Int64 = 1) -> String {
        MoneyFormat.text(exactMinor: amount, currency) + (units == 1 ? " / unit" : " / \(units) units")
    }

    static func schemeText(_ scheme: PricingScheme, _ currency: Currency) -> String {
        switch scheme {
        case .perUnit(let amount, let transform):
            guard let transform else { return unitText(amount, currency) }
            return unitText(amount, currency, per: transform.divideBy) + " (round \(transform.round.rawValue))"
        case .tiered(let mode, let tiers):
            return "\(mode.rawValue), \(Human.count(tiers.count, "tier"))"
        }
    }

    static func recurringText(_ p: Price) -> String {
        guard let r = p.recurring else { return "one_time" }
        let every = r.intervalCount == 1 ? r.interval.rawValue : "\(r.intervalCount) \(r.interval.rawValue)s"
        return "\(every) \(r.usageType.rawValue)" + (r.meter.map { " (\($0))" } ?? "")
    }

    static func output(_ p: Price) -> Output {
        var tierLines: String?
        if case .tiered(_, let tiers) = p.scheme {
            var lower: Int64 = 0
            tierLines = tiers.map { t in
                let range = t.upTo.map { "\(lower + 1)–\($0)" } ?? "\(lower + 1)+"
                lower = t.upTo ?? lower
                let amounts = [
                    t.unitAmount.map { unitText($0, p.currency) },
                    t.flatAmount.map { "flat " + MoneyFormat.text(exactMinor: $0, p.currency) },
                ]
                return "\(range): " + amounts.compactMap { $0 }.joined(separator: " + ")
            }.joined(separator: "; ")
        }
        return Output(
            json: Shape.price(p),
            human: Human.fields([
                ("id", p.id.rawValue), ("product", p.product.rawValue), ("currency", p.currency.code),
                ("scheme", schemeText(p.scheme, p.currency)), ("tiers", tierLines), ("recurring", recurringText(p)),
                ("active", p.active ? "yes" : "no"), ("lookup_key", p.lookupKey), ("nickname", p.nickname),
                ("created", Instant.format(p.created)), ("metadata", Human.metadata(p.metadata)),
            ]))
    }
}
