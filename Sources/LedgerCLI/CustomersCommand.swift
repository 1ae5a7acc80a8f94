import ArgumentParser
import LedgerKit

struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "Create, show, list, update and delete customers.",
        subcommands: [Create.self, Show.self, List.self, Update.self, Delete.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a customer.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's name.") var name: String?
        @Option(help: "The customer's email.") var email: String?
        @OptionGroup var created: CreateOptions<Customer>

        func run() throws {
            try Context(root: root).run { ledger in
                let customer = try ledger.createCustomer(
                    .init(id: created.typedID, name: name, email: email, metadata: created.parsedMetadata()))
                return CustomersCommand.output(customer)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a customer.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The customer's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in
                CustomersCommand.output(try ledger.customer(.init(id)))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List customers, oldest first.")
        @ParentCommand var root: LedgerCommand
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .customers) }
                let customers = try ledger.customers()
                return Output(
                    json: .list(customers.map(Shape.customer)),
                    human: Human.table(
                        ["ID", "NAME", "EMAIL", "CREATED"],
                        customers.map { [$0.id.rawValue, $0.name ?? "", $0.email ?? "", Instant.format($0.created)] }))
            }
        }
    }

    static func output(_ c: Customer) -> Output {
        Output(
            json: Shape.customer(c),
            human: Human.fields([
                ("id", c.id.rawValue), ("name", c.name), ("email", c.email),
                ("created", Instant.format(c.created)), ("metadata", Human.metadata(c.metadata)),
            ]))
    }
}

struct ProductsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "products", abstract: "Create, show, list, update and archive products.",
        subcommands: [Create.self, Show.self, List.self, Update.self, Archive.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a product.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The product's name.") var name: String
        @Option(help: "A description shown to people.") var description: String?
        @OptionGroup var created: CreateOptions<Product>

        func run() throws {
            try Context(root: root).run { ledger in
                ProductsCommand.output(
                    try ledger.createProduct(
                        .init(
                            id: created.typedID, name: name, description: description,
                            metadata: created.parsedMetadata())))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a product.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The product's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in ProductsCommand.output(try ledger.product(.init(id))) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List products, oldest first.")
        @ParentCommand var root: LedgerCommand
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .products) }
                let products = try ledger.products()
                return Output(
                    json: .list(products.map(Shape.product)),
                    human: Human.table(
                        ["ID", "NAME", "ACTIVE", "CREATED"],
                        products.map {
                            [$0.id.rawValue, $0.name, $0.active ? "yes" : "no", Instant.format($0.created)]
                        }))
            }
        }
    }

    static func output(_ p: Product) -> Output {
        Output(
            json: Shape.product(p),
            human: Human.fields([
                ("id", p.id.rawValue), ("name", p.name), ("description", p.description),
                ("active", p.active ? "yes" : "no"), ("created", Instant.format(p.created)),
                ("metadata", Human.metadata(p.metadata)),
            ]))
    }
}
