import ArgumentParser
import LedgerKit

/// `ledger events-feed list`: the event feed, the embedded webhook (README: The event feed).
struct FeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events-feed", abstract: "List the event feed: every state change, in commit order.",
        subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Events after a cursor, oldest first, each with its object as it was.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The ID of the last event handled (default: from the first).") var after: String?
        @Option(help: "Only events of this type (repeatable).") var type: [Choice<FeedEvent.Kind>] = []
        @Option(parsing: .unconditional, help: "At most this many events (1 to 100).") var limit = 100

        func run() throws {
            try Context(root: root).read { ledger in
                let kinds = try type.isEmpty ? nil : type.map { try $0.value(param: "type") }
                let events = try ledger.feed(after: after.map { .init($0) }, kinds: kinds, limit: limit)
                let more = try events.last.map { !(try ledger.feed(after: $0.id, kinds: kinds, limit: 1)).isEmpty }
                // One context for the page: the prices, items and subscriptions its invoices name.
                let invoices = events.compactMap { event -> Invoice? in
                    guard case .invoice(let invoice) = event.object else { return nil }
                    return invoice
                }
                let context = try ShapeContext.load(ledger, invoices: invoices)
                return Output(
                    json: .object([
                        ("object", .string("list")),
                        ("data", .array(try events.map { try Shape.event($0, context, ledger) })),
                        ("has_more", .bool(more ?? false)),
                    ]),
                    human: Human.table(
                        ["ID", "TYPE", "CREATED", "OBJECT"],
                        events.map { [$0.id.rawValue, $0.kind.rawValue, Instant.format($0.created), $0.object.id] }))
            }
        }
    }
}

extension Shape {
    /// Stripe's `event`: `data.object` is the object as it was when the change happened (a
    /// grant's balance as of that instant).
    static func event(_ e: FeedEvent, _ context: ShapeContext, _ ledger: Ledger) throws -> JSON {
        let object: JSON
        switch e.object {
        case .customer(let c): object = customer(c)
        case .subscription(let s): object = subscription(s, context)
        case .invoice(let i): object = invoice(i, context)
        case .grant(let g): object = grant(g, totals: try ledger.grantTotals(g.id, asOf: e.created))
        case .alert(let a): object = alertCrossing(a)
        }
        return .object([
            ("id", .string(e.id.rawValue)), ("object", .string("event")), ("created", .int(e.created)),
            ("data", .object([("object", object)])), ("livemode", .bool(false)), ("type", .string(e.kind.rawValue)),
        ])
    }
}
