import ArgumentParser
import LedgerKit

extension CustomersCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a customer's name, email or metadata.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The customer's ID.") var id: String
        @Option(help: "The new name (--name '' clears it; default: unchanged).") var name: String?
        @Option(help: "The new email (--email '' clears it; default: unchanged).") var email: String?
        @OptionGroup var metadata: UpdateMetadataOptions

        func run() throws {
            try Context(root: root).run { ledger in
                CustomersCommand.output(
                    try ledger.updateCustomer(
                        .init(id), .init(name: name, email: email, metadata: try metadata.changes())))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a customer nothing names yet (no invoice, grant, subscription, item or event).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The customer's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                let customer = try ledger.deleteCustomer(.init(id))
                return Output(
                    json: Shape.deleted(customer.id.rawValue, object: "customer"), human: "deleted: \(customer.id)")
            }
        }
    }
}

extension ProductsCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a product's name, description, active flag or metadata.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The product's ID.") var id: String
        @Option(help: "The new name (not empty; default: unchanged).") var name: String?
        @Option(help: "The new description (--description '' clears it; default: unchanged).") var description: String?
        @Option(
            help: "Whether the product is active; an inactive one's prices start no subscription (default: unchanged).")
        var active: Choice<Toggle>?
        @OptionGroup var metadata: UpdateMetadataOptions

        func run() throws {
            try Context(root: root).run { ledger in
                ProductsCommand.output(
                    try ledger.updateProduct(
                        .init(id),
                        .init(
                            name: name, description: description, active: try active?.value(param: "active").bool,
                            metadata: try metadata.changes())))
            }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "archive",
            abstract: "Archive a product (active false): its prices stay, but start or join no subscription.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The product's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in ProductsCommand.output(try ledger.archiveProduct(.init(id))) }
        }
    }
}

extension PricesCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a price's nickname, lookup key, active flag or metadata; its terms never change.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The price's ID.") var id: String
        @Option(help: "The new nickname (--nickname '' clears it; default: unchanged).") var nickname: String?
        @Option(help: "The new lookup key, unique among active prices (--lookup-key '' clears it; default: unchanged).")
        var lookupKey: String?
        @Flag(help: "Move --lookup-key from the active price holding it to this one (default: refuse a taken key).")
        var transferLookupKey = false
        @Option(
            help: "Whether the price is active; an inactive one starts or joins no subscription (default: unchanged).")
        var active: Choice<Toggle>?
        @OptionGroup var metadata: UpdateMetadataOptions

        func validate() throws {
            try Refusal.check(Self.self, root) {
                if transferLookupKey && (lookupKey ?? "").isEmpty {
                    throw LedgerError.invalidRequest("--transfer-lookup-key needs --lookup-key", param: "lookup_key")
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                PricesCommand.output(
                    try ledger.updatePrice(
                        .init(id),
                        .init(
                            nickname: nickname, lookupKey: lookupKey, transferLookupKey: transferLookupKey,
                            active: try active?.value(param: "active").bool, metadata: try metadata.changes())))
            }
        }
    }
}
