import Foundation
import LedgerKit

/// RFC 4180 CSV, the one writer of every CSV the ledger prints (`export`, `--format csv` of lists
/// and `reconcile`): UTF-8, CRLF after every row, a field quoted when it holds a comma, a quote,
/// CR or LF (its quotes doubled). A text cell a spreadsheet would run as a formula (it starts
/// with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, and so does a text cell that already
/// starts with `'`, so the rule is reversible: a text cell starting with `'` carries exactly one
/// added `'`. Number cells (amounts, decimals, counts) are never changed: `-150` stays a number.
enum CSV {
    /// Whether a text cell starting with this byte looks like a formula (`=`, `+`, `-`, `@`,
    /// tab, CR) or like a cell that was guarded (`'`).
    static func isFormulaStart(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x27: true
        default: false
        }
    }

    /// Whether a cell holding this byte is quoted: a comma, a quote, LF or CR.
    static func needsQuotes(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x2C, 0x22, 0x0A, 0x0D: true
        default: false
        }
    }

    static func cell(_ value: String, numeric: Bool = false) -> String {
        var text = value
        if !numeric, let first = text.utf8.first, isFormulaStart(first) {
            text = "'" + text
        }
        // One pass over the bytes (Foundation's `contains` on strings searched four times).
        if text.utf8.contains(where: needsQuotes) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// One row; `numeric[i]` says cell `i` is a number (missing entries: text).
    static func row(_ cells: [String], numeric: [Bool] = []) -> String {
        cells.enumerated().map { cell($0.element, numeric: $0.offset < numeric.count && numeric[$0.offset]) }
            .joined(separator: ",") + "\r\n"
    }

    /// A header row and the rows, CRLF between them. The last row's CRLF is left to print's
    /// newline. "\r\n" is one Character in Swift, so one dropLast() removes it (dropping two
    /// characters lost the last cell).
    static func document(_ header: [String], _ rows: [[String]], numeric: [Bool] = []) -> String {
        String((row(header) + rows.map { row($0, numeric: numeric) }.joined()).dropLast())
    }

    /// Writes rows to a file handle as they come, through a bounded buffer.
    final class Writer {
        private let handle: FileHandle
        private let numeric: [Bool]
        private var buffer: [UInt8] = []
        private(set) var rows = 0
        private let progress: Bool

        /// Writes the header at once. Progress goes to stderr only when it is a terminal.
        init(_ handle: FileHandle, header: [String], numeric: [Bool]) throws {
            self.handle = handle
            self.numeric = numeric
            progress = isatty(STDERR_FILENO) != 0
            buffer.reserveCapacity(1 << 17)
            buffer.append(contentsOf: CSV.row(header).utf8)
        }

        /// One row, its cells appended as bytes with the rules of `CSV.cell` (no string is
        /// built per row: this is an export's inner loop). The buffer is moved into a local for
        /// the row, so the class's storage is accessed twice per row rather than per byte.
        func write(_ cells: [String]) throws {
            var bytes: [UInt8] = []
            swap(&bytes, &buffer)
            for (index, cell) in cells.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                Self.append(cell, numeric: index < numeric.count && numeric[index], to: &bytes)
            }
            bytes.append(0x0D)
            bytes.append(0x0A)
            swap(&bytes, &buffer)
            rows += 1
            if buffer.count >= 1 << 16 { try flush() }
            if progress && rows % 10_000 == 0 {
                FileHandle.standardError.write(Data("\rexport: \(rows) rows".utf8))
            }
        }

        func finish() throws {
            try flush()
            if progress { FileHandle.standardError.write(Data("\rexport: \(rows) rows\n".utf8)) }
        }

        private static func append(_ cell: String, numeric: Bool, to bytes: inout [UInt8]) {
            var cell = cell
            cell.withUTF8 { utf8 in
                let guarded = !numeric && utf8.first.map(CSV.isFormulaStart) == true
                var quoted = false
                for byte in utf8 where CSV.needsQuotes(byte) {
                    quoted = true
                    break
                }
                if !guarded && !quoted {
                    bytes.append(contentsOf: utf8)
                    return
                }
                if quoted { bytes.append(0x22) }
                if guarded { bytes.append(0x27) }
                for byte in utf8 {
                    bytes.append(byte)
                    if byte == 0x22 { bytes.append(0x22) }
                }
                if quoted { bytes.append(0x22) }
            }
        }

        private func flush() throws {
            guard !buffer.isEmpty else { return }
            do {
                try handle.write(contentsOf: buffer)
            } catch {
                throw LedgerError(.storage, "cannot write the CSV: \(error.localizedDescription)", param: "output")
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
