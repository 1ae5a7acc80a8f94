import ArgumentParser
import LedgerKit

struct GrantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants", abstract: "Create, show, list, update, void and expire credit grants.",
        subcommands: [Create.self, Show.self, List.self, Update.self, Void.self, Expire.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Grant prepaid or promotional credit for metered usage.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(parsing: .unconditional, help: "The face value in minor units (> 0).") var amount: String
        @Option(help: "ISO 4217 currency code.") var currency: String
        @Option(help: "Paid (prepaid, sold by an invoice) or promotional (given).")
        var category = Choice(CreditGrant.Category.paid)
        @OptionGroup var scopeOptions: ScopeOptions
        @Option(parsing: .unconditional, help: "0 (applied first) to 100.") var priority: Int = 50
        @Option(parsing: .unconditional, help: "When it becomes usable (default now).") var effectiveAt: String?
        @Option(parsing: .unconditional, help: "When its remaining balance expires (default never).")
        var expiresAt: String?
        @Option(help: "A name for people.") var name: String?
        @Option(
            parsing: .unconditional,
            help: "What the customer paid for a paid grant, in minor units (default: the face value).")
        var costBasis: String?
        @Option(help: "The invoice that sold a paid grant.") var fundingInvoice: String?
        @OptionGroup var created: CreateOptions<CreditGrant>

        func validate() throws {
            try Refusal.check(Self.self, root) { _ = try scopeOptions.scope() }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                let scope = try scopeOptions.scope()
                let grant = try ledger.createGrant(
                    .init(
                        id: created.typedID, customer: .init(customer),
                        amount: Money(
                            amountMinor: try AmountInput.minorUnits(amount, param: "amount", allowZero: false),
                            currency: try Currency(code: currency)),
                        category: try category.value(param: "category"),
                        scope: scope,
                        priority: priority,
                        effectiveAt: try effectiveAt.map { try Instant.parse($0, param: "effective_at") },
                        expiresAt: try expiresAt.map { try Instant.parse($0, param: "expires_at") }, name: name,
                        costBasis: try costBasis.map { try AmountInput.minorUnits($0, param: "cost_basis") },
                        fundingInvoice: fundingInvoice.map { .init($0) }, metadata: try created.parsedMetadata()))
                return try GrantsCommand.output(grant, ledger)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a grant and its balance.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The grant's ID.") var id: String

        func run() throws {
            try Context(root: root).read { ledger in try GrantsCommand.output(try ledger.grant(.init(id)), ledger) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List grants, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "Only this customer's grants.") var customer: String?
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv { return try listFormat.write(ledger, .creditGrants, customer: customer) }
                let grants = try ledger.grants(customer: customer.map { .init($0) })
                let totals = try grants.map { try ledger.grantTotals($0.id) }
                return Output(
                    json: .list(zip(grants, totals).map { Shape.grant($0, totals: $1) }),
                    human: Human.table(
                        ["ID", "CUSTOMER", "CATEGORY", "PRIORITY", "GRANTED", "REMAINING", "EFFECTIVE", "EXPIRES"],
                        zip(grants, totals).map { g, t in
                            [
                                g.id.rawValue, g.customer.rawValue, g.category.rawValue, "\(g.priority)",
                                MoneyFormat.text(t.granted, g.amount.currency),
                                MoneyFormat.text(t.remaining, g.amount.currency), Instant.format(g.effectiveAt),
                                g.expiresAt.map(Instant.format) ?? "never",
                            ]
                        }))
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a grant's expiry or metadata (nothing else changes).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The grant's ID.") var id: String
        @Option(parsing: .unconditional, help: "A new expiry, or 'never'.") var expiresAt: String?
        @Option(help: "A key=value pair replacing the metadata (repeatable).") var metadata: [String] = []

        func validate() throws {
            try Refusal.check(Self.self, root) {
                guard expiresAt != nil || !metadata.isEmpty else {
                    throw LedgerError.invalidRequest("give --expires-at or --metadata", param: "expires_at")
                }
            }
        }

        func run() throws {
            try Context(root: root).run { ledger in
                var expiry: Int64??
                if let expiresAt {
                    expiry =
                        expiresAt == "never" ? .some(nil) : .some(try Instant.parse(expiresAt, param: "expires_at"))
                }
                let grant = try ledger.updateGrant(
                    .init(id), expiresAt: expiry, metadata: metadata.isEmpty ? nil : try KeyValues.metadata(metadata))
                return try GrantsCommand.output(grant, ledger)
            }
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void", abstract: "Void a grant that was never applied.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The grant's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try GrantsCommand.output(try ledger.voidGrant(.init(id)), ledger) }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "expire", abstract: "Expire a grant's remaining balance now.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The grant's ID.") var id: String

        func run() throws {
            try Context(root: root).run { ledger in try GrantsCommand.output(try ledger.expireGrant(.init(id)), ledger)
            }
        }
    }

    static func output(_ g: CreditGrant, _ ledger: Ledger) throws -> Output {
        let t = try ledger.grantTotals(g.id)
        let scope: String
        switch g.scope {
        case .metered: scope = "every metered price"
        case .prices(let prices): scope = prices.map(\.rawValue).joined(separator: ", ")
        }
        let money = { (amount: Int64) in MoneyFormat.text(amount, g.amount.currency) }
        return Output(
            json: Shape.grant(g, totals: t),
            human: Human.fields([
                ("id", g.id.rawValue), ("customer", g.customer.rawValue), ("name", g.name),
                ("amount", g.amount.formatted),
                ("category", g.category.rawValue), ("scope", scope), ("priority", "\(g.priority)"),
                ("effective", Instant.format(g.effectiveAt)), ("expires", g.expiresAt.map(Instant.format) ?? "never"),
                ("cost basis", g.costBasis.map(money)), ("funding invoice", g.fundingInvoice?.rawValue),
                ("voided at", g.voidedAt.map(Instant.format)), ("allowance", g.allowance?.rawValue),
                (
                    "covers",
                    g.coverage.map {
                        "periods ending after \(Instant.format($0.after)) through \(Instant.format($0.through))"
                    }
                ),
                ("rolled over from", g.rolledOverFrom?.rawValue),
                ("granted", money(t.granted)), ("applied", money(t.applied)), ("reinstated", money(t.reinstated)),
                ("expired", money(t.expired)), ("voided", money(t.voided)), ("remaining", money(t.remaining)),
            ]))
    }
}

struct CreditTransactionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit-transactions", abstract: "List credit balance transactions.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "A customer's credit balance transactions, oldest first.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The customer's ID.") var customer: String
        @Option(help: "Only this grant's transactions.") var grant: String?
        @Option(help: "Transactions effective at or before this instant (default now).") var asOf: String?
        @OptionGroup var listFormat: ListFormatOptions

        func run() throws {
            try Context(root: root).read { ledger in
                if try listFormat.csv {
                    let asOf = try asOf.map { try Instant.parse($0, param: "as_of") } ?? ledger.now
                    return try listFormat.write(
                        ledger, .creditTransactions, customer: customer, to: asOf + 1,
                        where: grant.map { ["grant_id": $0] } ?? [:])
                }
                let transactions = try ledger.creditTransactions(
                    customer: .init(customer), grant: grant.map { .init($0) },
                    asOf: try asOf.map { try Instant.parse($0, param: "as_of") })
                return Output(
                    json: .list(transactions.map(Shape.creditTransaction)),
                    human: Human.table(
                        ["ID", "GRANT", "TYPE", "KIND", "AMOUNT", "EFFECTIVE", "INVOICE"],
                        transactions.map { t in
                            [
                                t.id.rawValue, t.grant.rawValue, t.kind.type, t.kind.rawValue,
                                t.amount.formatted,
                                Instant.format(t.effectiveAt), t.invoice?.rawValue ?? "",
                            ]
                        }))
            }
        }
    }
}

