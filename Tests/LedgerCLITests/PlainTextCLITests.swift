import Foundation
import Testing

/// The journal exported by the binary, read back by hledger and Beancount themselves, against
/// `ledger balance --accounts --json` at three instants: every account, every currency. Without
/// the tools the test is skipped, unless `CI` is set: then it fails.
@Suite("plain-text journal against balance --accounts")
struct PlainTextCLITests {
    static let tools = ["hledger", "bean-query"]
    static let found = tools.allSatisfy { tool in
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Account → currency → minor units, as hledger (`balance --end DAY`) or Beancount
    /// (`date < DAY`, account names mapped back through each `open`'s `name` metadata) sum the
    /// file, parsed by Python: amounts in major units with the currency's declared digits.
    private static let reader = #"""
        import csv, io, json, re, subprocess, sys
        tool, path, day = sys.argv[1:4]
        exponent = {"USD": 2, "JPY": 0, "KWD": 3}
        def minor(number, code):
            whole, _, fraction = number.lstrip("-").partition(".")
            assert len(fraction) <= exponent[code], number
            value = int(whole + fraction.ljust(exponent[code], "0"))
            return -value if number.startswith("-") else value
        out = {}
        def add(account, number, code):
            value = minor(number, code)
            if value:
                out.setdefault(account, {})[code.lower()] = value
        if tool == "hledger":
            text = subprocess.run(["hledger", "-f", path, "balance", "--flat", "--no-total", "-O", "csv", "--end", day],
                                  check=True, capture_output=True, text=True).stdout
            for account, amounts in list(csv.reader(io.StringIO(text)))[1:]:
                for amount in amounts.split(", "):
                    parts = amount.split(" ")
                    if len(parts) == 2:
                        add(account, *parts)
        else:
            names, name = {}, None
            for line in open(path, encoding="utf-8"):
                m = re.match(r"\d{4}-\d\d-\d\d open (\S+)", line)
                if m:
                    name = m.group(1)
                elif name and line.startswith("  name: "):
                    names[name] = json.loads(line[len("  name: "):])
                    name = None
            # str(): the exact Decimal; the plain column is rounded to one precision for all currencies.
            query = f"SELECT account, currency, str(sum(number)) AS total WHERE date < {day} GROUP BY account, currency"
            text = subprocess.run(["bean-query", "-f", "csv", path, query],
                                  check=True, capture_output=True, text=True).stdout
            for account, code, number in list(csv.reader(io.StringIO(text)))[1:]:
                add(names[account.strip()], re.fullmatch(r"Decimal\('(.*)'\)", number.strip()).group(1), code.strip())
        print(json.dumps(out))
        """#

    private func balances(_ tool: String, _ file: String, _ day: String) throws -> [String: [String: Int64]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.reader, tool, file, day]
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool): \(error)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Int64]])
    }

    @Test(
        .enabled(
            if: found || ProcessInfo.processInfo.environment["CI"] != nil,
            "hledger and beancount are not installed; skipped outside CI"))
    func toolsAgreeWithBalanceAccounts() throws {
        try #require(Self.found, "CI is set but hledger or bean-query is not on PATH")
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        // Three currencies, usage, a promotional and a paid grant, a voided invoice, an expiry.
        try subscribe(db, "cus_1", ["price_m1", "price_licence"], id: "sub_a")
        try ok(["customers", "create", "--id", "cus_jpy"], db: db)
        try ok(["customers", "create", "--id", "cus_kwd"], db: db)
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "700", "--currency", "usd", "--scope", "metered",
                "--expires-at", "2026-03-01T00:00:00Z",
            ], db: db)
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "900", "--currency", "usd", "--scope", "metered",
                "--category", "paid", "--cost-basis", "800", "--priority", "1",
            ], db: db)
        for (customer, currency, amount) in [
            ("cus_jpy", "jpy", "1500"), ("cus_kwd", "kwd", "1234"), ("cus_jpy", "jpy", "99"),
        ] {
            try ok(
                ["invoice-items", "create", "--customer", customer, "--currency", currency, "--amount", amount], db: db)
            let invoice = try ok(
                ["invoices", "create", "--customer", customer, "--currency", currency, "--pending-items", "include"],
                db: db)
            let id = try #require(invoice["id"] as? String)
            try ok(["invoices", "finalize", id], db: db)
            if amount == "99" { try ok(["invoices", "void", id], db: db, now: "2026-01-03T00:00:00Z") }
        }
        try usage(db, "a_tokens", "cus_1", 1200, at: "2026-01-10T00:00:00Z", id: "u1")
        try ok(["bill"], db: db, now: "2026-03-02T00:00:00Z")
        let files = ["hledger", "beancount"].map { sb.path("journal.\($0)") }
        for (format, file) in zip(["hledger", "beancount"], files) {
            let r = run(["export", "journal", "--format", format, "-o", file], db: db, json: false)
            try #require(r.status == 0, "\(r)")
        }
        // hledger's --end and Beancount's `date <` exclude the day: the ledger a second before.
        for (day, asOf) in [
            ("2026-01-02", "2026-01-01T23:59:59Z"), ("2026-02-02", "2026-02-01T23:59:59Z"),
            ("2026-03-03", "2026-03-02T23:59:59Z"),
        ] {
            let json = try ok(
                ["balance", "--accounts", "--flat", "--as-of", asOf], db: db, now: "2026-03-04T00:00:00Z")
            let rows = try #require(json["data"] as? [[String: Any]], "\(json)")
            var ours: [String: [String: Int64]] = [:]
            for row in rows {
                let amount = try #require((row["amount"] as? NSNumber)?.int64Value)
                if amount != 0 { ours[row["account"] as! String, default: [:]][row["currency"] as! String] = amount }
            }
            #expect(!ours.isEmpty)
            #expect(ours.values.flatMap(\.keys).contains("jpy") && ours.values.flatMap(\.keys).contains("kwd"))
            #expect(try balances("hledger", files[0], day) == ours, "hledger at \(day)")
            let beancount = try balances("beancount", files[1], day)
            #expect(beancount == ours, "beancount at \(day): \(beancount) vs \(ours)")
        }
    }
}
