import ArgumentParser
import LedgerKit

/// `ledger top-ups`: auto top-up rules (README: Auto top-ups).
struct TopUpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top-ups", abstract: "Create, show, list and disable auto top-up rules.",
        subcommands: [Create.self, Show.self, List.self, Disable.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Buy a customer credit each time their balance falls to a threshold or below.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "ISO 4217 currency of the balance and the credit.") var currency: String
        @Option(parsing: .unconditional, help: "Top up when the balance falls to this or below (minor units).")
        var threshold: String
        @Option(parsing: .unconditional, help: "Each top-up's credit (minor units; or --target).") var amount: String?
        @Option(parsing: .unconditional, help: "Top up to this balance (minor units; or --amount).") var target: String?
        @Option(
            parsing: .unconditional,
            help: "What each top-up of --amount costs the customer (minor units; default: its face value).")
        var costBasis: String?
        @Option(parsing: .unconditional, help: "Each grant expires this many days after it takes effect (1–3650).")
        var expiresAfterDays: Int?
        @Option(parsing: .unconditional, help: "At most this many top-ups per calendar month (UTC).")
        var maxPerMonth: Int?
        @OptionGroup var scopeOptions: ScopeOptions
        @Option(help: "When the grant takes effect: at the top-up, or when its invoice is paid.")
        var grantOn = Choice(TopUpRule.GrantOn.issue)
        @OptionGroup var created: CreateOptions<TopUpRule>

        func size() throws -> TopUpRule.Size {
            switch (amount, target) {
            case (let amount?, nil):
                return .amount(try AmountInput.minorUnits(amount, param: "amount", allowZero: false))
            case (nil, let target?): return .target(try AmountInput.minorUnits(target, param: "target"))
            default: throw LedgerError.invalidRequest("give --amount or --target, exactly one", param: "amount")
            }
        }

        func validate() throws {
            try Refusal.check(Self.self, root) {
                _ = try scopeOptions.scope()
                guard (amount == nil) != (target == nil) else {
                    throw LedgerError.invalidRequest("give --amount or --target, exactly one", param: "amount")
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let rule = try ledger.createTopUpRule(
                    .init(
                        id: created.typedID, customer: .init(customer), currency: try Currency(code: currency),
                        threshold: try AmountInput.minorUnits(threshold, param: "threshold"), size: try size(),
                        costBasis: try costBasis.map {
                            try AmountInput.minorUnits($0, param: "cost_basis", allowZero: false)
                        }, expiresAfterDays: expiresAfterDays, maxPerMonth: maxPerMonth,
                        scope: try scopeOptions.scope(), grantOn: try grantOn.value(param: "grant_on"),
                        metadata: try created.parsedMetadata()))
                return try TopUpsCommand.output(rule, ledger)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a rule and the top-ups it made.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The rule's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in try TopUpsCommand.output(try ledger.topUpRule(.init(id)), ledger) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List rules, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's rules.") var customer: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let rules = try ledger.topUpRules(customer: customer.map { .init($0) })
                let made = try rules.map { try ledger.topUps(rule: $0.id) }
                return Output(
                    json: .list(zip(rules, made).map { Shape.topUpRule($0, topUps: $1) }),
                    human: Human.table(
                        ["ID", "CUSTOMER", "AT OR BELOW", "TOP UP", "GRANT ON", "STATUS", "TOP-UPS"],
                        zip(rules, made).map { r, t in
                            [
                                r.id.rawValue, r.customer.rawValue, MoneyFormat.text(r.threshold, r.currency),
                                TopUpsCommand.size(r), r.grantOn.rawValue, r.status.rawValue, "\(t.count)",
                            ]
                        }))
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable", abstract: "Disable a rule: it tops up no more.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The rule's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                try TopUpsCommand.output(try ledger.disableTopUpRule(.init(id)), ledger)
            }
        }
    }

    static func size(_ r: TopUpRule) -> String {
        switch r.size {
        case .amount(let amount):
            return "\(MoneyFormat.text(amount, r.currency)) for \(MoneyFormat.text(r.cost(of: amount), r.currency))"
        case .target(let target): return "to \(MoneyFormat.text(target, r.currency))"
        }
    }

    static func output(_ r: TopUpRule, _ ledger: Ledger) throws -> Output {
        let made = try ledger.topUps(rule: r.id)
        let money = { (amount: Int64) in MoneyFormat.text(amount, r.currency) }
        return Output(
            json: Shape.topUpRule(r, topUps: made),
            human: Human.fields([
                ("id", r.id.rawValue), ("customer", r.customer.rawValue), ("at or below", money(r.threshold)),
                ("top up", size(r)), ("expires after", r.expiresAfterDays.map { "\($0) days" } ?? "never"),
                ("per month", r.maxPerMonth.map { "at most \($0)" }), ("grant on", r.grantOn.rawValue),
                ("status", r.status.rawValue), ("disabled", r.disabledReason),
            ])
                + "\n"
                + Human.table(
                    ["TOP-UP", "CROSSED AT", "BALANCE", "CREDIT", "COST", "INVOICE", "GRANT", "STATUS"],
                    made.map {
                        [
                            $0.id.rawValue, Instant.format($0.crossedAt), money($0.balance), money($0.amount),
                            money($0.costBasis), $0.invoice.rawValue, $0.grant?.rawValue ?? "", $0.status.rawValue,
                        ]
                    }))
    }
}
