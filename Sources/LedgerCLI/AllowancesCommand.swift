import ArgumentParser
import LedgerKit

/// `ledger allowances`: recurring credit allowances on subscriptions (README: Allowances).
struct AllowancesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allowances", abstract: "Create, show, list and cancel recurring credit allowances.",
        subcommands: [Create.self, Show.self, List.self, Cancel.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Give each period of a subscription a grant for that period's metered usage.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The subscription's ID.") var subscription: String
        @Option(
            parsing: .unconditional, help: "Each period's grant in minor units (> 0), in the subscription's currency.")
        var amount: String
        @Option(help: "Paid (part of what the subscription's fee buys) or promotional (given).")
        var category = Choice(CreditGrant.Category.promotional)
        @OptionGroup var scopeOptions: ScopeOptions
        @Option(parsing: .unconditional, help: "0 (applied first) to 100.") var priority: Int = 50
        @Option(
            parsing: .unconditional,
            help: "The most a period's unused grant carries over, in minor units (default: nothing carries over).")
        var rolloverMax: String?
        @Option(parsing: .unconditional, help: "How many periods carried-over credit covers (1–12).")
        var rolloverPeriods: Int = 1
        @Option(help: "A name for people, given to each grant.") var name: String?
        @OptionGroup var created: CreateOptions<Allowance>

        func validate() throws {
            try Refusal.check(Self.self, root) { _ = try scopeOptions.scope() }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let sub = try ledger.subscription(.init(subscription))
                let (allowance, _) = try ledger.createAllowance(
                    .init(
                        id: created.typedID, subscription: sub.id,
                        amount: Money(
                            amountMinor: try AmountInput.minorUnits(amount, param: "amount", allowZero: false),
                            currency: sub.currency),
                        category: try category.value(param: "category"), scope: try scopeOptions.scope(),
                        priority: priority,
                        rolloverMax: try rolloverMax.map {
                            try AmountInput.minorUnits($0, param: "rollover_max", allowZero: false)
                        }, rolloverPeriods: rolloverPeriods, name: name, metadata: try created.parsedMetadata()))
                return try AllowancesCommand.output(allowance, ledger)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show an allowance and the grants it issued.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The allowance's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in
                try AllowancesCommand.output(try ledger.allowance(.init(id)), ledger)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List allowances, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this subscription's allowances.") var subscription: String?
        @Option(help: "Only this customer's allowances.") var customer: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let allowances = try ledger.allowances(
                    subscription: subscription.map { .init($0) }, customer: customer.map { .init($0) })
                return Output(
                    json: .list(allowances.map(Shape.allowance)),
                    human: Human.table(
                        ["ID", "SUBSCRIPTION", "EACH PERIOD", "ROLLOVER", "STATUS"],
                        allowances.map {
                            [
                                $0.id.rawValue, $0.subscription.rawValue, $0.amount.formatted,
                                AllowancesCommand.rollover($0), $0.status.rawValue,
                            ]
                        }))
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Stop an allowance: later periods get no grant; the grants issued stay until invoiced.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The allowance's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                try AllowancesCommand.output(try ledger.cancelAllowance(.init(id)), ledger)
            }
        }
    }

    static func rollover(_ a: Allowance) -> String {
        guard let max = a.rolloverMax else { return "none" }
        let periods = a.rolloverPeriods == 1 ? "1 period" : "\(a.rolloverPeriods) periods"
        return "up to \(MoneyFormat.text(max, a.amount.currency)) for \(periods)"
    }

    /// The allowance and, in human output, the grants it issued.
    static func output(_ a: Allowance, _ ledger: Ledger) throws -> Output {
        let grants = try ledger.grants(allowance: a.id)
        let totals = try grants.map { try ledger.grantTotals($0.id) }
        return Output(
            json: Shape.allowance(a),
            human: Human.fields([
                ("id", a.id.rawValue), ("subscription", a.subscription.rawValue), ("customer", a.customer.rawValue),
                ("name", a.name), ("each period", a.amount.formatted), ("category", a.category.rawValue),
                ("priority", "\(a.priority)"), ("rollover", rollover(a)), ("status", a.status.rawValue),
                ("canceled at", a.canceledAt.map(Instant.format)),
            ])
                + "\n"
                + Human.table(
                    [
                        "GRANT", "EFFECTIVE", "COVERS PERIODS ENDING", "ROLLED OVER FROM", "GRANTED", "APPLIED",
                        "REMAINING",
                    ],
                    zip(grants, totals).map { g, t in
                        [
                            g.id.rawValue, Instant.format(g.effectiveAt),
                            g.coverage.map { "\(Instant.format($0.after)) < end ≤ \(Instant.format($0.through))" }
                                ?? "",
                            g.rolledOverFrom?.rawValue ?? "", MoneyFormat.text(t.granted, g.amount.currency),
                            MoneyFormat.text(t.applied, g.amount.currency),
                            MoneyFormat.text(t.remaining, g.amount.currency),
                        ]
                    }))
    }
}