struct BalanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance",
        abstract: "A customer's credit balance and receivable as of an instant, or journal account balances.")
    @ParentCommand var root: LedgerCommand
    @Option(help: "The customer's ID.") var customer: String?
    @Option(help: "Only this grant.") var grant: String?
    @Option(help: "Only grants that can pay this price.") var scopePrice: String?
    @Option(parsing: .unconditional, help: "The instant (default now).") var asOf: String?
    @Flag(help: "Journal account balances as a tree with subtotals, like hledger's balance --tree.")
    var accounts = false
    @Option(help: "With --accounts: show accounts down to this level (1 is the roots; default: all), deeper summed in.")
    var depth: Int?
    @Flag(help: "With --accounts: a flat list of accounts with their own balances.") var flat = false
    @Flag(help: "Also what the open periods' usage so far would take of the credit if invoiced now.")
    var live = false

    func validate() throws {
        try Refusal.check(Self.self, root) {
            guard accounts || customer != nil else {
                throw LedgerError.invalidRequest(
                    "give --customer (or --accounts for journal balances)", param: "customer")
            }
            if let depth, depth < 1 { throw LedgerError.invalidRequest("--depth must be 1 or more", param: "depth") }
            if (depth != nil || flat) && !accounts {
                throw LedgerError.invalidRequest("--depth and --flat go with --accounts", param: "accounts")
            }
            if live && (accounts || asOf != nil || grant != nil || scopePrice != nil) {
                throw LedgerError.invalidRequest(
                    "--live is the balance now of every grant: not with --accounts, --as-of, --grant or --scope-price",
                    param: "live")
            }
        }
    }

    func run() throws {
        try Context(root: root).read { ledger in
            let instant = try asOf.map { try Instant.parse($0, param: "as_of") }
            if accounts {
                let balances = try ledger.accountBalances(asOf: instant).map {
                    BalanceTree.Balance(account: $0.account, currency: $0.currency, amountMinor: $0.amountMinor)
                }
                return Output(
                    json: .list(try BalanceTree.clipped(balances, depth: depth).map(Shape.accountBalance)),
                    human: Human.escapingControls(
                        try BalanceTree.text(balances, depth: depth, flat: flat), keepingLineBreaks: true))
            }
            guard let customer else { preconditionFailure("validate() refuses balance without --customer") }
            if live { return try liveOutput(ledger, customer: customer) }
            let balances = try ledger.creditBalances(
                customer: .init(customer), grant: grant.map { .init($0) }, price: scopePrice.map { .init($0) },
                asOf: instant)
            let receivable = try ledger.balance(of: .receivable(.init(customer)), asOf: instant)
            let credit = Dictionary(uniqueKeysWithValues: balances.map { ($0.currency, $0) })
            let currencies = Set(credit.keys).union(receivable.keys).sorted()
            return Output(
                json: Shape.creditBalanceSummary(
                    customer: customer, balances, receivable: receivable, asOf: try instant ?? ledger.now),
                human: Human.table(
                    ["CURRENCY", "LEDGER BALANCE", "AVAILABLE BALANCE", "RECEIVABLE"],
                    currencies.map { currency in
                        [
                            currency.code, MoneyFormat.text(credit[currency]?.ledgerBalance ?? 0, currency),
                            MoneyFormat.text(credit[currency]?.availableBalance ?? 0, currency),
                            MoneyFormat.text(receivable[currency] ?? 0, currency),
                        ]
                    }))
        }
    }
}

