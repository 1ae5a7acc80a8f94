import Testing

@testable import LedgerCore

/// `ledger balance --accounts`'s text, without a database: hledger's `balance --tree` layout
/// with subtotals, elided single-child parents, one line per currency, `--depth` and `--flat`.
@Suite struct BalanceTreeTests {
    static let (usd, jpy) = (try! Currency(code: "usd"), try! Currency(code: "jpy"))

    static func b(_ account: String, _ amount: Int64, _ currency: Currency = usd) -> BalanceTree.Balance {
        BalanceTree.Balance(account: try! Account(account), currency: currency, amountMinor: amount)
    }

    /// A small history: an invoice of 150.00 usd, 30.00 paid by a promotional grant of 50.00,
    /// 100.00 paid in cash; a jpy invoice of 500 open.
    static let balances = [
        b("assets:cash", 10_000), b("assets:receivable:cus_1", 2_000), b("assets:receivable:cus_2", 500, jpy),
        b("expenses:promotional_credits", 5_000), b("liabilities:credits:credgr_1", -2_000),
        b("revenue:usage:price_1", -15_000), b("revenue:usage:price_2", -500, jpy),
    ]

    @Test func theTreeHasSubtotalsAtEachLevelAndATotalPerCurrency() throws {
        #expect(
            try BalanceTree.text(Self.balances) == """
                             500 jpy
                          120.00 usd  assets
                          100.00 usd    cash
                             500 jpy
                           20.00 usd    receivable
                           20.00 usd      cus_1
                             500 jpy      cus_2
                           50.00 usd  expenses:promotional_credits
                          -20.00 usd  liabilities:credits:credgr_1
                            -500 jpy
                         -150.00 usd  revenue:usage
                         -150.00 usd    price_1
                            -500 jpy    price_2
                --------------------
                               0 jpy
                            0.00 usd
                """)
    }

    @Test func depthSumsDeeperAccountsIntoTheirAncestor() throws {
        #expect(
            try BalanceTree.text(Self.balances, depth: 1) == """
                             500 jpy
                          120.00 usd  assets
                           50.00 usd  expenses
                          -20.00 usd  liabilities
                            -500 jpy
                         -150.00 usd  revenue
                --------------------
                               0 jpy
                            0.00 usd
                """)
        #expect(
            try BalanceTree.clipped(Self.balances, depth: 2).map { "\($0.account) \($0.amountMinor) \($0.currency)" }
                == [
                    "assets:cash 10000 usd", "assets:receivable 500 jpy", "assets:receivable 2000 usd",
                    "expenses:promotional_credits 5000 usd", "liabilities:credits -2000 usd", "revenue:usage -500 jpy",
                    "revenue:usage -15000 usd",
                ])
    }

    @Test func flatListsEachAccountsOwnBalance() throws {
        #expect(
            try BalanceTree.text(Self.balances, depth: 2, flat: true) == """
                          100.00 usd  assets:cash
                             500 jpy
                           20.00 usd  assets:receivable
                           50.00 usd  expenses:promotional_credits
                          -20.00 usd  liabilities:credits
                            -500 jpy
                         -150.00 usd  revenue:usage
                --------------------
                               0 jpy
                            0.00 usd
                """)
    }

    @Test func aParentThatNetsToZeroStaysToHoldItsChildrenAndWideAmountsWidenTheColumn() throws {
        let balances = [
            Self.b("assets:cash", 123_456_789_012_345), Self.b("assets:receivable:cus_1", -123_456_789_012_345),
        ]
        #expect(
            try BalanceTree.text(balances) == """
                                        0  assets
                 1,234,567,890,123.45 usd    cash
                -1,234,567,890,123.45 usd    receivable:cus_1
                -------------------------
                                 0.00 usd
                """)
        #expect(try BalanceTree.text([]) == "--------------------\n                   0")
    }
}
