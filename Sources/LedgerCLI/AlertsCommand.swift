import ArgumentParser
import LedgerKit

/// `ledger alerts`: credit balance alerts, whose crossings go to the event feed.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Create, show, list and archive credit balance alerts.",
        subcommands: [Create.self, Show.self, List.self, Archive.self])

    /// Stripe's alert types; the ledger judges credit balances.
    enum Kind: String, CaseIterable, Sendable {
        case creditBalanceThreshold = "credit_balance_threshold"
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Fire when a customer's credit balance falls to an amount or below; recover above it.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "The alert's type.") var type = Choice(Kind.creditBalanceThreshold)
        @Option(parsing: .unconditional, help: "Fire at this balance or below (minor units).") var lte: Int64
        @Option(help: "ISO 4217 currency of the balance.") var currency: String
        @Option(help: "A title for people.") var title: String?
        @OptionGroup var created: CreateOptions<Alert>

        func run() throws {
            try Context(root: root).run { ledger in
                _ = try type.value(param: "alert_type")
                return AlertsCommand.output(
                    try ledger.createAlert(
                        .init(
                            id: created.typedID, customer: .init(customer),
                            lte: Money(amountMinor: lte, currency: try Currency(code: currency)), title: title)))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an alert.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The alert's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in AlertsCommand.output(try ledger.alert(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List alerts, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's alerts.") var customer: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let alerts = try ledger.alerts(customer: customer.map { .init($0) })
                return Output(
                    json: .list(alerts.map(Shape.alert)),
                    human: Human.table(
                        ["ID", "CUSTOMER", "AT OR BELOW", "STATUS", "TRIGGERED"],
                        alerts.map {
                            [
                                $0.id.rawValue, $0.customer.rawValue, $0.lte.formatted, $0.status.rawValue,
                                $0.triggered ? "yes" : "no",
                            ]
                        }))
            }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "archive", abstract: "Archive an alert: it is judged no more.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The alert's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in AlertsCommand.output(try ledger.archiveAlert(.init(id))) }
        }
    }

    static func output(_ a: Alert) -> Output {
        Output(
            json: Shape.alert(a),
            human: Human.fields([
                ("id", a.id.rawValue), ("customer", a.customer.rawValue), ("at or below", a.lte.formatted),
                ("title", a.title), ("status", a.status.rawValue), ("triggered", a.triggered ? "yes" : "no"),
            ]))
    }
}
