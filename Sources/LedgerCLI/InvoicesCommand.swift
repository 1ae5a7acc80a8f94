import ArgumentParser
import LedgerKit

struct InvoicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoices", abstract: "Create, show, list, preview, finalize, pay, void and delete invoices.",
        subcommands: [
            Create.self, Show.self, List.self, Update.self, Preview.self, Finalize.self, Pay.self, Void.self,
            MarkUncollectible.self, Delete.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a manual draft invoice.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "ISO 4217 currency (default: the pending items' one currency, else the active subscriptions').")
        var currency: String?
        @Option(help: "Whether the customer's pending invoice items join the invoice.")
        var pendingItems = Choice(PendingItems.exclude)
        @Option(help: "A description shown on the invoice.") var description: String?
        @OptionGroup var collection: CollectionOptions
        @Flag(help: "Finalize it automatically an hour after creation (Stripe's auto_advance).")
        var autoAdvance = false
        @OptionGroup var created: CreateOptions<Invoice>

        /// `pending_invoice_items_behavior`.
        enum PendingItems: String, CaseIterable, Sendable {
            case include, exclude
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let pending = try pendingItems.value(
                    or: .invalidRequest(
                        "--pending-items must be include or exclude", param: "pending_invoice_items_behavior"))
                return try InvoicesCommand.output(
                    try ledger.createInvoice(
                        customer: .init(customer), currency: try currency.map { try Currency(code: $0) },
                        includePending: pending == .include, description: description, id: created.typedID,
                        metadata: try created.parsedMetadata(), collection: try collection.value(),
                        autoAdvance: autoAdvance),
                    ledger)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show an invoice with its lines.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in try InvoicesCommand.output(try ledger.invoice(.init(id)), ledger) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List invoices, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's invoices.") var customer: String?
        @Option(help: "Only invoices in this status.") var status: Choice<Invoice.Status>?
        @Option(help: "Only this subscription's invoices.") var subscription: String?
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv {
                    var filters: [String: String] = [:]
                    if let status = try status?.value(param: "status") { filters["status"] = status.rawValue }
                    if let subscription { filters["subscription_id"] = subscription }
                    return try listFormat.write(ledger, .invoices, customer: customer, where: filters)
                }
                let invoices = try ledger.invoices(
                    customer: customer.map { .init($0) },
                    status: try status?.value(param: "status"),
                    subscription: subscription.map { .init($0) })
                let context = try ShapeContext.load(ledger, invoices: invoices)
                return Output(
                    json: .list(invoices.map { Shape.invoice($0, context) }),
                    human: Human.table(
                        ["ID", "NUMBER", "CUSTOMER", "STATUS", "PERIOD", "TOTAL", "DUE"],
                        invoices.map { i in
                            [
                                i.id.rawValue, i.number ?? "(draft)", i.customer.rawValue, i.status.rawValue,
                                "\(Instant.format(i.periodStart)) → \(Instant.format(i.periodEnd))",
                                MoneyFormat.text(i.total, i.currency), MoneyFormat.text(i.amountDue, i.currency),
                            ]
                        }))
            }
        }
    }

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preview",
            abstract: "The upcoming invoice of a subscription as of now; writes nothing.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The subscription's ID.") var subscription: String

        func run() throws {
            try Context(root: root).read { ledger in
                try InvoicesCommand.output(
                    try ledger.previewInvoice(subscription: .init(subscription)), ledger, preview: true)
            }
        }
    }

    struct Finalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finalize", abstract: "Finalize a draft: number, journal, frozen.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String
        @Flag(help: "Record auto_advance on the finalized invoice (Stripe's finalize parameter).")
        var autoAdvance = false

        func run() throws {
            try Context(root: root).run { ledger in
                try InvoicesCommand.output(
                    try ledger.finalizeInvoice(.init(id), autoAdvance: autoAdvance ? true : nil), ledger)
            }
        }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pay", abstract: "Record an out-of-band payment of an open invoice.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try InvoicesCommand.output(try ledger.payInvoice(.init(id)), ledger)
            }
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void", abstract: "Void an open or uncollectible invoice.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                try InvoicesCommand.output(try ledger.voidInvoice(.init(id)), ledger)
            }
        }
    }

    struct MarkUncollectible: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-uncollectible", abstract: "Write an open invoice off as uncollectible.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                try InvoicesCommand.output(try ledger.markUncollectible(.init(id)), ledger)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a draft invoice; its items become pending.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                let invoice = try ledger.deleteInvoice(.init(id))
                return Output(
                    json: Shape.deleted(invoice.id.rawValue, object: "invoice"), human: "deleted: \(invoice.id)")
            }
        }
    }

    /// The invoice for people: its head, each line with the credits applied to it (grant and
    /// credit balance transaction), and the totals, every amount in major units with its currency.
    /// - Throws: `amount_overflow` if the credits applied do not sum within 64 bits (they never
    ///   exceed the subtotal, so this is a broken invariant, reported rather than trapped).
    static func human(_ i: Invoice) throws -> String {
        let money = { (amount: Int64) in MoneyFormat.text(amount, i.currency) }
        let head = Human.fields([
            ("id", i.id.rawValue), ("number", i.number ?? "(draft)"), ("customer", i.customer.rawValue),
            ("subscription", i.subscription?.rawValue), ("reason", i.billingReason.rawValue),
            ("status", i.status.rawValue),
            ("period", "\(Instant.format(i.periodStart)) → \(Instant.format(i.periodEnd))"),
            ("finalizes at", i.status == .draft ? i.finalizesAt.map(Instant.format) : nil),
        ])
        let lines = Human.table(
            ["DESCRIPTION", "QUANTITY", "PERIOD", "AMOUNT"],
            i.lines.flatMap { l in
                [
                    [
                        l.description ?? "", l.quantity.description,
                        "\(Instant.format(l.periodStart).prefix(10)) → \(Instant.format(l.periodEnd).prefix(10))",
                        money(l.amount),
                    ]
                ]
                    + l.creditAmounts.map { c in
                        // A preview's credits are provisional: no balance transaction exists yet.
                        ["  credit from \(c.grant) (\(c.transaction ?? "provisional"))", "", "", money(-c.amount)]
                    }
            })
        let credits = i.creditAmounts
        let totals = Human.fields([
            ("subtotal", money(i.subtotal)),
            ("credits", credits.isEmpty ? nil : money(-(try MinorUnits.sum(credits.map(\.amount))))),
            ("total", money(i.total)), ("amount due", money(i.amountDue)),
            ("amount paid", money(i.amountPaid)), ("amount remaining", money(i.amountRemaining)),
        ])
        return head + "\n" + lines + "\n" + totals
    }

    /// The invoice as `--json` and people read it (`preview`: Stripe's upcoming invoice).
    static func output(_ i: Invoice, _ ledger: Ledger, preview: Bool = false) throws -> Output {
        Output(
            json: Shape.invoice(i, try ShapeContext.load(ledger, invoices: [i]), preview: preview),
            human: try human(i))
    }
}
