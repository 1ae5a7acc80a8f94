/// The plain-text accounting dialects the journal is written in.
public enum PlainTextFormat: String, Sendable, CaseIterable {
    /// hledger's journal format (also read by ledger-cli); `hledger check -s` passes.
    case hledger
    /// Beancount's syntax; `bean-check` passes.
    case beancount
}

/// The journal as plain-text accounting, as pure functions of entries: a header of declarations,
/// then one transaction per entry, in the order given (posting order). Both dialects hold the
/// same postings, so hledger and Beancount balance to the figures of `Ledger.accountBalances`.
///
/// Time: both dialects date a transaction by day, so a transaction is dated by the UTC day of its
/// instant and carries the exact instant in an `at` tag, ISO 8601 basic form
/// (`20260131T235959Z`: no colons, which hledger would read as more tags). Entries of one day
/// keep their posting order: both tools keep the order of a file within a day. A balance as of
/// the end of day D (`--end D+1` in hledger) is the ledger's balance as of `D 23:59:59Z`.
///
/// Amounts: exact, in major units with every digit of the currency's exponent (`12.50 USD`,
/// `1500 JPY`, `1.500 KWD`), no digit grouping, the ISO code uppercase after the number.
///
/// Text: the entry ID is the hledger code `(je_…)` when it can be one (no `)`) and always an
/// `entry` tag; the source is a `source` tag (`invoice.finalized in_123`). Free text is
/// percent-encoded where a dialect would misread it: `%`, control characters, and in hledger a
/// `;` in a description (it starts a comment) or a `,` in a tag value (it separates tags).
public enum PlainTextJournal {
    /// An account or a currency and the instant of its first posting in the export.
    public struct FirstUse<Value: Hashable & Sendable>: Hashable, Sendable {
        public var value: Value
        public var postedAt: Int64

        public init(_ value: Value, postedAt: Int64) {
            self.value = value
            self.postedAt = postedAt
        }
    }

    /// One use per value, the earliest.
    public static func earliest<Value>(_ uses: [FirstUse<Value>]) -> [FirstUse<Value>] {
        var first: [Value: Int64] = [:]
        for use in uses { first[use.value] = min(first[use.value] ?? .max, use.postedAt) }
        return first.map { FirstUse($0.key, postedAt: $0.value) }
    }

    /// The whole file of `entries`: `header` of what they use, then each `entry`.
    public static func render(_ format: PlainTextFormat, entries: [JournalEntry]) -> String {
        let uses = entries.flatMap { entry in entry.postings.map { ($0, entry.postedAt) } }
        var text = header(
            format, accounts: earliest(uses.map { FirstUse($0.0.account, postedAt: $0.1) }),
            currencies: earliest(uses.map { FirstUse($0.0.currency, postedAt: $0.1) }))
        for entry in entries { text += Self.entry(entry, format) }
        return text
    }

    /// The declarations, sorted: hledger's `commodity` (its decimal places from the exponent)
    /// and `account` (each root with its `type`, then every account posted to); Beancount's
    /// `commodity` and `open`, dated by the UTC day of the first use, with the ledger's account
    /// name as `name` metadata.
    public static func header(
        _ format: PlainTextFormat, accounts: [FirstUse<Account>], currencies: [FirstUse<Currency>]
    ) -> String {
        let accounts = accounts.sorted { $0.value < $1.value }
        let currencies = currencies.sorted { $0.value < $1.value }
        switch format {
        case .hledger:
            var text = "; The ledger's journal for hledger. Dates are UTC days; `at` is the exact instant (UTC).\n"
            for currency in currencies.map(\.value) {
                // The sample must hold a decimal mark, even with no decimals (`1000. JPY`).
                let places = String(repeating: "0", count: currency.exponent)
                text += "commodity 1000.\(places) \(currency.code.uppercased())\n"
            }
            let types = ["assets": "A", "liabilities": "L", "equity": "E", "revenue": "R", "expenses": "X"]
            let roots = Set(accounts.map { $0.value.name.prefix { $0 != ":" } })
            for root in roots.sorted() { text += "account \(root)  ; type: \(types[String(root)]!)\n" }
            for account in accounts.map(\.value) where !roots.contains(Substring(account.name)) {
                text += "account \(hledgerName(account))\n"
            }
            return text + "\n"
        case .beancount:
            var text = "; The ledger's journal for Beancount. Dates are UTC days; `at` is the exact instant (UTC).\n"
            for use in currencies {
                text += "\(day(use.postedAt)) commodity \(use.value.code.uppercased())\n"
            }
            for use in accounts {
                text += "\(day(use.postedAt)) open \(beancountName(use.value))\n"
                text += "  name: \(beancountString(use.value.name))\n"
            }
            return text + "\n"
        }
    }

