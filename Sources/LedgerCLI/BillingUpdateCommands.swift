import ArgumentParser
import LedgerKit

extension SubscriptionsCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract:
                "Add, remove or requantify items from the next period on (no proration), or toggle cancel at period end."
        )
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The subscription's ID.") var id: String
        @Option(
            help:
                "PRICE or PRICE:QUANTITY to bill from the next period on (repeatable; same currency and interval; metered prices take no quantity, licensed default 1)."
        )
        var addItem: [String] = []
        @Option(help: "An item (si_…) to stop billing from the next period on (repeatable; one item must stay).")
        var removeItem: [String] = []
        @Option(help: "ITEM=QUANTITY: a licensed item's whole quantity ≥ 0 from the next period on (repeatable).")
        var itemQuantity: [String] = []
        @Option(help: "Whether the subscription ends at the current period's end (default: unchanged).")
        var cancelAtPeriodEnd: Choice<Toggle>?
        @OptionGroup var metadata: UpdateMetadataOptions

        /// `--item-quantity` as a map.
        /// - Throws: `invalid_request` for an item without `=`, a quantity that is not a whole
        ///   number ≥ 0, or an item given twice.
        func quantities() throws -> [SubscriptionItem.ID: Int64] {
            var result: [SubscriptionItem.ID: Int64] = [:]
            for text in itemQuantity {
                let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw LedgerError.invalidRequest(
                        "item quantity '\(text)' must be ITEM=QUANTITY", param: "item_quantities")
                }
                guard let quantity = Int64(parts[1]), quantity >= 0 else {
                    throw LedgerError.invalidRequest(
                        "item quantity '\(text)': the quantity must be a whole number ≥ 0", param: "item_quantities")
                }
                let item = SubscriptionItem.ID(parts[0])
                guard result[item] == nil else {
                    throw LedgerError.invalidRequest(
                        "item '\(item)' is given two quantities", param: "item_quantities")
                }
                result[item] = quantity
            }
            return result
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let update = SubscriptionUpdate(
                    addItems: try addItem.map { try SubscriptionsCommand.item($0, param: "add_items") },
                    removeItems: removeItem.map { .init($0) }, itemQuantities: try quantities(),
                    cancelAtPeriodEnd: try cancelAtPeriodEnd?.value(param: "cancel_at_period_end").bool,
                    metadata: try metadata.changes())
                return try SubscriptionsCommand.output(try ledger.updateSubscription(.init(id), update), ledger)
            }
        }
    }
}

extension InvoicesCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a draft invoice's description or metadata (drafts only).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice's ID.") var id: String
        @Option(help: "The new description (--description '' clears it; default: unchanged).") var description: String?
        @OptionGroup var metadata: UpdateMetadataOptions

        func run() throws {
            try Context(root: root).run { ledger in
                try InvoicesCommand.output(
                    try ledger.updateInvoice(.init(id), description: description, metadata: try metadata.changes()),
                    ledger)
            }
        }
    }
}

extension InvoiceItemsCommand {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a pending invoice item, or one on a draft (its totals recomputed).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The invoice item's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in
                let item = try ledger.deleteInvoiceItem(.init(id))
                return Output(
                    json: Shape.deleted(item.id.rawValue, object: "invoiceitem"), human: "deleted: \(item.id)")
            }
        }
    }
}
