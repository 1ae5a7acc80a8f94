import Testing

@testable import LedgerCore

/// The plain-text rendering of the journal, without a database: the exact text of each dialect,
/// exact amounts in every exponent, account names Beancount accepts and that map back, and free
/// text that cannot break a line or start a tag.
@Suite struct PlainTextJournalTests {
    static let (usd, jpy, kwd) = (try! Currency(code: "usd"), try! Currency(code: "jpy"), try! Currency(code: "kwd"))
    static let jan31 = try! Instant.parse("2026-01-31T23:59:59Z")

    static func invoiceEntry() throws -> JournalEntry {
        try JournalEntry.balanced(
            id: "je_1", postedAt: jan31, description: "Invoice INV-1 finalized", sourceType: "invoice.finalized",
            sourceId: "in_123",
            postings: [
                Posting(account: .receivable("cus_1"), amountMinor: 1_240, currency: usd),
                Posting(account: .credits("credgr_7Ab"), amountMinor: 3_000, currency: usd),
                Posting(account: .revenue("price_1"), amountMinor: -4_240, currency: usd),
            ])
    }

    @Test func hledgerText() throws {
        let text = PlainTextJournal.render(.hledger, entries: [try Self.invoiceEntry()])
        #expect(
            text == """
                ; The ledger's journal for hledger. Dates are UTC days; `at` is the exact instant (UTC).
                commodity 1000.00 USD
                account assets  ; type: A
                account liabilities  ; type: L
                account revenue  ; type: R
                account assets:receivable:cus_1
                account liabilities:credits:credgr_7Ab
                account revenue:usage:price_1

                2026-01-31 * (je_1) Invoice INV-1 finalized
                    ; entry: je_1
                    ; source: invoice.finalized in_123
                    ; at: 20260131T235959Z
                    assets:receivable:cus_1         12.40 USD
                    liabilities:credits:credgr_7Ab  30.00 USD
                    revenue:usage:price_1           -42.40 USD


                """)
    }

    @Test func beancountText() throws {
        let text = PlainTextJournal.render(.beancount, entries: [try Self.invoiceEntry()])
        #expect(
            text == """
                ; The ledger's journal for Beancount. Dates are UTC days; `at` is the exact instant (UTC).
                2026-01-31 commodity USD
                2026-01-31 open Assets:Receivable:Cus-1
                  name: "assets:receivable:cus_1"
                2026-01-31 open Liabilities:Credits:Credgr-7Ab
                  name: "liabilities:credits:credgr_7Ab"
                2026-01-31 open Income:Usage:Price-1
                  name: "revenue:usage:price_1"

                2026-01-31 * "Invoice INV-1 finalized"
                  entry: "je_1"
                  source: "invoice.finalized in_123"
                  at: "20260131T235959Z"
                  Assets:Receivable:Cus-1         12.40 USD
                  Liabilities:Credits:Credgr-7Ab  30.00 USD
                  Income:Usage:Price-1            -42.40 USD


                """)
    }

    @Test(arguments: [
        (1_250, "usd", "12.50 USD"), (-1_250, "usd", "-12.50 USD"), (5, "usd", "0.05 USD"), (0, "usd", "0.00 USD"),
        (1_500, "jpy", "1500 JPY"), (-7, "jpy", "-7 JPY"), (1, "kwd", "0.001 KWD"),
        (-1_234_567, "kwd", "-1234.567 KWD"),
        (Int64.min, "usd", "-92233720368547758.08 USD"), (Int64.max, "kwd", "9223372036854775.807 KWD"),
    ])
    func amountsAreExactInMajorUnits(minor: Int64, code: String, text: String) throws {
        #expect(PlainTextJournal.amount(minor, try Currency(code: code)) == text)
    }

    @Test func theCommodityDirectiveHasTheExponentsPlaces() {
        let header = PlainTextJournal.header(
            .hledger, accounts: [],
            currencies: [.init(Self.kwd, postedAt: 0), .init(Self.jpy, postedAt: 0), .init(Self.usd, postedAt: 0)])
        #expect(header.contains("commodity 1000. JPY\ncommodity 1000.000 KWD\ncommodity 1000.00 USD\n"))
    }

    @Test(arguments: [
        ("assets:receivable:cus_1", "Assets:Receivable:Cus-1"),
        ("revenue:invoice_items", "Income:Invoice-items"),
        ("revenue:credit_discounts:credgr_XCjE9", "Income:Credit-discounts:Credgr-XCjE9"),
        ("expenses:promotional_credits", "Expenses:Promotional-credits"),
        ("assets:receivable:42", "Assets:Receivable:42"),
        ("assets:receivable:Cus-K.w", "Assets:Receivable:0--4375732D4B2E77"),
        ("assets:receivable:a__b", "Assets:Receivable:0--615F5F62"),
        ("assets:receivable:a_", "Assets:Receivable:0--615F"),
        ("liabilities:é", "Liabilities:0--C3A9"),
    ])
    func beancountNamesAreValidAndMapBack(ledger: String, beancount: String) throws {
        let account = try Account(ledger)
        #expect(PlainTextJournal.beancountName(account) == beancount)
        #expect(PlainTextJournal.account(beancountName: beancount) == account)
        // Beancount: a capital or a digit first, then letters, digits and dashes.
        for component in beancount.split(separator: ":") {
            #expect(component.first!.isUppercase || component.first!.isNumber)
            #expect(component.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        }
    }

    @Test func namesBeancountCannotHaveAreRefusedOnTheWayBack() {
        for name in ["Revenue:X", "Assets:cus-1", "Assets:Cus--1", "Assets:0--4", "Assets:0--ZZ", "Assets:"] {
            #expect(PlainTextJournal.account(beancountName: name) == nil, "\(name)")
        }
    }

    @Test func distinctAccountsNeverShareABeancountName() throws {
        let segments = ["a", "A", "a_b", "a-b", "a.b", "aB", "Ab", "a__b", "a_", "_a", "0", "0_", "0--", "x_1", "X-1"]
        let names = try segments.map { PlainTextJournal.beancountName(try Account("assets:\($0)")) }
        #expect(Set(names).count == segments.count, "\(names)")
    }

    @Test func freeTextCannotEndALineOrStartATagOrAComment() throws {
        let entry = try JournalEntry.balanced(
            id: "je_(x)", postedAt: 0, description: "a;b\nc 100%", sourceType: "manual", sourceId: "x,y: z\"\\",
            postings: [
                Posting(account: .cash, amountMinor: 1, currency: Self.usd),
                Posting(account: .revenueInvoiceItems, amountMinor: -1, currency: Self.usd),
            ])
        let hledger = PlainTextJournal.entry(entry, .hledger)
        #expect(hledger.hasPrefix("1970-01-01 * a%3Bb%0Ac 100%25\n"))  // no code: the ID holds a ')'
        #expect(hledger.contains("    ; entry: je_(x)\n    ; source: manual x%2Cy: z\"\\\n"))
        let beancount = PlainTextJournal.entry(entry, .beancount)
        #expect(beancount.hasPrefix("1970-01-01 * \"a;b%0Ac 100%25\"\n"))
        #expect(beancount.contains("  source: \"manual x,y: z\\\"\\\\\"\n"))
    }
}