    /// One transaction, a blank line after it.
    public static func entry(_ entry: JournalEntry, _ format: PlainTextFormat) -> String {
        let source = entry.sourceType + " " + entry.sourceId
        return transaction(
            entry.postedAt, entry.description, code: entry.id.rawValue, entry: entry.id.rawValue, source: source,
            postings: entry.postings, format)
    }

    /// The balances of every account before `from`, as one transaction dated `from`, written
    /// first in an export that starts at `from`: with it, the file's balance at any later day is
    /// the ledger's, not only the movements since `from`. The balances sum to zero per currency
    /// (the trial balance), so no equity account is needed. Empty when there is nothing before.
    public static func opening(_ balances: [Posting], at from: Int64, _ format: PlainTextFormat) -> String {
        let postings = balances.filter { $0.amountMinor != 0 }
        guard !postings.isEmpty else { return "" }
        return transaction(
            from, "opening balances", code: nil, entry: nil, source: "balances before " + Instant.format(from),
            postings: postings, format)
    }

    private static func transaction(
        _ postedAt: Int64, _ description: String, code: String?, entry: String?, source: String,
        postings: [Posting], _ format: PlainTextFormat
    ) -> String {
        let instant = Instant.format(postedAt).filter { $0 != "-" && $0 != ":" }
        let names: [String]
        let indent: String
        var text: String
        switch format {
        case .hledger:
            let code = code.map { $0.contains(")") ? "" : " (\($0))" } ?? ""
            text = "\(day(postedAt)) *\(code) \(encoded(description, also: [UInt8(ascii: ";")]))\n"
            if let entry { text += "    ; entry: \(encoded(entry, also: [UInt8(ascii: ",")]))\n" }
            text += "    ; source: \(encoded(source, also: [UInt8(ascii: ",")]))\n"
            text += "    ; at: \(instant)\n"
            names = postings.map { hledgerName($0.account) }
            indent = "    "
        case .beancount:
            text = "\(day(postedAt)) * \(beancountString(description))\n"
            if let entry { text += "  entry: \(beancountString(entry))\n" }
            text += "  source: \(beancountString(source))\n"
            text += "  at: \(beancountString(instant))\n"
            names = postings.map { beancountName($0.account) }
            indent = "  "
        }
        let width = names.map(\.count).max() ?? 0
        for (name, posting) in zip(names, postings) {
            let pad = String(repeating: " ", count: width - name.count + 2)
            text += "\(indent)\(name)\(pad)\(amount(posting.amountMinor, posting.currency))\n"
        }
        return text + "\n"
    }

