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

    /// Appends one row to `bytes`, CRLF after it; `numeric[i]` says cell `i` is a number
    /// (missing entries: text). Every CSV of the tool is made here, as bytes (an export's inner
    /// loop builds no string per row).
    static func appendRow(_ cells: [String], numeric: [Bool] = [], to bytes: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            appendCell(cell, numeric: index < numeric.count && numeric[index], to: &bytes)
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    private static func appendCell(_ cell: String, numeric: Bool, to bytes: inout [UInt8]) {
        var cell = cell
        cell.withUTF8 { utf8 in
            let guarded = !numeric && utf8.first.map(isFormulaStart) == true
            var quoted = false
            for byte in utf8 where needsQuotes(byte) {
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

    /// One row as text, CRLF after it.
    static func row(_ cells: [String], numeric: [Bool] = []) -> String {
        var bytes: [UInt8] = []
        appendRow(cells, numeric: numeric, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
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
            CSV.appendRow(header, to: &buffer)
        }

        /// One row. The buffer is moved into a local for the row, so the class's storage is
        /// accessed twice per row rather than per byte.
        func write(_ cells: [String]) throws {
            var bytes: [UInt8] = []
            swap(&bytes, &buffer)
            CSV.appendRow(cells, numeric: numeric, to: &bytes)
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
