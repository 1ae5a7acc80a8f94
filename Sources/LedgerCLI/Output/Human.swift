/// Human formatting: aligned tables and key/value blocks.
enum Human {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        if rows.isEmpty { return "(none)" }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func fields(_ pairs: [(String, String?)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.compactMap { key, value in
            value.map { key + String(repeating: " ", count: width - key.count) + "  " + $0 }
        }.joined(separator: "\n")
    }

    static func metadata(_ m: [String: String]) -> String? {
        m.isEmpty ? nil : m.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
