// The library side of `Tools/stress.py concurrency`: threads recording events through LedgerKit,
// each with its own connection, on the system clock, while the binary's processes write the same
// file. Run: ledger-stress DB THREADS SECONDS (DB: a path, or a postgres:// URL). Prints one JSON object: the identifiers each
// acknowledged write stored, the operations tried, busy answers and refusals by code.
import Foundation
import LedgerKit
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count == 4, let threads = Int(arguments[2]), let seconds = Double(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: ledger-stress DB THREADS SECONDS\n".utf8))
    exit(64)
}
let path = arguments[1]

struct Tally {
    var acknowledged: [String] = []
    var operations = 0
    var busy = 0
    var refused: [String: Int] = [:]
}

let tally = Mutex(Tally())
let deadline = Date().addingTimeInterval(seconds)
let start = Ledger.systemClock()
DispatchQueue.concurrentPerform(iterations: threads) { thread in
    var n = 0
    let ledger: Ledger
    do {
        if Ledger.isPostgresURL(path), let url = URL(string: path) {
            ledger = try Ledger(postgres: url)
        } else {
            ledger = try Ledger(path: path)
        }
    } catch {
        tally.withLock { $0.refused["open: \(error)", default: 0] += 1 }
        return
    }
    while Date() < deadline {
        // Every third identifier is shared by all threads: the same event sent several times.
        // Its content follows from the identifier, so a shared one is a duplicate, never a conflict.
        let key = n % 3 == 0 ? n / 3 : n
        let identifier = n % 3 == 0 ? "lib-shared-\(key)" : "lib-\(thread)-\(n)"
        let submission = EventSubmission(
            eventName: "tokens", identifier: identifier, timestamp: start - Int64(key % 7) * 3_600,
            customer: Customer.ID("cus_\(key % 10)"), value: 1)
        do {
            _ = try ledger.record(submission)
            tally.withLock {
                $0.acknowledged.append(identifier)
                $0.operations += 1
            }
        } catch let error as LedgerError {
            tally.withLock {
                $0.operations += 1
                if error.kind == .busy { $0.busy += 1 } else { $0.refused[error.code.rawValue, default: 0] += 1 }
            }
        } catch {
            tally.withLock { $0.refused["\(error)", default: 0] += 1 }
        }
        n += 1
    }
}
let result = tally.withLock { $0 }
let report: [String: Any] = [
    "acknowledged": result.acknowledged, "operations": result.operations, "busy": result.busy,
    "refused": result.refused,
]
let data = try JSONSerialization.data(withJSONObject: report)
FileHandle.standardOutput.write(data)