    /// `1250` usd → `12.50 USD`, `-1500` jpy → `-1500 JPY`, `1` kwd → `0.001 KWD`: exact, in
    /// major units, no grouping (a `1,000` would be ambiguous to hledger).
    public static func amount(_ amountMinor: Int64, _ currency: Currency) -> String {
        var digits = String(amountMinor.magnitude)
        let places = currency.exponent
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        }
        return (amountMinor < 0 ? "-" : "") + digits + " " + currency.code.uppercased()
    }

    /// The UTC day of an instant, `2026-01-31`.
    public static func day(_ postedAt: Int64) -> String { String(Instant.format(postedAt).prefix(10)) }

    /// The account name for hledger: the ledger's own, with control characters and `%`
    /// percent-encoded (an account name cannot hold a space, so two spaces still end it).
    public static func hledgerName(_ account: Account) -> String { encoded(account.name, also: []) }

    // MARK: Beancount account names

    private static let beancountRoots = [
        "assets": "Assets", "liabilities": "Liabilities", "equity": "Equity", "revenue": "Income",
        "expenses": "Expenses",
    ]

    /// The Beancount name of an account, one-to-one (`account(beancountName:)` reverses it).
    ///
    /// The root maps to Beancount's five (`revenue` → `Income`). A component may hold only
    /// `A–Z a–z 0–9 -` and must start with a capital or a digit. A segment of letters and digits
    /// joined by single underscores, starting with a lowercase letter or a digit (every generated
    /// ID and every name of the chart) is written readably: the first letter capitalized, each
    /// `_` as `-` (`cus_1` → `Cus-1`, `credgr_7Cja…` → `Credgr-7Cja…`). Any other segment (a
    /// caller's ID with a first capital, a `-`, a `.`) is `0--` then its UTF-8 bytes in hex
    /// (`Cus-K.w` → `0--4375732D4B2E77`). A readable name never holds `--`, so none is taken twice.
    public static func beancountName(_ account: Account) -> String {
        let segments = account.name.split(separator: ":", omittingEmptySubsequences: false)
        var parts = [beancountRoots[String(segments[0])]!]
        for segment in segments.dropFirst() {
            let bytes = Array(segment.utf8)
            if isReadable(bytes) {
                parts.append(
                    String(
                        decoding: bytes.enumerated().map { i, b in i == 0 && b >= 97 ? b - 32 : b == 95 ? 45 : b },
                        as: UTF8.self))
            } else {
                parts.append("0--" + bytes.map(hex).joined())
            }
        }
        return parts.joined(separator: ":")
    }

    /// Letters and digits joined by single underscores, the first a lowercase letter or a digit.
    private static func isReadable(_ bytes: [UInt8]) -> Bool {
        func alphanumeric(_ b: UInt8) -> Bool {
            (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
        }
        guard let first = bytes.first, (48...57).contains(first) || (97...122).contains(first), bytes.last != 95
        else { return false }
        return zip(bytes, bytes.dropFirst()).allSatisfy { a, b in
            alphanumeric(b) || (b == 95 && a != 95)
        }
    }

    /// The ledger account a Beancount name stands for, or nil when `beancountName` makes no
    /// such name.
    public static func account(beancountName name: String) -> Account? {
        let components = name.split(separator: ":", omittingEmptySubsequences: false)
        guard let root = beancountRoots.first(where: { $0.value == components.first.map(String.init) })?.key
        else { return nil }
        var segments = [root]
        for component in components.dropFirst() {
            var bytes: [UInt8] = []
            if component.hasPrefix("0--") {
                let digits = Array(component.utf8.dropFirst(3))
                guard digits.count % 2 == 0 else { return nil }
                for i in stride(from: 0, to: digits.count, by: 2) {
                    guard let byte = UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16) else {
                        return nil
                    }
                    bytes.append(byte)
                }
            } else {
                bytes = component.utf8.enumerated().map { i, b in
                    i == 0 && (65...90).contains(b) ? b + 32 : b == 45 ? 95 : b
                }
            }
            guard let segment = String(validating: bytes, as: UTF8.self) else { return nil }
            segments.append(segment)
        }
        let account = try? Account(segments.joined(separator: ":"))
        return account.flatMap { beancountName($0) == name ? $0 : nil }
    }

    // MARK: Text

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// `text` with `%`, the control characters and the bytes of `also` as `%XX`, so that it
    /// stays on one line and means the same to the reader: reversible by percent-decoding.
    static func encoded(_ text: String, also: Set<UInt8>) -> String {
        let escape = { (b: UInt8) in b < 0x20 || b == 0x7F || b == 37 || also.contains(b) }
        guard text.utf8.contains(where: escape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            let utf8 = Array(String(scalar).utf8)
            if utf8.count == 1 && escape(utf8[0]) || (0x80...0x9F).contains(scalar.value) {
                out += utf8.map { "%" + hex($0) }.joined()
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A Beancount string literal: percent-encoded as `encoded`, then `"` and `\` escaped.
    static func beancountString(_ text: String) -> String {
        var out = "\""
        for c in encoded(text, also: []) {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
