import Foundation
import Testing

/// Bad usage (a command line the parser cannot read) is one line with a code, like every error
/// (SPEC §3), exit 64; `--help`, `help` and `--version` are unchanged.
@Suite struct UsageTests {
    @Test(
        "a command line the parser cannot read is one line, error: invalid_usage: <message>, exit 64",
        arguments: [
            (["customers", "create", "--frobnicate"], "Unknown option '--frobnicate'"),
            (["prices", "quote", "price_1"], "Missing expected argument '--quantity <quantity>'"),
            (["prices", "explode"], "Unexpected argument 'explode'"),
            (
                ["prices", "create", "--product", "p", "--currency", "usd", "--interval-count", "abc"],
                "The value 'abc' is invalid for '--interval-count <interval-count>'"
            ),
            (["customers", "create", "--name"], "Missing value for '--name <name>'"),
        ])
    func usageIsOneLine(_ args: [String], _ message: String) throws {
        let sb = try Sandbox()
        let r = try rejected(args, db: sb.db, codes: [64], code: "invalid_usage")
        #expect(r.stderr == "error: invalid_usage: \(message)\n", "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
    }

    @Test("with --json anywhere among the options, bad usage is the JSON error object")
    func usageJSON() throws {
        let sb = try Sandbox()
        let expected =
            #"{"error":{"type":"invalid_request_error","code":"invalid_usage","message":"Unknown option '--frobnicate'","param":null}}"#
            + "\n"
        let r = try rejected(["customers", "create", "--frobnicate"], db: sb.db, codes: [64], json: true)
        #expect(r.stderr == expected, "\(r.stderr)")
        let late = LedgerBinary.execute(["--db", sb.db, "customers", "create", "--frobnicate", "--json"])
        #expect(late.status == 64)
        #expect(late.stderr == expected, "\(late.stderr)")
        let after = LedgerBinary.execute(["--db", sb.db, "customers", "create", "--", "--frobnicate", "--json"])
        #expect(after.status == 64)
        #expect(after.stderr == "error: invalid_usage: 2 unexpected arguments: '--frobnicate', '--json'\n", "\(after)")
    }

    @Test("--help, help and --version still print ArgumentParser's text and exit 0")
    func helpAndVersion() throws {
        let help = LedgerBinary.execute(["customers", "create", "--help"])
        #expect(help.status == 0 && help.stderr.isEmpty, "\(help)")
        #expect(help.stdout.hasPrefix("OVERVIEW: Create a customer."), "\(help.stdout)")
        #expect(help.stdout.contains("USAGE: ledger customers create"), "\(help.stdout)")
        let helpCommand = LedgerBinary.execute(["help", "customers", "create"])
        #expect(helpCommand.status == 0, "\(helpCommand)")
        #expect(helpCommand.stdout == help.stdout)
        let version = LedgerBinary.execute(["--version"])
        #expect(version.status == 0 && version.stdout == "0.9.0\n" && version.stderr.isEmpty, "\(version)")
    }
}
