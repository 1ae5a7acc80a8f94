import ArgumentParser
import LedgerKit

struct MetersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meters",
        abstract: "Create, show, list, rename, deactivate and reactivate meters; list their event summaries.",
        subcommands: [
            Create.self, Show.self, List.self, Update.self, Deactivate.self, Reactivate.self,
            ListEventSummaries.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a meter.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "A name for people.") var displayName: String
        @Option(help: "The event name this meter aggregates (unique across meters).") var eventName: String
        @Option(help: "How events combine over a period.") var aggregation = Choice(Meter.Aggregation.sum)
        @Option(help: "Payload key naming the customer.") var customerKey: String =
            "stripe_customer_id"
        @Option(help: "Payload key holding the value.") var valueKey: String = "value"
        @OptionGroup var created: CreateOptions<Meter>

        func run() throws {
            try Context(root: root).run { ledger in
                let formula = try aggregation.value(param: "default_aggregation.formula")
                return MetersCommand.output(
                    try ledger.createMeter(
                        .init(
                            id: created.typedID, displayName: displayName, eventName: eventName, aggregation: formula,
                            customerKey: customerKey, valueKey: valueKey, metadata: created.parsedMetadata())))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a meter.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The meter's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in MetersCommand.output(try ledger.meter(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List meters, oldest first.")
        @ParentCommand var root: LedgerCommand
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .meters) }
                let meters = try ledger.meters()
                return Output(
                    json: .list(meters.map(Shape.meter)),
                    human: Human.table(
                        ["ID", "EVENT NAME", "AGGREGATION", "STATUS", "DISPLAY NAME"],
                        meters.map {
                            [$0.id.rawValue, $0.eventName, $0.aggregation.rawValue, $0.status.rawValue, $0.displayName]
                        }))
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Rename a meter (the only change allowed).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The meter's ID.") var id: String
        @Option(help: "The new display name.") var displayName: String

        func run() throws {
            try Context(root: root).run { ledger in
                MetersCommand.output(try ledger.updateMeter(.init(id), displayName: displayName))
            }
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deactivate",
            abstract: "Stop a meter accepting events and backing new prices.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The meter's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in MetersCommand.output(try ledger.deactivateMeter(.init(id))) }
        }
    }

    struct Reactivate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reactivate", abstract: "Let a deactivated meter accept events again.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The meter's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in MetersCommand.output(try ledger.reactivateMeter(.init(id))) }
        }
    }

    struct ListEventSummaries: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-event-summaries",
            abstract: "A meter's aggregated usage for a customer over a time range (as events summary).")
        @ParentCommand var root: LedgerCommand
        @OptionGroup var summary: SummaryOptions

        func run() throws {
            try Context(root: root).read { ledger in try summary.output(ledger) }
        }
    }

    static func output(_ m: Meter) -> Output {
        Output(
            json: Shape.meter(m),
            human: Human.fields([
                ("id", m.id.rawValue), ("display_name", m.displayName), ("event_name", m.eventName),
                ("aggregation", m.aggregation.rawValue), ("customer key", m.customerKey),
                ("value key", m.valueKey), ("status", m.status.rawValue),
                ("created", Instant.format(m.created)), ("metadata", Human.metadata(m.metadata)),
            ]))
    }
}
