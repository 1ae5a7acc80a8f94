import ArgumentParser
import LedgerKit

/// `ledger alerts`: credit balance alerts, whose crossings go to the event feed.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Create, show, list and archive credit balance alerts.",
        subcommands: [Create.self, Show.self, List.self, Archive.self])

    /// Stripe's alert types.
    enum Kind: String, CaseIterable, Sendable {
        case creditBalanceThreshold = "credit_balance_threshold"
        case usageThreshold = "usage_threshold"
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract:
                "Fire when a customer's credit balance falls to an amount or below (recover above it), or when a period's usage of a meter reaches a level."
        )
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "The alert's type.") var type = Choice(Kind.creditBalanceThreshold)
        @Option(parsing: .unconditional, help: "credit_balance_threshold: fire at this balance or below (minor units).")
        var lte: Int64?
        @Option(help: "credit_balance_threshold: ISO 4217 currency of the balance.") var currency: String?
        @Option(help: "usage_threshold: the meter whose usage is watched.") var meter: String?
        @Option(parsing: .unconditional, help: "usage_threshold: fire when the period's usage reaches this.")
        var gte: String?
        @Option(help: "usage_threshold: once in each billing period, or once ever (Stripe's).")
        var recurrence = Choice(Alert.UsageThreshold.Recurrence.perPeriod)
        @Option(help: "A title for people.") var title: String?
        @OptionGroup var created: CreateOptions<Alert>

        func validate() throws {
            try Refusal.check(Self.self, root) {
                let kind = try type.value(param: "alert_type")
                let credit = lte != nil || currency != nil
                let usage = meter != nil || gte != nil
                switch kind {
                case .creditBalanceThreshold:
                    guard lte != nil, currency != nil, !usage else {
                        throw LedgerError.invalidRequest(
                            "credit_balance_threshold takes --lte and --currency (not --meter, --gte)", param: "lte")
                    }
                case .usageThreshold:
                    guard meter != nil, gte != nil, !credit else {
                        throw LedgerError.invalidRequest(
                            "usage_threshold takes --meter and --gte (not --lte, --currency)", param: "gte")
                    }
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                switch try type.value(param: "alert_type") {
                case .creditBalanceThreshold:
                    return AlertsCommand.output(
                        try ledger.createAlert(
                            .init(
                                id: created.typedID, customer: .init(customer),
                                lte: Money(amountMinor: lte!, currency: try Currency(code: currency!)), title: title)))
                case .usageThreshold:
                    return AlertsCommand.output(
                        try ledger.createUsageAlert(
                            .init(
                                id: created.typedID, customer: .init(customer), meter: .init(meter!),
                                gte: try ExactDecimal.quantity(gte!, param: "gte"),
                                recurrence: try recurrence.value(param: "recurrence"), title: title)))
                }
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
                        ["ID", "CUSTOMER", "FIRES AT", "STATUS", "TRIGGERED"],
                        alerts.map {
                            [
                                $0.id.rawValue, $0.customer.rawValue, AlertsCommand.threshold($0), $0.status.rawValue,
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

    /// `≤ 1.00 usd` (a credit balance), or `≥ 1000 on mtr_x per period` (a usage).
    static func threshold(_ a: Alert) -> String {
        if let lte = a.lte { return "≤ \(lte.formatted)" }
        guard let usage = a.usage else { return "" }
        let when = usage.recurrence == .perPeriod ? "per period" : "once"
        return "≥ \(usage.gte) on \(usage.meter) \(when)"
    }

    static func output(_ a: Alert) -> Output {
        Output(
            json: Shape.alert(a),
            human: Human.fields([
                ("id", a.id.rawValue), ("customer", a.customer.rawValue), ("fires at", threshold(a)),
                ("title", a.title), ("status", a.status.rawValue), ("triggered", a.triggered ? "yes" : "no"),
            ]))
    }
}
