/// Parsing of bulk-import lines into event submissions: NDJSON (flat or Stripe's shape) and CSV.
public enum ImportLine {
    /// Reads one NDJSON line: `{"event_name", "customer", "value", "timestamp", "identifier", …}`
    /// (extra keys are dimensions) or Stripe's `{"event_name", "payload": {…}, "timestamp",
    /// "identifier"}`.
    /// - Throws: `malformed_line` for JSON that is not such an object, `invalid_time`.
    public static func ndjson(_ line: Substring) throws -> EventSubmission {
        let object: [(String, JSONValue)]
        switch JSONValue.parse(line) {
        case .failure(let error):
            throw LedgerError(.malformedLine, "not JSON: \(error.reason)")
        case .success(.object(let fields)):
            object = fields
        case .success:
            throw LedgerError(.malformedLine, "a line must be a JSON object")
        }
        var submission = EventSubmission(eventName: "")
        var sawEventName = false
        for (key, value) in object {
            switch key {
            case "event_name":
                guard case .string(let name) = value else {
                    throw LedgerError(.malformedLine, "event_name must be a string")
                }
                submission.eventName = name
                sawEventName = true
            case "identifier":
                guard let text = value.scalarText else {
                    throw LedgerError(.malformedLine, "identifier must be a string")
                }
                submission.identifier = text
            case "timestamp":
                guard let text = value.scalarText else {
                    throw LedgerError(.malformedLine, "timestamp must be Unix seconds or ISO 8601")
                }
                submission.timestamp = try Instant.parse(text, param: "timestamp")
            case "payload":
                guard case .object(let fields) = value else {
                    throw LedgerError(.malformedLine, "payload must be an object of strings")
                }
                for (k, v) in fields {
                    guard let text = v.scalarText else {
                        throw LedgerError(.malformedLine, "payload.\(k) must be a string or number")
                    }
                    submission.payload[k] = text
                }
            case "customer":
                guard let text = value.scalarText else {
                    throw LedgerError(.malformedLine, "customer must be a string")
                }
                submission.customer = .init(text)
            case "value":
                guard let text = value.scalarText else {
                    throw LedgerError(.malformedLine, "value must be a number or a string")
                }
                submission.value = try ExactDecimal.quantity(text, param: "value", allowNegative: true)
            default:
                if value == .null { continue }
                guard let text = value.scalarText else {
                    throw LedgerError(.malformedLine, "dimension '\(key)' must be a string or number")
                }
                submission.payload[key] = text
            }
        }
        if !sawEventName || submission.eventName.isEmpty {
            throw LedgerError(.malformedLine, "event_name is missing")
        }
        return submission
    }

    /// Splits one CSV record (RFC 4180: fields may be quoted, quotes doubled inside). Returns nil
    /// when a quoted field is still open at the end (the record continues on the next line).
    public static func csvFields(_ record: Substring) throws -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var atFieldStart = true
        var afterClosingQuote = false
        let bytes = Array(record.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    afterClosingQuote = true
                } else {
                    field.append(c)
                }
            } else if c == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
                afterClosingQuote = false
                i += 1
                continue
            } else if c == UInt8(ascii: "\"") && atFieldStart {
                inQuotes = true
            } else if afterClosingQuote {
                throw LedgerError(.malformedLine, "characters after a closing quote")
            } else if c == UInt8(ascii: "\"") {
                throw LedgerError(.malformedLine, "a quote inside an unquoted field")
            } else {
                field.append(c)
            }
            atFieldStart = false
            i += 1
        }
        if inQuotes { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// The columns of a CSV import: the five known ones and dimension columns.
    public struct CSVHeader: Sendable {
        public let names: [String]

        /// - Throws: `malformed_line` when a required column is missing or a name repeats.
        public init(_ names: [String]) throws {
            let trimmed = names.map { $0.trimmingSpaces }
            for required in ["event_name", "customer", "value"] where !trimmed.contains(required) {
                throw LedgerError(.malformedLine, "the CSV header has no '\(required)' column")
            }
            if Set(trimmed).count != trimmed.count {
                throw LedgerError(.malformedLine, "the CSV header repeats a column")
            }
            self.names = trimmed
        }

        /// - Throws: `malformed_line` (wrong field count), `invalid_time`.
        public func submission(_ fields: [String]) throws -> EventSubmission {
            guard fields.count == names.count else {
                throw LedgerError(
                    .malformedLine, "the record has \(fields.count) fields; the header has \(names.count)")
            }
            var submission = EventSubmission(eventName: "")
            for (name, value) in zip(names, fields) {
                switch name {
                case "event_name": submission.eventName = value
                case "customer": submission.customer = .init(value)
                case "value": submission.value = try ExactDecimal.quantity(value, param: "value", allowNegative: true)
                case "timestamp":
                    if !value.isEmpty { submission.timestamp = try Instant.parse(value, param: "timestamp") }
                case "identifier": if !value.isEmpty { submission.identifier = value }
                default: if !value.isEmpty { submission.payload[name] = value }
                }
            }
            if submission.eventName.isEmpty { throw LedgerError(.malformedLine, "event_name is empty") }
            return submission
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" || s.first == "\u{FEFF}" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
