/// Human formatting: aligned tables and key/value blocks.
enum Human {
    /// Columns two spaces apart, each as wide as its widest cell; the columns in `rightAligned`
    /// (amounts) flush right, the others left.
    static func table(_ header: [String], _ cells: [[String]], rightAligned: Set<Int> = []) -> String {
        if cells.isEmpty { return "(none)" }
        let rows = cells.map { $0.map { escapingControls($0) } }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                if rightAligned.contains(i) { return pad + c }
                return i == cells.count - 1 ? c : c + pad
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// `n` and the noun, singular for exactly one: "1 invoice", "0 invoices", "2 tiers".
    static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }

    static func fields(_ pairs: [(String, String?)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.compactMap { key, value in
            value.map { key + String(repeating: " ", count: width - key.count) + "  " + escapingControls($0) }
        }.joined(separator: "\n")
    }

    static func metadata(_ m: [String: String]) -> String? {
        m.isEmpty ? nil : m.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// `text` with each character a terminal would act on written out as `\u{1B}`: the C0
    /// controls, DEL and the C1 controls. Stored text (a customer's name, metadata, an event's
    /// dimension) is printed as data, so it can never move the cursor, change colours or set the
    /// window title. With `keepingLineBreaks`, a line feed, and the CR of a CRLF, stay: the line
    /// breaks of a table or a CSV the command itself made.
    static func escapingControls(_ text: String, keepingLineBreaks: Bool = false) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            let lineBreak = scalar == "\n" || (scalar == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n")
            if !isControl(scalar) || (keepingLineBreaks && lineBreak) {
                out.append(scalar)
            } else {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }
}
