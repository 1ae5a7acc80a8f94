import ArgumentParser
import Foundation
import LedgerKit

struct SubscriptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions", abstract: "Create, show, list and cancel subscriptions.",
        subcommands: [Create.self, Show.self, List.self, Cancel.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a customer to recurring prices; the first invoice is made at once.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "PRICE or PRICE:QUANTITY (repeatable; metered prices take no quantity).") var item: [String] = []
        @Option(help: "flexible (default) or classic.") var billingMode: String = "flexible"
        @Option(parsing: .unconditional, help: "Align periods to this instant (default: the start).")
        var billingCycleAnchor: String?
        @Option(parsing: .unconditional, help: "Start in the past at this instant.") var backdateStartDate: String?
        @Option(
            parsing: .unconditional, help: "Seconds after a period's end before its invoice finalizes (default 3600).")
        var gracePeriod: Int64 = Limits.finalizationGraceSeconds
        @Option(help: "Your own ID for the subscription (default: sub_ and random characters).") var id: String?
        @Option(help: "A key=value pair to store on the subscription (repeatable).") var metadata: [String] = []

        func run() throws {
            try Context(root: root).run { ledger in
                let items = try item.map { text -> SubscriptionParams.Item in
                    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                    guard let price = parts.first, !price.isEmpty else {
                        throw LedgerError.invalidRequest(
                            "item '\(text)' must be PRICE or PRICE:QUANTITY", param: "items")
                    }
                    var quantity: Int64?
                    if parts.count == 2 {
                        guard let q = Int64(parts[1]), q >= 0 else {
                            throw LedgerError.invalidRequest(
                                "item '\(text)': the quantity must be a whole number ≥ 0", param: "items")
                        }
                        quantity = q
                    }
                    return .init(price: .init(price), quantity: quantity)
                }
                let (subscription, invoice) = try ledger.createSubscription(
                    .init(
                        id: id, customer: .init(customer), items: items,
                        billingMode: try PricesCommand.choice(
                            Subscription.BillingMode.self, billingMode, "billing_mode"),
                        billingCycleAnchor: try billingCycleAnchor.map {
                            try Instant.parse($0, param: "billing_cycle_anchor")
                        },
                        backdateStartDate: try backdateStartDate.map {
                            try Instant.parse($0, param: "backdate_start_date")
                        },
                        graceSeconds: gracePeriod, metadata: try KeyValues.metadata(metadata)))
                var output = SubscriptionsCommand.output(subscription)
                if let invoice { output.human += "\n\nfirst invoice:\n" + (try InvoicesCommand.human(invoice)) }
                return output
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a subscription.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The subscription's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in SubscriptionsCommand.output(try ledger.subscription(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List subscriptions, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's subscriptions.") var customer: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let subs = try ledger.subscriptions(customer: customer.map { .init($0) })
                return Output(
                    json: .list(subs.map(Shape.subscription)),
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
            abstract: "Cancel now (a final invoice bills usage to date) or at the period's end.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The subscription's ID.") var id: String
        @Flag(help: "End at the current period's end instead of now.") var atPeriodEnd = false

        func run() throws {
            try Context(root: root).run { ledger in
                let (subscription, invoice) = try ledger.cancelSubscription(.init(id), atPeriodEnd: atPeriodEnd)
                var output = SubscriptionsCommand.output(subscription)
                if let invoice {
                    output.human += "\n\nfinal invoice (draft):\n" + (try InvoicesCommand.human(invoice))
                }
                return output
            }
        }
    }

    static func output(_ s: Subscription) -> Output {
        Output(
            json: Shape.subscription(s),
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
            ]))
    }
}

