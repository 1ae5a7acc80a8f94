import ArgumentParser
import Foundation
import LedgerKit

struct BillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill",
        abstract: "The billing run: close due periods and finalize due drafts, in time order, up to a time.")
    @ParentCommand var root: LedgerCommand
    @Option(parsing: .unconditional, help: "Process everything due up to this instant (default: now).")
    var until: String?
    @Option(
        parsing: .unconditional,
        help: "Close at most this many periods of one subscription in this run; more is refused.")
    var maxPeriods: Int = Limits.billPeriodsPerSubscriptionMax

    func run() throws {
        let until: Int64?
        do {
            until = try self.until.map { try Instant.parse($0, param: "until") }
        } catch let error as LedgerError {
            Context(root: root).fail(error)
        }
        // Under a test clock, billing up to T moves the clock to T; on the system clock a T after
        // now is refused by the library (a period that has not ended is never billed).
        try Context(root: root, advanceTestClockTo: until).run { ledger in
            let terminal = isatty(STDERR_FILENO) == 1
            let report = try ledger.bill(until: until, maxPeriods: maxPeriods) { report in
                guard terminal else { return }
                let line =
                    "\r\(Human.count(report.invoicesCreated, "invoice")) created, \(report.invoicesFinalized) finalized"
                FileHandle.standardError.write(Data(line.utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            let failures = report.failures.map { f in
                "FAILED \(f.invoice) of \(f.customer) at \(Instant.format(f.at)): \(f.code.rawValue): \(f.message)"
            }
            return Output(
                json: Shape.billingRun(report),
                human: ([
                    "\(Human.count(report.invoicesCreated, "invoice")) created, \(report.invoicesFinalized) finalized, "
                        + "\(Human.count(report.subscriptionsEnded, "subscription")) ended, \(report.failures.count) failed"
                ] + failures).joined(separator: "\n")
            )
        }
    }
}
