import LedgerKit

/// A JSON value with ordered object keys, so output reads like Stripe's.
enum JSON {
    case null
    case bool(Bool)
    case int(Int64)
    /// An exact decimal printed as a JSON number from its text, never through a float.
    case number(ExactDecimal)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
    static func optional(_ value: Int64?) -> JSON { value.map(JSON.int) ?? .null }

    static func metadata(_ map: [String: String]) -> JSON {
        .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func list(_ items: [JSON]) -> JSON {
        .object([("object", .string("list")), ("data", .array(items)), ("has_more", .bool(false))])
    }

    /// Compact when `pretty` is false; two-space indented otherwise.
    func render(pretty: Bool = true, indent: Int = 0) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let d): return d.description
        case .string(let s): return JSON.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if !pretty { return "[" + items.map { $0.render(pretty: false) }.joined(separator: ",") + "]" }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = items.map { pad + $0.render(pretty: true, indent: indent + 1) }
            return "[\n" + body.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            if !pretty {
                return "{"
                    + fields.map { JSON.quote($0.0) + ":" + $0.1.render(pretty: false) }
                    .joined(separator: ",") + "}"
            }
            let pad = String(repeating: "  ", count: indent + 1)
            let body = fields.map { pad + JSON.quote($0.0) + ": " + $0.1.render(pretty: true, indent: indent + 1) }
            return "{\n" + body.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // C0 controls must be escaped (RFC 8259); DEL and C1 are too, so that JSON read on a
                // terminal cannot drive it either.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