extension BalanceCommand {
    /// `balance --live`: the balance now, the open periods' usage so far, the credit it would take.
    func liveOutput(_ ledger: Ledger, customer: String) throws -> Output {
        let live = try ledger.liveBalances(customer: .init(customer))
        let receivable = try ledger.balance(of: .receivable(.init(customer)), asOf: live.asOf)
        let byCurrency = Dictionary(uniqueKeysWithValues: live.balances.map { ($0.balance.currency, $0) })
        let currencies = Set(byCurrency.keys).union(receivable.keys).sorted()
        let table = Human.table(
            [
                "CURRENCY", "LEDGER BALANCE", "AVAILABLE BALANCE", "UNBILLED USAGE", "PENDING CREDIT",
                "AVAILABLE AFTER USAGE", "RECEIVABLE",
            ],
            currencies.map { currency in
                let b = byCurrency[currency]
                return [
                    currency.code, MoneyFormat.text(b?.balance.ledgerBalance ?? 0, currency),
                    MoneyFormat.text(b?.balance.availableBalance ?? 0, currency),
                    MoneyFormat.text(b?.unbilledUsage ?? 0, currency),
                    MoneyFormat.text(b?.pendingCredit ?? 0, currency),
                    MoneyFormat.text(b?.availableAfterUsage ?? 0, currency),
                    MoneyFormat.text(receivable[currency] ?? 0, currency),
                ]
            })
        return Output(
            json: Shape.creditBalanceSummary(
                customer: customer, live.balances.map(\.balance), receivable: receivable, asOf: live.asOf, live: live),
            human: table + "\nlatest meter event: " + (live.latestMeterEvent.map(Instant.format) ?? "none"))
    }
}

/// A grant's or an allowance's scope: `--scope metered` or `--scope-price PRICE…`, exactly one.
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("scope"), help: "The scope's price type: every metered price.")
    var scopeType: Choice<ScopeType>?
    @Option(help: "A metered price it applies to (repeatable, at most 20).") var scopePrice: [String] = []

    /// `applicability_config.scope.price_type`: Stripe's one price type.
    enum ScopeType: String, CaseIterable, Sendable {
        case metered
    }

    /// - Throws: `invalid_request` for another `--scope`, both, or neither.
    func scope() throws -> CreditGrant.Scope {
        let metered = scopeType != nil
        if let scopeType {
            _ = try scopeType.value(
                or: .invalidRequest(
                    "--scope takes 'metered' (or use --scope-price)", param: "applicability_config.scope"))
        }
        switch (metered, scopePrice.isEmpty) {
        case (true, true): return .metered
        case (false, false): return .prices(scopePrice.map { .init($0) })
        case (true, false):
            throw LedgerError.invalidRequest(
                "give --scope metered or --scope-price, not both", param: "applicability_config.scope")
        case (false, true):
            throw LedgerError.invalidRequest(
                "a grant needs a scope: --scope metered or --scope-price PRICE", param: "applicability_config.scope")
        }
    }
}
