import Synchronization

/// An identifier that knows what it identifies: a `Price.ID` is not a `Customer.ID`.
public struct Identifier<Entity>: RawRepresentable, Hashable, Sendable, Comparable,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Makes and checks object IDs: a Stripe prefix plus random base62, or a caller's own key.
public enum IDs {
    private static let alphabet = Array(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new ID: `prefix_` then `Limits.generatedIdLength` random base62 characters.
    public static func generate(prefix: String) -> String {
        var id = prefix + "_"
        appendRandom(Limits.generatedIdLength, to: &id)
        return id
    }

    /// Appends `count` random base62 characters, ten from each 64-bit draw (62^10 < 2^64; the
    /// slight bias toward low digits does not matter for identifiers).
    private static func appendRandom(_ count: Int, to id: inout String) {
        var remaining = count
        while remaining > 0 {
            var bits = IDRandom.next()
            for _ in 0..<min(10, remaining) {
                id.append(alphabet[Int(bits % 62)])
                bits /= 62
            }
            remaining -= 10
        }
    }

    /// A new ID whose first characters order by time (`at`, Unix seconds), so that IDs made in
    /// sequence land at the end of an index instead of at random places in it.
    public static func generateTimeOrdered(prefix: String, at seconds: Int64) -> String {
        let stamp = String(UInt64(bitPattern: seconds), radix: 16)
        let padded = String(repeating: "0", count: max(0, 10 - stamp.count)) + stamp
        var id = prefix + "_" + padded
        appendRandom(16, to: &id)
        return id
    }

    /// A caller-supplied ID: 1–255 characters of letters, digits, `_`, `-` and `.`.
    ///
    /// The colon is refused because IDs name journal accounts (`assets:receivable:cus_1`).
    /// - Throws: `invalid_text` for an ID holding NUL, `invalid_request` naming the ID.
    public static func validateCallerID(_ id: String) throws {
        try Text.checkCharacters(id, param: "id")
        let ok =
            !id.isEmpty && id.utf8.count <= Limits.idLengthMax
            && id.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                    || c == 95 || c == 45 || c == 46
            }
        guard ok else {
            throw LedgerError.invalidRequest(
                "id '\(id)' must be 1–\(Limits.idLengthMax) characters of letters, digits, '_', '-' or '.'",
                param: "id")
        }
    }
}

/// A literal is an ID, as in swift-tagged: `let customer: Customer.ID = "cus_123"`, and so is an
/// interpolated one: `"sub_\(name)"`.
extension Identifier: ExpressibleByStringInterpolation, ExpressibleByStringLiteral,
    ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral
{
    public init(stringLiteral value: String) { self.init(value) }

    public init(stringInterpolation: DefaultStringInterpolation) {
        self.init(String(stringInterpolation: stringInterpolation))
    }
}

/// An ID encodes as its text: `"cus_123"`.
extension Identifier: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
