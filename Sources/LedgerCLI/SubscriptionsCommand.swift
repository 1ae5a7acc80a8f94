import ArgumentParser
import LedgerKit

struct SubscriptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions", abstract: "Create, show, list, update and cancel subscriptions.",
        subcommands: [Create.self, Show.self, List.self, Update.self, Cancel.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Subscribe a customer to recurring prices; the first invoice is made at once.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "PRICE or PRICE:QUANTITY (repeatable; metered prices take no quantity, licensed default 1).")
        var item: [String] = []
        @Option(help: "Whether the first invoice lists metered items at zero (classic) or leaves them off.")
        var billingMode = Choice(Subscription.BillingMode.flexible)
        @Option(parsing: .unconditional, help: "Align periods to this instant (default: the start).")
        var billingCycleAnchor: String?
        @Option(parsing: .unconditional, help: "Start in the past at this instant.") var backdateStartDate: String?
        @Option(
            parsing: .unconditional, help: "Seconds after a period's end before its invoice finalizes.")
        var gracePeriod: Int64 = Limits.finalizationGraceSeconds
        @OptionGroup var collection: CollectionOptions
        @OptionGroup var created: CreateOptions<Subscription>

        func run() throws {
            try Context(root: root).run { ledger in
                let items = try item.map { try SubscriptionsCommand.item($0, param: "items") }
                let (subscription, invoice) = try ledger.createSubscription(
                    .init(
                        id: created.typedID, customer: .init(customer), items: items,
                        billingMode: try billingMode.value(param: "billing_mode"),
                        billingCycleAnchor: try billingCycleAnchor.map {
                            try Instant.parse($0, param: "billing_cycle_anchor")
                        },
                        backdateStartDate: try backdateStartDate.map {
                            try Instant.parse($0, param: "backdate_start_date")
                        },
                        graceSeconds: gracePeriod, metadata: try created.parsedMetadata(),
                        collection: try collection.value()))
                var output = try SubscriptionsCommand.output(subscription, ledger)
                if let invoice { output.human += "\n\nfirst invoice:\n" + (try InvoicesCommand.human(invoice)) }
                return output
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a subscription.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The subscription's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in
                try SubscriptionsCommand.output(try ledger.subscription(.init(id)), ledger)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List subscriptions, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's subscriptions.") var customer: String?
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .subscriptions, customer: customer) }
                let subs = try ledger.subscriptions(customer: customer.map { .init($0) })
                let context = try ShapeContext.load(ledger)
                return Output(
                    json: .list(subs.map { Shape.subscription($0, context) }),
                    human: Human.table(
                        ["ID", "CUSTOMER", "STATUS", "CURRENT PERIOD", "ITEMS"],
                        subs.map {
                            [
                                $0.id.rawValue, $0.customer.rawValue, $0.status.rawValue,
                                "\(Instant.format($0.currentPeriodStart)) → \(Instant.format($0.currentPeriodEnd))",
                                $0.items.map { $0.price.rawValue + ($0.quantity.map { ":\($0)" } ?? "") }.joined(
                                    separator: " "),
                            ]
                        }))
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel now (a final invoice bills usage to date) or at the period's end.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The subscription's ID.") var id: String
        @Flag(help: "End at the current period's end instead of now.") var atPeriodEnd = false

        func run() throws {
            try Context(root: root).run { ledger in
                let (subscription, invoice) = try ledger.cancelSubscription(.init(id), atPeriodEnd: atPeriodEnd)
                var output = try SubscriptionsCommand.output(subscription, ledger)
                if let invoice {
                    output.human += "\n\nfinal invoice (draft):\n" + (try InvoicesCommand.human(invoice))
                }
                return output
            }
        }
    }

    /// `PRICE` or `PRICE:QUANTITY` as an item.
    /// - Throws: `invalid_request` naming `param` for an empty price or a quantity that is not a
    ///   whole number ≥ 0 (`price:` has an empty quantity, refused, not none).
    static func item(_ text: String, param: String) throws -> SubscriptionParams.Item {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let price = parts.first, !price.isEmpty else {
            throw LedgerError.invalidRequest("item '\(text)' must be PRICE or PRICE:QUANTITY", param: param)
        }
        var quantity: Int64?
        if parts.count == 2 {
            guard let q = Int64(parts[1]), q >= 0 else {
                throw LedgerError.invalidRequest(
                    "item '\(text)': the quantity must be a whole number ≥ 0", param: param)
            }
            quantity = q
        }
        return .init(price: .init(price), quantity: quantity)
    }

    static func output(_ s: Subscription, _ ledger: Ledger) throws -> Output {
        Output(
            json: Shape.subscriptionWithNextPeriod(s, try ShapeContext.load(ledger)),
            human: Human.fields([
                ("id", s.id.rawValue), ("customer", s.customer.rawValue), ("status", s.status.rawValue),
                ("billing mode", s.billingMode.rawValue), ("currency", s.currency.code),
                ("every", s.intervalCount == 1 ? s.interval.rawValue : "\(s.intervalCount) \(s.interval.rawValue)s"),
                ("current period", "\(Instant.format(s.currentPeriodStart)) → \(Instant.format(s.currentPeriodEnd))"),
                ("anchor", Instant.format(s.billingCycleAnchor)),
                ("cancel at period end", s.cancelAtPeriodEnd ? "yes" : nil),
                ("ended", s.endedAt.map(Instant.format)),
                (
                    "items",
                    s.items.map { "\($0.id) \($0.price)" + ($0.quantity.map { " × \($0)" } ?? " (metered)") }.joined(
                        separator: ", ")
                ),
                (
                    "next period items",
                    s.nextPeriodItems.map { items in
                        items.map { "\($0.id) \($0.price)" + ($0.quantity.map { " × \($0)" } ?? " (metered)") }
                            .joined(separator: ", ")
                    }
                ),
            ]))
    }
}
