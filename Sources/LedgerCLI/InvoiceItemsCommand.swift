import ArgumentParser
import LedgerKit

struct InvoiceItemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice-items", abstract: "Create, list and delete one-off invoice items.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "An amount for a customer: pending (joins the next invoice) or on a draft.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "ISO 4217 currency code.") var currency: String
        @Option(parsing: .unconditional, help: "Whole minor units.") var amount: String?
        @Option(parsing: .unconditional, help: "Minor units per unit, up to 12 decimals; times --quantity.")
        var unitAmountDecimal: String?
        @Option(parsing: .unconditional, help: "A decimal quantity (with --unit-amount-decimal; default 1).")
        var quantity: String?
        @Option(help: "Shown on the invoice line.") var description: String?
        @Option(help: "Only this subscription's next invoice takes it.") var subscription: String?
        @Option(help: "A draft invoice to put it on now.") var invoice: String?
        @OptionGroup var created: CreateOptions<InvoiceItem>

        /// The amount flags as given: `--amount` alone, or `--unit-amount-decimal` with `--quantity`
        /// (1 when not given, as Stripe's `quantity` defaults).
        enum AmountFlags {
            case whole(String)
            case unitTimesQuantity(String, String)
        }

        /// Nil for any other combination of the three flags.
        var amountFlags: AmountFlags? {
            switch (amount, unitAmountDecimal, quantity) {
            case (let a?, nil, nil): .whole(a)
            case (nil, let u?, let q): .unitTimesQuantity(u, q ?? "1")
            default: nil
            }
        }

        func validate() throws {
            try Refusal.check(Self.self, root) {
                guard amountFlags != nil else {
                    throw LedgerError.invalidRequest(
                        "give --amount (amount), or --unit-amount-decimal (unit_amount_decimal) with an optional --quantity",
                        param: "amount")
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let value: InvoiceItemParams.Amount
                switch amountFlags {
                case .whole(let a):
                    value = .whole(try AmountInput.minorUnits(a, param: "amount"))
                case .unitTimesQuantity(let u, let q):
                    value = .unitTimesQuantity(
                        unitAmount: try ExactDecimal.unitAmount(u, param: "unit_amount_decimal"),
                        quantity: try ExactDecimal.quantity(q, param: "quantity"))
                case nil:
                    preconditionFailure("validate() refuses any other combination of the amount flags")
                }
                let item = try ledger.createInvoiceItem(
                    .init(
                        id: created.typedID, customer: .init(customer), currency: try Currency(code: currency),
                        amount: value, description: description, subscription: subscription.map { .init($0) },
                        invoice: invoice.map { .init($0) }, metadata: try created.parsedMetadata()))
                return InvoiceItemsCommand.output(item)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List invoice items, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's items.") var customer: String?
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .invoiceItems, customer: customer) }
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