struct InvoiceItemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice-items", abstract: "Create and list one-off invoice items.",
        subcommands: [Create.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An amount for a customer: pending (joins the next invoice) or on a draft.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "ISO 4217 currency code.") var currency: String
        @Option(parsing: .unconditional, help: "Whole minor units.") var amount: String?
        @Option(parsing: .unconditional, help: "Minor units per unit, up to 12 decimals (with --quantity).")
        var unitAmountDecimal: String?
        @Option(parsing: .unconditional, help: "A decimal quantity (with --unit-amount-decimal).") var quantity: String?
        @Option(help: "Shown on the invoice line.") var description: String?
        @Option(help: "Only this subscription's next invoice takes it.") var subscription: String?
        @Option(help: "A draft invoice to put it on now.") var invoice: String?
        @Option(help: "Your own ID for the item (default: ii_ and random characters).") var id: String?
        @Option(help: "A key=value pair to store on the item (repeatable).") var metadata: [String] = []

        func run() throws {
            try Context(root: root).run { ledger in
                let value: InvoiceItemParams.Amount
                switch (amount, unitAmountDecimal, quantity) {
                case (let a?, nil, nil):
                    value = .whole(try AmountInput.minorUnits(a, param: "amount"))
                case (nil, let u?, let q?):
                    value = .unitTimesQuantity(
                        unitAmount: try ExactDecimal.unitAmount(u, param: "unit_amount_decimal"),
                        quantity: try ExactDecimal.quantity(q, param: "quantity"))
                default:
                    throw LedgerError.invalidRequest(
                        "give --amount, or --unit-amount-decimal with --quantity", param: "amount")
                }
                let item = try ledger.createInvoiceItem(
                    .init(
                        id: id, customer: .init(customer), currency: try Currency(code: currency), amount: value,
                        description: description, subscription: subscription.map { .init($0) },
                        invoice: invoice.map { .init($0) }, metadata: try KeyValues.metadata(metadata)))
                return InvoiceItemsCommand.output(item)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List invoice items, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's items.") var customer: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let items = try ledger.invoiceItems(customer: customer.map { .init($0) })
                return Output(
                    json: .list(items.map(Shape.invoiceItem)),
                    human: Human.table(
                        ["ID", "CUSTOMER", "AMOUNT", "INVOICE", "DESCRIPTION"],
                        items.map {
                            [
                                $0.id.rawValue, $0.customer.rawValue, MoneyFormat.text($0.amount, $0.currency),
                                $0.invoice?.rawValue ?? "(pending)", $0.description ?? "",
                            ]
                        }))
            }
        }
    }

    static func output(_ ii: InvoiceItem) -> Output {
        Output(
            json: Shape.invoiceItem(ii),
            human: Human.fields([
                ("id", ii.id.rawValue), ("customer", ii.customer.rawValue),
                ("amount", MoneyFormat.text(ii.amount, ii.currency)), ("quantity", ii.quantity.description),
                ("unit amount", ii.unitAmount.map { MoneyFormat.text(exactMinor: $0, ii.currency) + " / unit" }),
                ("description", ii.description), ("invoice", ii.invoice?.rawValue ?? "(pending)"),
                ("subscription", ii.subscription?.rawValue),
            ]))
    }
}

