import Foundation

/// RFC 4180 CSV with cells a spreadsheet would run as a formula neutralized.
enum CSV {
    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Int64(text) == nil {
            text = "'" + text
        }
        if text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r") {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    static func row(_ cells: [String]) -> String { cells.map(cell).joined(separator: ",") + "\r\n" }

    /// A header row and the rows, CRLF between them. The last row's CRLF is left to print's
    /// newline. "\r\n" is one Character in Swift, so one dropLast() removes it (dropping two
    /// characters lost the last cell).
    static func document(_ header: [String], _ rows: [[String]]) -> String {
        String((row(header) + rows.map(row).joined()).dropLast())
    }
}
