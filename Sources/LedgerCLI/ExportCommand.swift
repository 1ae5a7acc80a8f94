import ArgumentParser
import Foundation
import LedgerKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one kind of object as RFC 4180 CSV (README: Exports), from one consistent snapshot.")
    @ParentCommand var root: LedgerCommand
    @Argument(help: "What to export.") var kind: Choice<Kind>
    @Option(parsing: .unconditional, help: "From this instant, included (Unix seconds or ISO 8601).")
    var from: String?
    @Option(parsing: .unconditional, help: "Up to this instant, excluded.") var to: String?
    @Option(help: "Only this customer's rows.") var customer: String?
    @Option(help: "The file format.") var format = Choice(Format.csv)
    @Option(name: [.customShort("o"), .long], help: "Write to FILE (atomically: in full or not at all).")
    var output: String?

    /// The kinds `export` takes: `ExportKind`'s, and `grants` (SPEC's name) for `credit-grants`.
    enum Kind: String, CaseIterable, Sendable {
        case journal, invoices
        case invoiceLines = "invoice-lines"
        case invoiceItems = "invoice-items"
        case creditGrants = "credit-grants"
        case grants
        case creditTransactions = "credit-transactions"
        case events, customers, subscriptions, meters, products, prices

        var exportKind: ExportKind {
            self == .grants ? .creditGrants : ExportKind(rawValue: rawValue)!
        }
    }

    /// The file formats: CSV for every kind, and the journal as hledger's or Beancount's text.
    enum Format: String, CaseIterable, Sendable {
        case csv, hledger, beancount
    }

    func run() throws {
        let context = Context(root: root)
        let kind: ExportKind
        let range: (from: Int64?, to: Int64?)
        do {
            kind = try self.kind.value(param: "kind").exportKind
            let format = try self.format.value(param: "format")
            if format != .csv && kind != .journal {
                throw LedgerError.invalidRequest(
                    "--format \(format.rawValue) writes the journal only (export journal); other kinds are CSV",
                    param: "format")
            }
            if format != .csv && customer != nil {
                throw LedgerError.invalidRequest(
                    "the journal is the whole ledger's: export journal takes no --customer", param: "customer")
            }
            if root.idempotencyKey != nil {
                throw LedgerError.invalidRequest(
                    "export only reads: it takes no --idempotency-key", param: "idempotency_key")
            }
            range = (
                try from.map { try Instant.parse($0, param: "from") }, try to.map { try Instant.parse($0, param: "to") }
            )
            if let from = range.from, let to = range.to, from > to {
                throw LedgerError(.invalidTime, "--from must not be after --to", param: "from")
            }
            if output?.isEmpty == true { throw LedgerError.invalidRequest("-o needs a file name", param: "output") }
        } catch let error as LedgerError {
            context.fail(error)
        }
        try context.read { ledger in
            let sink = try output.map(AtomicFile.init)
            if let text = PlainTextFormat(rawValue: format.text) {
                do {
                    let handle = sink?.handle ?? FileHandle.standardOutput
                    try ledger.writeJournal(text, from: range.from, to: range.to) { handle.write(Data($0.utf8)) }
                    try sink?.commit()
                } catch {
                    sink?.discard()
                    throw error
                }
                return Output(json: .null, human: "", streamed: true)
            }
            let columns = Ledger.exportColumns(kind)
            do {
                let writer = try CSV.Writer(
                    sink?.handle ?? FileHandle.standardOutput, header: columns.map(\.name),
                    numeric: columns.map(\.numeric))
                try ledger.export(kind, from: range.from, to: range.to, customer: customer.map { .init($0) }) {
                    try writer.write($0)
                }
                try writer.finish()
                try sink?.commit()
            } catch {
                sink?.discard()
                throw error
            }
            return Output(json: .null, human: "", streamed: true)
        }
    }
}

/// A file written beside its destination under a temporary name and renamed over it only once
/// complete (rename is atomic): a failed export leaves no file, and never half of one.
final class AtomicFile {
    let path: String
    let temporary: String
    let handle: FileHandle

    init(_ path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporary =
            url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            .path
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LedgerError.invalidRequest(
                "cannot write '\(path)': \(String(cString: strerror(errno)))", param: "output")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw LedgerError(.storage, "cannot write '\(path)': \(error.localizedDescription)", param: "output")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LedgerError(.storage, "cannot write '\(path)': \(reason)", param: "output")
        }
    }

    func discard() {
        try? handle.close()
        unlink(temporary)
    }
}