struct InvoicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoices", abstract: "Create, show, list, preview, finalize, pay, void and delete invoices.",
        subcommands: [
            Create.self, Show.self, List.self, Preview.self, Finalize.self, Pay.self, Void.self,
            MarkUncollectible.self, Delete.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a manual draft invoice.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "ISO 4217 currency (default: that of the pending items, with --pending-items include).")
        var currency: String?
        @Option(help: "include or exclude (default) the customer's pending invoice items.") var pendingItems: String =
            "exclude"
        @Option(help: "A description shown on the invoice.") var description: String?
        @Option(help: "Your own ID for the invoice (default: in_ and random characters).") var id: String?
        @Option(help: "A key=value pair to store on the invoice (repeatable).") var metadata: [String] = []

        func run() throws {
            try Context(root: root).run { ledger in
                guard pendingItems == "include" || pendingItems == "exclude" else {
                    throw LedgerError.invalidRequest(
                        "--pending-items must be include or exclude", param: "pending_invoice_items_behavior")
                }
                return try InvoicesCommand.output(
                    try ledger.createInvoice(
                        customer: .init(customer), currency: try currency.map { try Currency(code: $0) },
                        includePending: pendingItems == "include", description: description, id: id,
                        metadata: try KeyValues.metadata(metadata)))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an invoice with its lines.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in try InvoicesCommand.output(try ledger.invoice(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List invoices, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's invoices.") var customer: String?
        @Option(help: "Only invoices in this status.") var status: String?
        @Option(help: "Only this subscription's invoices.") var subscription: String?

        func run() throws {
            try Context(root: root).read { ledger in
                let invoices = try ledger.invoices(
                    customer: customer.map { .init($0) },
                    status: try status.map { try PricesCommand.choice(Invoice.Status.self, $0, "status") },
                    subscription: subscription.map { .init($0) })
                return Output(
                    json: .list(invoices.map(Shape.invoice)),
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
            abstract: "The upcoming invoice of a subscription as of now; writes nothing.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The subscription's ID.") var subscription: String

        func run() throws {
            try Context(root: root).read { ledger in
                try InvoicesCommand.output(try ledger.previewInvoice(subscription: .init(subscription)))
            }
        }
    }

    struct Finalize: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Finalize a draft: number, journal, frozen.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try InvoicesCommand.output(try ledger.finalizeInvoice(.init(id))) }
        }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an out-of-band payment of an open invoice.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try InvoicesCommand.output(try ledger.payInvoice(.init(id))) }
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Void an open or uncollectible invoice.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try InvoicesCommand.output(try ledger.voidInvoice(.init(id))) }
        }
    }

    struct MarkUncollectible: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-uncollectible", abstract: "Write an open invoice off as uncollectible.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                try InvoicesCommand.output(try ledger.markUncollectible(.init(id)))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a draft invoice; its items become pending.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                let invoice = try ledger.deleteInvoice(.init(id))
                return Output(
                    json: .object([
                        ("id", .string(invoice.id.rawValue)), ("object", .string("invoice")), ("deleted", .bool(true)),
                    ]),
                    human: "deleted: \(invoice.id)")
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

    static func output(_ i: Invoice) throws -> Output {
        Output(json: Shape.invoice(i), human: try human(i))
    }
}

struct BillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill",
        abstract: "The billing run: close due periods and finalize due drafts, in time order, up to a time.")
    @ParentCommand var root: LedgerCommand
    @Option(parsing: .unconditional, help: "Process everything due up to this instant (default: now).")
    var until: String?

    func run() throws {
        let until: Int64?
        do {
            until = try self.until.map { try Instant.parse($0, param: "until") }
        } catch let error as LedgerError {
            Context(root: root).fail(error)
        }
        // Under a test clock, billing up to T moves the clock to T; on the system clock a T after
        // now is refused by the library (a period that has not ended is never billed).
        try Context(root: root, advanceTestClockTo: until).run { ledger in
            let terminal = isatty(STDERR_FILENO) == 1
            let report = try ledger.bill(until: until) { report in
                guard terminal else { return }
                let line = "\r\(report.invoicesCreated) invoices created, \(report.invoicesFinalized) finalized"
                FileHandle.standardError.write(Data(line.utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            let failures = report.failures.map { f in
                "FAILED \(f.invoice) of \(f.customer) at \(Instant.format(f.at)): \(f.code.rawValue): \(f.message)"
            }
            return Output(
                json: .object([
                    ("object", .string("billing_run")), ("invoices_created", .int(Int64(report.invoicesCreated))),
                    ("invoices_finalized", .int(Int64(report.invoicesFinalized))),
                    ("subscriptions_ended", .int(Int64(report.subscriptionsEnded))),
                    ("grants_expired", .int(Int64(report.grantsExpired))),
                    (
                        "invoices_failed",
                        .array(
                            report.failures.map { f in
                                .object([
                                    ("invoice", .string(f.invoice.rawValue)),
                                    ("customer", .string(f.customer.rawValue)),
                                    ("at", .int(f.at)), ("code", .string(f.code.rawValue)),
                                    ("message", .string(f.message)),
                                ])
                            })
                    ),
                ]),
                human: ([
                    "\(report.invoicesCreated) invoices created, \(report.invoicesFinalized) finalized, \(report.subscriptionsEnded) subscriptions ended, \(report.failures.count) failed"
                ] + failures).joined(separator: "\n")
            )
        }
    }
}
