import Foundation
import Testing

@testable import LedgerKit

/// `Ledger.writeJournal` checked by the tools themselves: hledger (`check -s`, `balance`) and
/// Beancount (`bean-check`, `bean-query`) read the export of a history with three currencies,
/// promotional and paid grants, paid, voided and written-off invoices and an expiry, and agree
/// with `accountBalances` on every account at three day boundaries.
///
/// Without the tools the test is skipped, unless `CI` is set: then it fails.
@Suite struct PlainTextExportTests {
    static let tools = ["hledger", "bean-check", "bean-query"]
    static let toolsFound = tools.allSatisfy { PlainTools.path($0) != nil }
    static let ci = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(
        .enabled(
            if: toolsFound || ci,
            "hledger and beancount are not installed (apt-get install -y hledger beancount); skipped outside CI"))
    func hledgerAndBeancountAgreeWithTheLedger() throws {
        try #require(Self.toolsFound, "CI is set but \(Self.tools.joined(separator: ", ")) are not all on PATH")
        let w = try PlainHistory.build()
        let dir = try TempDir()
        defer { dir.cleanup() }
        var files: [PlainTextFormat: String] = [:]
        for format in PlainTextFormat.allCases {
            var text = ""
            try w.ledger.writeJournal(format) { text += $0 }
            let path = dir.path("ledger.\(format.rawValue)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files[format] = path
        }
        let hledger = files[.hledger]!
        let beancount = files[.beancount]!
        let check = try PlainTools.run("hledger", ["-f", hledger, "check", "-s"])
        #expect(check.status == 0, "hledger check -s: \(check.stderr)")
        let beanCheck = try PlainTools.run("bean-check", [beancount])
        #expect(beanCheck.status == 0 && beanCheck.stdout.isEmpty, "bean-check: \(beanCheck.stdout)\(beanCheck.stderr)")

        for day in ["2026-01-20", "2026-02-02", "2026-03-03"] {
            let boundary = try Instant.parse(day)
            // hledger's --end and Beancount's `date <` exclude the day: the ledger as of 23:59:59 before.
            let expected = try PlainTools.grouped(w.ledger.accountBalances(asOf: boundary - 1))
            #expect(!expected.isEmpty)
            let fromHledger = try PlainTools.hledgerBalances(hledger, end: day)
            #expect(fromHledger == expected, "hledger at \(day)")
            let fromBeancount = try PlainTools.beancountBalances(beancount, before: day)
            #expect(fromBeancount == expected, "beancount at \(day)")
        }
        // An export cut at `to` balances to the ledger as of the second before.
        let cut = try Instant.parse("2026-02-02")
        var text = ""
        try w.ledger.writeJournal(.hledger, to: cut) { text += $0 }
        let path = dir.path("cut.hledger")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try PlainTools.run("hledger", ["-f", path, "check", "-s"]).status == 0)
        #expect(
            try PlainTools.hledgerBalances(path, end: nil)
                == PlainTools.grouped(w.ledger.accountBalances(asOf: cut - 1)))
        // An export from `from` opens with the balances before it: the file's balances at a later
        // day are the ledger's, in both tools; the opening transaction is dated `from`.
        let from = try Instant.parse("2026-02-02")
        for format in PlainTextFormat.allCases {
            var text = ""
            try w.ledger.writeJournal(format, from: from) { text += $0 }
            #expect(text.contains("2026-02-02 * ") && text.contains("opening balances"), "\(format)")
            let path = dir.path("from.\(format.rawValue)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let expected = try PlainTools.grouped(w.ledger.accountBalances(asOf: try Instant.parse("2026-03-03") - 1))
            switch format {
            case .hledger:
                #expect(try PlainTools.run("hledger", ["-f", path, "check", "-s"]).status == 0)
                #expect(try PlainTools.hledgerBalances(path, end: "2026-03-03") == expected)
            case .beancount:
                let check = try PlainTools.run("bean-check", [path])
                #expect(check.status == 0, "bean-check: \(check.stdout)\(check.stderr)")
                #expect(try PlainTools.beancountBalances(path, before: "2026-03-03") == expected)
            }
        }
    }

    @Test func theExportIsTheRenderingOfTheJournalEntries() throws {
        let w = try PlainHistory.build()
        for format in PlainTextFormat.allCases {
            var pieces: [String] = []
            try w.ledger.writeJournal(format) { pieces.append($0) }
            let entries = try w.ledger.journalEntries()
            #expect(pieces.count == entries.count + 1)  // the declarations, then one piece per entry
            #expect(pieces.joined() == PlainTextJournal.render(format, entries: entries))
        }
    }
}

