import Foundation
import Testing

/// `--format csv` on the list commands: the matching export's writer and columns, filtered as
/// the list filters.
@Suite("list commands as CSV")
struct ListCSVTests {
    @Test("each list as CSV is its export, with the list's filters applied")
    func listsAreTheirExports() throws {
        let sb = try Sandbox()
        let db = sb.db
        for (id, name) in [("cus_1", "=Acme, Inc."), ("cus_2", "Zoë")] {
            try ok(["customers", "create", "--id", id, "--name", name], db: db)
        }
        for (customer, amount) in [("cus_1", "500"), ("cus_1", "700"), ("cus_2", "900")] {
            try ok(
                ["invoice-items", "create", "--customer", customer, "--currency", "usd", "--amount", amount], db: db)
        }
        let open = try ok(
            ["invoices", "create", "--customer", "cus_1", "--currency", "usd", "--pending-items", "include"], db: db)
        try ok(["invoices", "finalize", try #require(open["id"] as? String)], db: db)
        try ok(
            ["invoices", "create", "--customer", "cus_2", "--currency", "usd", "--pending-items", "include"], db: db)
        func csv(_ args: [String]) throws -> String {
            let r = run(args, db: db, json: false)
            try #require(r.status == 0, "\(args): \(r)")
            return r.stdout
        }
        #expect(try csv(["customers", "list", "--format", "csv"]) == (try csv(["export", "customers"])))
        #expect(try csv(["customers", "list", "--format", "csv"]).contains("'=Acme, Inc."))
        #expect(
            try csv(["invoice-items", "list", "--customer", "cus_1", "--format", "csv"])
                == (try csv(["export", "invoice-items", "--customer", "cus_1"])))
        let all = try csv(["export", "invoices"]).split(separator: "\r\n").map(String.init)
        let opened = try csv(["invoices", "list", "--status", "open", "--format", "csv"]).split(separator: "\r\n")
            .map(String.init)
        #expect(opened.count == 2 && opened[0] == all[0], "\(opened)")  // the header and the one open invoice
        #expect(all.count == 3 && all.contains(opened[1]) && opened[1].contains(",open,"), "\(all)")
        #expect(try csv(["meters", "list", "--format", "csv"]) == (try csv(["export", "meters"])))
        #expect(try csv(["products", "list", "--format", "csv"]) == (try csv(["export", "products"])))
        for (product, prices) in [("prod_a", ["price_a1", "price_a2"]), ("prod_b", ["price_b1"])] {
            try ok(["products", "create", "--id", product, "--name", "+\(product)"], db: db)
            for price in prices {
                try ok(
                    [
                        "prices", "create", "--id", price, "--product", product, "--currency", "usd", "--unit-amount",
                        "5",
                    ],
                    db: db)
            }
        }
        try ok(["prices", "archive", "price_a2"], db: db)
        let prices = try csv(["export", "prices"]).split(separator: "\r\n").map(String.init)
        #expect(prices.count == 4)
        let active = try csv(["prices", "list", "--active", "--product", "prod_a", "--format", "csv"])
            .split(separator: "\r\n").map(String.init)
        #expect(active.count == 2 && active[0] == prices[0] && active[1].hasPrefix("price_a1,"), "\(active)")
        #expect(prices.contains(active[1]))
        #expect(try csv(["products", "list", "--format", "csv"]).contains("'+prod_b"))
        #expect(try csv(["customers", "list", "--format", "table"]).hasPrefix("ID"))
        try rejected(["customers", "list", "--format", "xml"], db: db, codes: [64, 65])
        for list in [["meters", "list"], ["products", "list"], ["prices", "list"]] {
            try rejected(list + ["--format", "xml"], db: db, codes: [64, 65])
        }
        try rejected(["prices", "list", "--product", "prod_none", "--format", "csv", "--format", "tsv"], db: db)
    }
}
