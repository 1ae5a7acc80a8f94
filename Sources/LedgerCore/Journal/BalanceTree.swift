/// Account balances as hledger's `balance` report prints them, as pure functions of balances.
///
/// Tree (hledger's `balance --tree`): each account with the subtotal of everything below it, the
/// children indented two spaces under their parent, sorted by name. An account is shown when its
/// subtotal is not zero or when a child is shown; a parent with no postings of its own and one
/// child shown is joined with it on one line (`receivable:cus_1`), as hledger elides it. Flat
/// (`--flat`): each account with its own balance, full names. `depth` clips: an account deeper
/// than it counts in its ancestor at that depth. Amounts (`MoneyFormat`) are right-aligned in a
/// column of at least 20 characters, one line per currency in code order with the name on the
/// last; an all-zero subtotal is `0`. Then a rule and the total of each currency seen (zero,
/// since the journal balances, unless the balances given are a part of it).
public enum BalanceTree {
    /// One account's balance in one currency.
    public struct Balance: Hashable, Sendable {
        public var account: Account
        public var currency: Currency
        public var amountMinor: Int64

        public init(account: Account, currency: Currency, amountMinor: Int64) {
            self.account = account
            self.currency = currency
            self.amountMinor = amountMinor
        }
    }

    /// `balances` with each account deeper than `depth` counted in its ancestor at `depth`,
    /// summed per account and currency, zero sums left out, sorted by account then currency.
    /// - Throws: `amount_overflow` when a sum does not fit 64 bits.
    public static func clipped(_ balances: [Balance], depth: Int?) throws -> [Balance] {
        var sums: [Account: [Currency: Int64]] = [:]
        for balance in balances {
            let account = clip(balance.account, depth: depth)
            let (sum, overflow) = (sums[account]?[balance.currency] ?? 0).addingReportingOverflow(balance.amountMinor)
            if overflow { throw LedgerError.amountOverflow("the balance of \(account) does not fit 64 bits") }
            sums[account, default: [:]][balance.currency] = sum
        }
        return sums.keys.sorted().flatMap { account in
            sums[account]!.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map {
                Balance(account: account, currency: $0.key, amountMinor: $0.value)
            }
        }
    }

    /// The report's text, lines joined by `\n`, no trailing newline.
    /// - Parameter depth: the deepest level shown (1 is the roots); nil for every level.
    /// - Throws: `amount_overflow` when a subtotal does not fit 64 bits.
    public static func text(_ balances: [Balance], depth: Int? = nil, flat: Bool = false) throws -> String {
        let own = try clipped(balances, depth: depth)
        var rows: [(name: String, amounts: [Currency: Int64])] = []
        if flat {
            var byAccount: [Account: [Currency: Int64]] = [:]
            for b in own { byAccount[b.account, default: [:]][b.currency] = b.amountMinor }
            rows = byAccount.keys.sorted().map { ($0.name, byAccount[$0]!) }
        } else {
            let root = Node()
            for b in own { try root.add(b, segments: b.account.name.split(separator: ":").map(String.init)) }
            for child in root.sortedChildren { child.node.appendRows(name: child.name, to: &rows, indent: 0) }
        }
        var totals: [Currency: Int64] = [:]
        for b in own {
            let (sum, overflow) = (totals[b.currency] ?? 0).addingReportingOverflow(b.amountMinor)
            if overflow { throw LedgerError.amountOverflow("the total in \(b.currency) does not fit 64 bits") }
            totals[b.currency] = sum
        }
        func amountLines(_ amounts: [Currency: Int64], keepZeros: Bool) -> [String] {
            let lines = amounts.sorted { $0.key < $1.key }.filter { keepZeros || $0.value != 0 }.map {
                MoneyFormat.text($0.value, $0.key)
            }
            return lines.isEmpty ? ["0"] : lines
        }
        let blocks = rows.map { (amountLines($0.amounts, keepZeros: false), $0.name) }
        let totalLines = amountLines(totals, keepZeros: true)
        let width = max(20, (blocks.flatMap(\.0) + totalLines).map(\.count).max() ?? 0)
        func padded(_ text: String) -> String { String(repeating: " ", count: width - text.count) + text }
        var lines: [String] = []
        for (amounts, name) in blocks {
            lines += amounts.dropLast().map(padded)
            lines.append(padded(amounts.last!) + "  " + name)
        }
        lines.append(String(repeating: "-", count: width))
        lines += totalLines.map(padded)
        return lines.joined(separator: "\n")
    }

    private static func clip(_ account: Account, depth: Int?) -> Account {
        guard let depth, depth >= 1 else { return account }
        let segments = account.name.split(separator: ":", omittingEmptySubsequences: false)
        guard segments.count > depth else { return account }
        return try! Account(segments.prefix(depth).joined(separator: ":"))
    }

    /// One level of the tree: its own balance and its subtotal per currency.
    private final class Node {
        var children: [String: Node] = [:]
        var own: [Currency: Int64] = [:]
        var subtotal: [Currency: Int64] = [:]

        var sortedChildren: [(name: String, node: Node)] {
            children.sorted { $0.key < $1.key }.map { (name: $0.key, node: $0.value) }.filter { $0.node.shown }
        }

        /// hledger shows an account with a non-zero subtotal, or with a child shown.
        var shown: Bool { subtotal.values.contains { $0 != 0 } || children.values.contains { $0.shown } }

        func add(_ balance: Balance, segments: [String]) throws {
            let (sum, overflow) = (subtotal[balance.currency] ?? 0).addingReportingOverflow(balance.amountMinor)
            if overflow { throw LedgerError.amountOverflow("a subtotal of \(balance.account) does not fit 64 bits") }
            subtotal[balance.currency] = sum
            guard let first = segments.first else {
                own[balance.currency, default: 0] += balance.amountMinor
                return
            }
            let child = children[first] ?? Node()
            children[first] = child
            try child.add(balance, segments: Array(segments.dropFirst()))
        }

        /// This account's line, or, when it has no balance of its own and one child shown, its
        /// name joined to the child's; then its children's lines, indented.
        func appendRows(name: String, to rows: inout [(name: String, amounts: [Currency: Int64])], indent: Int) {
            let shownChildren = sortedChildren
            if shownChildren.count == 1 && own.values.allSatisfy({ $0 == 0 }) {
                let only = shownChildren[0]
                only.node.appendRows(name: name + ":" + only.name, to: &rows, indent: indent)
                return
            }
            rows.append((String(repeating: " ", count: indent) + name, subtotal))
            for child in shownChildren { child.node.appendRows(name: child.name, to: &rows, indent: indent + 2) }
        }
    }
}