/// A history through the library: usd, jpy and kwd customers (one with an ID Beancount cannot
/// spell as is), a promotional grant that expires, a paid grant with a cost basis and its
/// funding invoice, invoices paid, voided and written off.
enum PlainHistory {
    static func build() throws -> World {
        let (usd, jpy, kwd) = (try Currency(code: "usd"), try Currency(code: "jpy"), try Currency(code: "kwd"))
        let w = try World(
            Catalog(
                customers: Catalog.customers(["cus_a", "cus_jp", "Cus-K.w"]),
                meters: [.init(id: "mtr_calls", displayName: "Calls", eventName: "calls")],
                products: [.init(id: "prod_api", name: "API")],
                prices: [
                    .monthly("price_usd", of: "prod_api", meter: "mtr_calls", .unit("3")),
                    .monthly("price_jpy", of: "prod_api", meter: "mtr_calls", currency: jpy, .unit("2")),
                    .monthly("price_kwd", of: "prod_api", currency: kwd, .unit("1500")),
                ]))
        let funding = try w.ledger.createInvoice(
            customer: "cus_a", currency: usd, includePending: false, description: "Credits")
        _ = try w.ledger.createInvoiceItem(
            .init(customer: "cus_a", currency: usd, amount: .whole(8_000), invoice: funding.id))
        _ = try w.ledger.finalizeInvoice(funding.id)
        _ = try w.ledger.payInvoice(funding.id)
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_a", amount: Money(amountMinor: 10_000, currency: usd), category: .paid, scope: .metered,
                effectiveAt: jan1, costBasis: 8_000, fundingInvoice: funding.id))
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_a", amount: Money(amountMinor: 500, currency: usd), category: .promotional,
                scope: .metered, priority: 10, expiresAt: try Instant.parse("2026-01-25")))
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_jp", amount: Money(amountMinor: 300, currency: jpy), category: .promotional,
                scope: .metered, expiresAt: try Instant.parse("2026-02-15")))
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: "price_usd")]))
        _ = try w.ledger.createSubscription(.init(customer: "cus_jp", items: [.init(price: "price_jpy")]))
        _ = try w.ledger.createSubscription(.init(customer: "Cus-K.w", items: [.init(price: "price_kwd", quantity: 3)]))
        try w.record("100", customer: "cus_a", at: "2026-01-10T08:00:00Z")
        try w.record("400", customer: "cus_jp", at: "2026-01-12T09:00:00Z")
        try w.record("5000", customer: "cus_a", at: "2026-01-28T10:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        for invoice in try w.ledger.invoices(customer: "Cus-K.w") where invoice.status == .open {
            _ = try w.ledger.payInvoice(invoice.id)
        }
        try w.record("700", customer: "cus_jp", at: "2026-02-10T00:00:00Z")
        try w.record("9000", customer: "cus_a", at: "2026-02-11T00:00:00Z")
        w.clock.set("2026-03-01T00:30:00Z")
        _ = try w.ledger.bill()
        w.clock.set("2026-03-02T12:00:00Z")
        if let open = try w.ledger.invoices(customer: "cus_jp").last(where: { $0.status == .open }) {
            _ = try w.ledger.voidInvoice(open.id)
        }
        if let open = try w.ledger.invoices(customer: "cus_a").last(where: { $0.status == .open }) {
            _ = try w.ledger.markUncollectible(open.id)
        }
        #expect(try w.ledger.verify().isEmpty)
        return w
    }
}

/// Running the plain-text accounting tools and reading their balances back in minor units.
enum PlainTools {
    static func path(_ tool: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path(tool), "\(tool) is not on PATH"))
        process.arguments = arguments
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    /// Account name → currency → minor units.
    typealias Balances = [String: [String: Int64]]

    static func grouped(_ balances: [AccountBalance]) -> Balances {
        var out: Balances = [:]
        for b in balances { out[b.account.name, default: [:]][b.currency.code] = b.amountMinor }
        return out
    }

    /// `12.50`, `-1500`, `1.500` of `code` in minor units, exactly (the digits, never a Double).
    static func minor(_ number: String, _ code: String) throws -> Int64 {
        let currency = try Currency(code: code)
        let text = number.trimmingCharacters(in: .whitespaces)
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        try #require(fraction.count <= currency.exponent, "\(number) has more digits than \(code)")
        fraction += String(repeating: "0", count: currency.exponent - fraction.count)
        let value = try #require(Int64(String(parts[0]) + fraction), "not a number: \(number)")
        return negative ? -value : value
    }

    static func hledgerBalances(_ file: String, end: String?) throws -> Balances {
        let result = try run(
            "hledger",
            ["-f", file, "balance", "--flat", "--no-total", "-O", "csv"] + (end.map { ["--end", $0] } ?? []))
        try #require(result.status == 0, "hledger balance: \(result.stderr)")
        var out: Balances = [:]
        for line in result.stdout.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: "\",\"").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r"))
            }
            try #require(cells.count == 2, "\(line)")
            for amount in cells[1].split(separator: ",") {
                let parts = amount.split(separator: " ")
                guard parts.count == 2 else { continue }  // a plain 0
                let value = try minor(String(parts[0]), String(parts[1]))
                if value != 0 { out[cells[0], default: [:]][String(parts[1]).lowercased()] = value }
            }
        }
        return out
    }

    static func beancountBalances(_ file: String, before day: String) throws -> Balances {
        // str(): the exact Decimal (`Decimal('1.234')`); the plain column is rounded to one
        // precision for every currency in it.
        let query = "SELECT account, currency, str(sum(number)) AS total WHERE date < \(day) GROUP BY account, currency"
        let result = try run("bean-query", ["-f", "csv", file, query])
        try #require(result.status == 0, "bean-query: \(result.stderr)")
        var out: Balances = [:]
        for line in result.stdout.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(cells.count == 3, "\(line)")
            let account = try #require(PlainTextJournal.account(beancountName: cells[0]), "\(cells[0])")
            let number = cells[2].replacingOccurrences(of: "Decimal('", with: "").replacingOccurrences(
                of: "')", with: "")
            let value = try minor(number, cells[1])
            if value != 0 { out[account.name, default: [:]][cells[1].lowercased()] = value }
        }
        return out
    }
}
