import ArgumentParser
import Foundation
import LedgerKit

/// `--format csv` of the list commands whose objects `export` writes: the export's writer and
/// columns, and the list's own filters applied to those columns.
struct ListFormatOptions: ParsableArguments {
    @Option(help: "table (default; JSON with --json) or csv: the columns of the matching export (README: Exports).")
    var format: Choice<ListFormat>?

    enum ListFormat: String, CaseIterable, Sendable {
        case table, csv
    }

    var csv: Bool {
        get throws { try format?.value(param: "format") == .csv }
    }

    /// Writes `kind`'s export rows (of `customer`, effective before `to`) whose columns hold the
    /// values of `filters` (column name → value), and returns the streamed output.
    func write(
        _ ledger: Ledger, _ kind: ExportKind, customer: String? = nil, to: Int64? = nil,
        where filters: [String: String] = [:]
    ) throws -> Output {
        let columns = Ledger.exportColumns(kind)
        let names = columns.map(\.name)
        let checks = try filters.map { name, value in
            (try stored(names.firstIndex(of: name), name), value)
        }
        let writer = try CSV.Writer(FileHandle.standardOutput, header: names, numeric: columns.map(\.numeric))
        try ledger.export(kind, from: nil, to: to, customer: customer.map { .init($0) }) { row in
            if checks.allSatisfy({ row[$0.0] == $0.1 }) { try writer.write(row) }
        }
        try writer.finish()
        return Output(json: .null, human: "", streamed: true)
    }

    private func stored(_ index: Int?, _ name: String) throws -> Int {
        guard let index else { throw LedgerError(.storage, "the export has no column '\(name)'") }
        return index
    }
}
