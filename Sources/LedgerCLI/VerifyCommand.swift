import ArgumentParser
import LedgerKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the file's integrity and the journal's invariants; exit 1 on any failure.")
    @ParentCommand var root: LedgerCommand
    @Flag(
        help:
            "Run SQLite's integrity_check (every index against its table) instead of quick_check (the file's structure)."
    )
    var full = false

    func run() throws {
        try Context(root: root).read { ledger in
            let findings = try ledger.verify(full: full)
            let json = Shape.verification(findings)
            let human =
                findings.isEmpty
                ? "ok: \(full ? "integrity_check" : "quick_check"), foreign keys, trial balance zero, every entry balanced, invoices agree with lines and postings, numbers gapless, grants balance"
                : findings.map { "FAIL \($0.check): \($0.detail)" }.joined(separator: "\n")
            return Output(json: json, human: human, status: findings.isEmpty ? 0 : Exit.differences)
        }
    }
}
